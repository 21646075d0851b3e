"""Integrity under concurrency: proven on PostgreSQL, where requests really run in parallel."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from courses.models import CatalogPage
from courses.services import course_import
from learners.models import Enrolment, QuizAttempt
from learners.services.learning import enrolment_create, module_complete
from learners.services.quiz import quiz_attempt_start
from tests.factories import MembershipFactory, MunicipalityFactory
from tests.learners.views.test_learning import post_answers, right_answers

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_COURSE = {
    "slug": "liten",
    "title": "Et lite kurs",
    "summary": "For testing.",
    "modules": [
        {"key": "en", "title": "Modul en", "body": []},
        {"key": "to", "title": "Modul to", "body": []},
    ],
    "final_quiz": {
        "pass_mark": 50,
        "max_attempts": 3,
        "questions": [
            {
                "key": "q1",
                "type": "single",
                "text": "Hva er riktig?",
                "choices": [
                    {"key": "a", "text": "Dette", "correct": True},
                    {"key": "b", "text": "Ikke dette", "correct": False},
                ],
            }
        ],
    },
}


def require_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrency is proven on PostgreSQL (SQLite serialises all writes).")


@pytest.fixture
def setup_course():
    from wagtail.models import Locale, Page

    # Transactional tests start from empty tables (an earlier one may have flushed them).
    root = Page.get_first_root_node()
    if root is None:
        locale, _created = Locale.objects.get_or_create(language_code="nb")
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    catalog = CatalogPage(title="Kurs", slug="kurs")
    root.add_child(instance=catalog)
    course, _created = course_import(catalog=catalog, data=SMALL_COURSE)
    municipality = MunicipalityFactory(number="4601", name="Bergen")
    user = MembershipFactory(municipality=municipality).user
    return course, user


def run_parallel(count, target):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(target())
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_twenty_identical_concurrent_submissions_give_one_graded_attempt(setup_course):
    require_postgresql()
    course, user = setup_course
    enrolment = enrolment_create(user=user, course=course)
    attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=course)
    data = post_answers(right_answers(attempt), attempt)
    client = Client()
    client.force_login(user)
    cookies = client.cookies
    url = reverse("learners:quiz", args=[course.pk])

    def submit():
        c = Client()
        c.cookies = cookies
        return c.post(url, data).status_code

    statuses, errors = run_parallel(20, submit)
    assert errors == []
    assert statuses == [302] * 20
    attempts = QuizAttempt.objects.filter(enrolment=enrolment)
    assert attempts.count() == 1
    assert attempts.get().status == "submitted" and attempts.get().passed is True


def test_concurrent_completion_of_the_last_module_records_one_completion(setup_course):
    require_postgresql()
    course, user = setup_course
    course.quiz = []
    course.save_revision().publish()
    enrolment = enrolment_create(user=user, course=course)
    first, last = course.modules
    module_complete(enrolment=enrolment, module=first)
    completions, errors = run_parallel(
        2, lambda: module_complete(enrolment=Enrolment.objects.get(pk=enrolment.pk), module=last)
    )
    assert errors == []
    assert sorted(completions) == [False, True]
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None and enrolment.progress.count() == 2
    from learners.models import AuditLog

    assert AuditLog.objects.filter(action="enrolment.complete").count() == 1


def test_concurrent_quiz_starts_from_two_tabs_share_one_open_attempt(setup_course):
    require_postgresql()
    course, user = setup_course
    enrolment = enrolment_create(user=user, course=course)
    results, errors = run_parallel(
        5, lambda: quiz_attempt_start(enrolment=enrolment, quiz_page=course).pk
    )
    assert errors == [] and len(set(results)) == 1


def test_a_quiz_start_never_waits_for_another_learners_start(setup_course):
    """Starts take no lock that another learner's start needs: one learner's start held
    open in an unfinished transaction does not hold up the next learner's."""
    require_postgresql()
    from django.db import transaction

    course, user = setup_course
    other = MembershipFactory(municipality=user.memberships.get().municipality).user
    first, second = (enrolment_create(user=u, course=course) for u in (user, other))
    started, second_done = threading.Event(), threading.Event()
    state: dict = {}

    def hold_open():
        try:
            with transaction.atomic():
                quiz_attempt_start(enrolment=Enrolment.objects.get(pk=first.pk), quiz_page=course)
                started.set()
                # Stays open until the other start is through (bounded, never a sleep).
                state["other_finished_while_open"] = second_done.wait(timeout=60)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_open)
    holder.start()
    assert started.wait(timeout=60)
    try:
        attempt = quiz_attempt_start(
            enrolment=Enrolment.objects.get(pk=second.pk), quiz_page=course
        )
    finally:
        second_done.set()
        holder.join(timeout=90)
    assert attempt.status == "started"
    assert state["other_finished_while_open"] is True
    assert QuizAttempt.objects.filter(quiz_page_id=course.pk).count() == 2
