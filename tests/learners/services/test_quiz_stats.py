"""Item analysis for editors: computed in the background from the attempts' snapshots, shown
in the Wagtail admin with a fixed number of queries, never below five learners."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import CoursePage
from learners.models import QuizStatistics
from learners.services.learning import enrolment_create
from learners.services.quiz import quiz_attempt_start, quiz_attempt_submit
from learners.services.quiz_stats import quiz_statistics_refresh
from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory
from tests.learners.hr_support import totp_for
from tests.learners.views.test_learning import LEAN, right_answers, wrong_answers


@pytest.fixture
def course(demo):
    page = CoursePage.objects.get(slug=LEAN)
    page.max_attempts, page.wait_minutes = 0, 0
    page.save_revision().publish()
    return page


@pytest.fixture
def editor(demo):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    totp_for(user)
    return user


def learners_take(course, bergen, count, *, start=0):
    unit = OrgUnitFactory(municipality=bergen, name=f"Enhet {start}")
    for n in range(count):
        user = MembershipFactory(municipality=bergen, org_unit=unit).user
        enrolment = enrolment_create(user=user, course=course)
        attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=course)
        answers = wrong_answers if (start + n) % 2 else right_answers
        quiz_attempt_submit(enrolment=enrolment, attempt_id=attempt.pk, answers=answers(attempt))
        if answers is wrong_answers:
            retry = quiz_attempt_start(enrolment=enrolment, quiz_page=course)
            quiz_attempt_submit(
                enrolment=enrolment, attempt_id=retry.pk, answers=right_answers(retry)
            )


def url(course, which=""):
    return f"/admin/quiz-statistikk/{course.pk}/" + (f"?forsok={which}" if which else "")


def test_statistics_are_computed_in_the_background_and_shown_without_names(
    client, course, bergen, editor
):
    learners_take(course, bergen, 6)
    assert quiz_statistics_refresh() == 1
    assert quiz_statistics_refresh() == 0  # nothing new since
    first = QuizStatistics.objects.get(quiz_page_id=course.pk, first_only=True)
    every = QuizStatistics.objects.get(quiz_page_id=course.pk, first_only=False)
    assert first.attempts_counted == 6 and every.attempts_counted == 9
    question = first.data["questions"][0]
    assert question["facility"] == pytest.approx(0.5)  # three of six right the first time
    client.force_login(editor)
    html = client.get(url(course)).content.decode()
    assert "Quiz-statistikk" in html and question["text"] in html
    assert "Nordmann" not in html and "@kommune.example" not in html
    # All attempts: six of nine right (the three retries passed); the second attempt had
    # only three learners, so its row is withheld.
    every_html = client.get(url(course, "alle")).content.decode()
    assert "67 %" in every_html and "Færre enn 5 deltakere" in every_html


def test_the_page_takes_the_same_number_of_queries_however_many_attempts(
    client, course, bergen, editor
):
    client.force_login(editor)
    learners_take(course, bergen, 5)
    quiz_statistics_refresh()
    client.get(url(course))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(course)).status_code == 200
    learners_take(course, bergen, 8, start=5)
    quiz_statistics_refresh()
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(course)).status_code == 200
    assert len(many) == len(few)


def test_fewer_than_five_learners_give_no_breakdown(client, course, bergen, editor):
    learners_take(course, bergen, 4)
    quiz_statistics_refresh()
    stats = QuizStatistics.objects.get(quiz_page_id=course.pk, first_only=False)
    assert stats.data["withheld"] and stats.data["questions"] == []
    client.force_login(editor)
    html = client.get(url(course)).content.decode()
    assert "Færre enn 5" in html


def test_learners_and_editors_without_the_page_get_nothing(client, course, learner):
    client.force_login(learner)
    response = client.get(url(course))
    assert response.status_code in (302, 403, 404)
    assert "quiz" not in response.content.decode().lower()


def test_the_refresh_is_on_the_beat_schedule_and_runs_as_a_task(course, bergen):
    from django.conf import settings

    from learners.tasks import quiz_statistics_refresh as task

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "learners.tasks.quiz_statistics_refresh" in tasks
    learners_take(course, bergen, 5)
    assert task.apply().get() == 1
    assert QuizStatistics.objects.filter(quiz_page_id=course.pk).count() == 2
