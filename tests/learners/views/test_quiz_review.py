"""What a quiz review shows: which questions were wrong and the editor's feedback always, the
right answers only when the quiz's rule allows it, and each option's part in a wrong answer."""

import pytest
from django.urls import reverse

from courses.models import CoursePage
from learners.services.learning import enrolment_create
from learners.services.quiz import quiz_attempt_start, quiz_attempt_submit
from tests.learners.views.test_learning import LEAN, right_answers, wrong_answers

RIGHT = "Riktig svar:"


@pytest.fixture
def course(demo):
    return CoursePage.objects.get(slug=LEAN)


def submit(enrolment, course, answers_for):
    attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=course)
    return quiz_attempt_submit(
        enrolment=enrolment, attempt_id=attempt.pk, answers=answers_for(attempt)
    )


def review(client, attempt) -> str:
    return client.get(reverse("learners:attempt", args=[attempt.pk])).content.decode()


def set_rule(course, *, show_answers="pass_or_last", max_attempts=2):
    course.show_answers, course.max_attempts, course.wait_minutes = show_answers, max_attempts, 0
    course.save_revision().publish()


def test_a_failed_attempt_with_attempts_left_hides_the_right_answers(client, learner, course):
    set_rule(course)
    enrolment = enrolment_create(user=learner, course=course)
    attempt = submit(enrolment, course, wrong_answers)
    client.force_login(learner)
    html = review(client, attempt)
    assert "Ikke riktig" in html and RIGHT not in html and "Riktig rekkefølge" not in html
    assert "når du har bestått eller ikke har flere forsøk igjen" in html
    # The editor's feedback on the chosen answers is still shown.
    chosen = {cid for ids in attempt.answers.values() for cid in ids}
    feedback = [c["feedback"] for q in attempt.snapshot for c in q["choices"] if c["id"] in chosen]
    assert any(text and text in html for text in feedback)
    # The explanation often gives the answer away: it waits too.
    explanations = [q["explanation"] for q in attempt.snapshot if q["explanation"]]
    assert explanations and not any(text in html for text in explanations)


def test_the_last_attempt_shows_the_right_answers_in_every_review(client, learner, course):
    set_rule(course)
    enrolment = enrolment_create(user=learner, course=course)
    first = submit(enrolment, course, wrong_answers)
    submit(enrolment, course, wrong_answers)
    client.force_login(learner)
    assert RIGHT in review(client, first)


def test_a_pass_shows_the_right_answers_of_earlier_attempts(client, learner, course):
    set_rule(course)
    enrolment = enrolment_create(user=learner, course=course)
    first = submit(enrolment, course, wrong_answers)
    client.force_login(learner)
    assert RIGHT not in review(client, first)
    submit(enrolment, course, right_answers)
    assert RIGHT in review(client, first)


def test_only_after_a_pass_keeps_them_hidden_after_the_last_failed_attempt(client, learner, course):
    set_rule(course, show_answers="pass", max_attempts=1)
    enrolment = enrolment_create(user=learner, course=course)
    attempt = submit(enrolment, course, wrong_answers)
    client.force_login(learner)
    html = review(client, attempt)
    assert RIGHT not in html and "når du har bestått." in html


def test_never_keeps_them_hidden_and_the_quiz_page_says_so(client, learner, course):
    set_rule(course, show_answers="never", max_attempts=2)
    enrolment = enrolment_create(user=learner, course=course)
    client.force_login(learner)
    page = client.get(reverse("learners:quiz", args=[course.pk])).content.decode()
    assert "De riktige svarene vises ikke." in page
    attempt = enrolment.attempts.get()
    quiz_attempt_submit(enrolment=enrolment, attempt_id=attempt.pk, answers=wrong_answers(attempt))
    submit(enrolment, course, wrong_answers)
    assert RIGHT not in review(client, attempt)


def test_the_quiz_page_promises_what_the_default_rule_does(client, learner, course):
    set_rule(course)
    enrolment_create(user=learner, course=course)
    client.force_login(learner)
    page = client.get(reverse("learners:quiz", args=[course.pk])).content.decode()
    assert "når du har bestått eller ikke har flere forsøk igjen" in page
    assert "Du ser riktige svar og tilbakemeldinger etter at du har sendt inn" not in page


def test_a_wrong_multiple_answer_shows_each_options_part_and_the_back_link_names_the_module(
    client, learner, course
):
    module = next(
        m for m in course.modules if any(q["kind"] == "multiple" for q in m.quiz_snapshot())
    )
    set_rule(module, max_attempts=1)
    enrolment = enrolment_create(user=learner, course=course)
    attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=module)
    answers = right_answers(attempt)
    question = next(q for q in attempt.snapshot if q["kind"] == "multiple")
    right = [c for c in question["choices"] if c["correct"]]
    wrong = [c for c in question["choices"] if not c["correct"]]
    answers[question["id"]] = [right[0]["id"], wrong[0]["id"]]  # one right, one wrong, rest missed
    quiz_attempt_submit(enrolment=enrolment, attempt_id=attempt.pk, answers=answers)
    client.force_login(learner)
    html = review(client, attempt)
    assert html.count("Du valgte dette, og det er riktig.") == 1
    assert html.count("Du valgte dette, men det er feil.") == 1
    assert html.count("Dette er også riktig, men du valgte det ikke.") == len(right) - 1
    assert f"Tilbake til modulen «{module.title}»" in html
    assert "Tilbake til siden" not in html


def test_a_hidden_review_of_a_multiple_answer_does_not_give_away_the_missed_options(
    client, learner, course
):
    module = next(
        m for m in course.modules if any(q["kind"] == "multiple" for q in m.quiz_snapshot())
    )
    set_rule(module, max_attempts=3)
    enrolment = enrolment_create(user=learner, course=course)
    attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=module)
    answers = wrong_answers(attempt)  # not passed: the right answers stay hidden
    question = next(q for q in attempt.snapshot if q["kind"] == "multiple")
    answers[question["id"]] = [next(c["id"] for c in question["choices"] if c["correct"])]
    quiz_attempt_submit(enrolment=enrolment, attempt_id=attempt.pk, answers=answers)
    client.force_login(learner)
    html = review(client, attempt)
    assert "men du valgte det ikke" not in html
    assert "Minst ett av valgene dine var feil, eller et riktig svar manglet." in html
