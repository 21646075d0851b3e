"""Question pools: each attempt draws its own questions on the server and keeps them in its
snapshot; grading and review use what was asked, and a retry meets new questions."""

import json

import pytest
from django.urls import reverse
from wagtail.blocks.struct_block import StructBlockValidationError

from courses.blocks import QuestionPoolBlock
from courses.models import CoursePage
from learners.models import QuizAttempt
from learners.services.learning import enrolment_create
from learners.services.quiz import quiz_attempt_start, quiz_attempt_submit
from tests.learners.views.test_learning import LEAN, post_answers, right_answers, wrong_answers

POOL_SIZE, DRAW = 6, 2


def pool_question(n: int) -> dict:
    return {
        "type": "item",
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "value": {
            "kind": "single",
            "text": f"Gevinstspørsmål nummer {n}",
            "explanation": "",
            "choices": [
                {
                    "type": "item",
                    "id": f"c{n}-a",
                    "value": {"text": "Ja", "correct": True, "feedback": ""},
                },
                {
                    "type": "item",
                    "id": f"c{n}-b",
                    "value": {"text": "Nei", "correct": False, "feedback": ""},
                },
            ],
        },
    }


@pytest.fixture
def course(demo):
    """The demo course with a pool of six questions about gevinster, two asked per attempt."""
    page = CoursePage.objects.get(slug=LEAN)
    stream = list(page.quiz.raw_data)
    stream.append(
        {
            "type": "pool",
            "id": "pool-gevinster",
            "value": {
                "title": "Gevinster",
                "draw": DRAW,
                "questions": [pool_question(n) for n in range(POOL_SIZE)],
            },
        }
    )
    page.quiz = json.dumps(stream)
    page.max_attempts, page.wait_minutes = 0, 0
    page.save_revision().publish()
    return CoursePage.objects.get(pk=page.pk)


def pooled_ids(attempt) -> set[str]:
    return {q["id"] for q in attempt.snapshot if q["pool"] == "pool-gevinster"}


def test_each_attempt_draws_its_own_questions_and_a_retry_gets_new_ones(learner, course):
    singles = sum(1 for group in course.quiz_groups() if not group["pool"])
    enrolment = enrolment_create(user=learner, course=course)
    asked = []
    for _ in range(POOL_SIZE // DRAW):
        attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=course)
        assert len(attempt.snapshot) == singles + DRAW == course.quiz_question_count
        assert sorted(attempt.order["questions"]) == sorted(q["id"] for q in attempt.snapshot)
        asked.append(pooled_ids(attempt))
        quiz_attempt_submit(
            enrolment=enrolment, attempt_id=attempt.pk, answers=wrong_answers(attempt)
        )
    # Three attempts of two out of six: every pool question asked exactly once.
    assert set().union(*asked) == {pool_question(n)["id"] for n in range(POOL_SIZE)}
    assert sum(len(ids) for ids in asked) == POOL_SIZE


def test_grading_and_review_use_what_the_attempt_asked_even_after_the_pool_changes(
    client, learner, course
):
    client.force_login(learner)
    enrolment_create(user=learner, course=course)
    url = reverse("learners:quiz", args=[course.pk])
    html = client.get(url).content.decode()
    attempt = QuizAttempt.objects.get(enrolment__user=learner)
    shown = [q["text"] for q in attempt.snapshot if q["pool"]]
    not_asked = [
        pool_question(n)["value"]["text"]
        for n in range(POOL_SIZE)
        if pool_question(n)["id"] not in pooled_ids(attempt)
    ]
    assert all(text in html for text in shown) and not any(t in html for t in not_asked)
    # The editor removes the pool; the attempt still grades against what it asked.
    course.quiz = json.dumps([b for b in course.quiz.raw_data if b["type"] != "pool"])
    course.save_revision().publish()
    response = client.post(url, post_answers(right_answers(attempt), attempt))
    attempt.refresh_from_db()
    assert attempt.passed is True and attempt.score == 100
    review = client.get(response.url).content.decode()
    assert all(text in review for text in shown)


def test_a_pool_cannot_ask_more_questions_than_it_has():
    block = QuestionPoolBlock()
    value = block.to_python(
        {"title": "Gevinster", "draw": 3, "questions": [pool_question(0)["value"]]}
    )
    with pytest.raises(StructBlockValidationError):
        block.clean(value)
