"""Opening a quiz starts an attempt: a fixed number of queries whatever the learner did
before or how many others took the quiz, and nothing on the page tells the right answers."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import CoursePage
from learners.models import QuizAttempt
from learners.services.learning import enrolment_create
from learners.services.quiz import quiz_attempt_start, quiz_attempt_submit
from tests.factories import MembershipFactory
from tests.learners.views.test_learning import LEAN, wrong_answers

# Session, user, quiz page, its course, enrolment, the learner's attempts at this quiz, the
# insert (in a savepoint: two more here, inside the test's transaction), Wagtail's site and
# the footer's site links.
QUIZ_START_QUERIES = 11


@pytest.fixture
def course(demo):
    return CoursePage.objects.get(slug=LEAN)


def _start(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert "Send inn svarene" in response.text
    return response, [query["sql"] for query in queries.captured_queries]


def _learner(bergen, course):
    user = MembershipFactory(municipality=bergen).user
    return user, enrolment_create(user=user, course=course)


def test_a_quiz_start_costs_the_same_queries_for_a_first_and_a_third_attempt(
    client, bergen, course
):
    url = reverse("learners:quiz", args=[course.pk])
    first, _enrolment = _learner(bergen, course)
    client.force_login(first)
    client.get("/min-laering/")  # warm caches (site root, content types)
    _response, fresh = _start(client, url)

    seasoned, enrolment = _learner(bergen, course)
    for _ in range(2):  # two failed attempts before
        attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=course)
        quiz_attempt_submit(
            enrolment=enrolment, attempt_id=attempt.pk, answers=wrong_answers(attempt)
        )
    for _ in range(5):  # and others who took it
        _user, other = _learner(bergen, course)
        quiz_attempt_start(enrolment=other, quiz_page=course)
    client.force_login(seasoned)
    client.get("/min-laering/")
    response, again = _start(client, url)
    assert len(fresh) == len(again) == QUIZ_START_QUERIES, "\n".join(again)
    assert "Forsøk 3." in response.text
    assert QuizAttempt.objects.filter(enrolment=enrolment, status="started").count() == 1


def test_opening_the_quiz_again_shows_the_same_open_attempt(client, bergen, course):
    user, enrolment = _learner(bergen, course)
    client.force_login(user)
    url = reverse("learners:quiz", args=[course.pk])
    first, _count = _start(client, url)
    second, _count = _start(client, url)
    attempt = QuizAttempt.objects.get(enrolment=enrolment)
    assert f'name="attempt" value="{attempt.pk}"' in first.text
    assert f'name="attempt" value="{attempt.pk}"' in second.text


def test_the_quiz_page_holds_ids_and_texts_but_never_the_right_answers(client, bergen, course):
    user, enrolment = _learner(bergen, course)
    client.force_login(user)
    response, _count = _start(client, reverse("learners:quiz", args=[course.pk]))
    attempt = QuizAttempt.objects.get(enrolment=enrolment)
    html = response.text
    assert "correct" not in html.lower() and "riktig svar" not in html.lower()
    for question in attempt.snapshot:
        if question["kind"] == "ordering":
            continue
        shown = re.findall(rf'name="q-{question["id"]}" value="([^"]+)"', html)
        # Every choice is offered, in the attempt's stored order, right or not alike.
        assert shown == attempt.order["choices"][question["id"]]
        kind = "checkbox" if question["kind"] == "multiple" else "radio"
        assert html.count(f'type="{kind}" name="q-{question["id"]}"') == len(shown)
