"""Faults: with the broker down, learners still complete courses quickly and every
task is kept in the transactional outbox until the broker is back."""

import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from wagtail.models import Page, Site

from config.celery import app
from learners import openbadges as ob
from learners.models import Certificate, Enrolment, OutboxMessage, QuizAttempt
from learners.services import certificates as certificate_services
from learners.services import outbox
from learners.services.learning import enrolment_complete_if_done
from learners.signals import course_completed
from tests.factories import CoursePageFactory, EnrolmentFactory
from tests.learners.test_integrity import setup_course  # noqa: F401 - a fixture
from tests.learners.views.test_learning import post_answers, right_answers
from tests.worker import (
    celery_worker,
    free_port,
    point_celery_at,
    redis_server,
    require_redis_server,
    wait_for,
)

CERTIFICATE_TASK = "learners.tasks.certificate_issue_task"


@pytest.fixture
def signing_key(settings, tmp_path):
    settings.ENDRA_SIGNING_KEY = ob.private_key_to_multibase(ob.generate_private_key())
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.ENDRA_SIGNING_KEY


@pytest.fixture
def dead_broker(settings):
    """Non-eager publishing to a port where nothing listens; restored afterwards."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    original = app.conf.broker_url
    settings.CELERY_BROKER_URL = url
    point_celery_at(url, eager=False)
    outbox._broker_down_until = 0.0
    yield url
    point_celery_at(original, eager=True)
    outbox._broker_down_until = 0.0


# --- The outbox itself (any database) -------------------------------------------------------


@pytest.mark.django_db
def test_eager_mode_runs_the_task_after_commit_and_marks_it_sent(
    learner, bergen, signing_key, django_capture_on_commit_callbacks
):
    enrolment = EnrolmentFactory(user=learner, municipality=bergen, course=CoursePageFactory())
    with django_capture_on_commit_callbacks(execute=True):
        outbox.outbox_enqueue(CERTIFICATE_TASK, enrolment_id=enrolment.pk)
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.pdf.name  # the PDF went through the outbox as well
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert set(OutboxMessage.objects.values_list("task_name", flat=True)) == {
        CERTIFICATE_TASK,
        certificate_services.PDF_TASK,
    }


@pytest.mark.django_db
def test_completion_queues_one_certificate_however_often_it_is_announced(
    learner, bergen, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(outbox, "_publish_after_commit", lambda message_id, name="": None)
    course = CoursePageFactory()
    enrolment = EnrolmentFactory(
        user=learner, municipality=bergen, course=course, status="active", completed_at=None
    )
    monkeypatch.setattr("courses.grading.course_is_complete", lambda **kwargs: True)
    with django_capture_on_commit_callbacks(execute=True):
        assert enrolment_complete_if_done(enrolment_id=enrolment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        course_completed.send(sender=Enrolment, enrolment_id=enrolment.pk)
    messages = OutboxMessage.objects.filter(task_name=CERTIFICATE_TASK)
    assert [m.kwargs for m in messages] == [{"enrolment_id": enrolment.pk}]


@pytest.mark.django_db
def test_a_dead_broker_costs_a_request_no_time_and_the_relay_publishes_later(
    dead_broker, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            outbox.outbox_enqueue("learners.tasks.municipalities_refresh")
    assert time.monotonic() - started < 2
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 5
    assert outbox.outbox_relay() == 0  # still down: nothing lost, nothing raised
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 5
    app.conf.task_always_eager = True  # "the broker is back" (in process)
    call_command("outbox_relay", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


# --- The real stack: PostgreSQL, a Redis of our own, a real worker --------------------------


def require_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("The real worker shares the test database, which needs PostgreSQL.")
    require_redis_server()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_a_learner_completes_a_course_and_gets_the_certificate_later(
    setup_course,  # noqa: F811
    signing_key,
    settings,
    tmp_path,
):
    require_postgresql()
    course, user = setup_course
    root = Page.get_first_root_node()  # our catalog hangs under the root: serve it
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "testserver", "root_page": root}
    )
    Site.clear_site_root_paths_cache()
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    original = app.conf.broker_url
    settings.CELERY_BROKER_URL = url
    outbox._broker_down_until = 0.0
    try:
        with redis_server(port):
            point_celery_at(url, eager=False)
        # Redis is stopped now. The learner goes through the course with the real views.
        client = Client()
        client.force_login(user)
        steps = [lambda: client.post(reverse("learners:enrol", args=[course.pk]))]
        steps += [
            (lambda m=m: client.post(reverse("learners:module_done", args=[m.pk])))
            for m in course.modules
        ]
        for step in steps:
            response, seconds = timed(step)
            assert response.status_code == 302 and seconds < 2
        response, seconds = timed(lambda: client.get(reverse("learners:quiz", args=[course.pk])))
        assert response.status_code == 200 and seconds < 2
        attempt = QuizAttempt.objects.get(enrolment__user=user, quiz_page_id=course.pk)
        data = post_answers(right_answers(attempt), attempt)
        response, seconds = timed(
            lambda: client.post(reverse("learners:quiz", args=[course.pk]), data)
        )
        assert response.status_code == 302 and seconds < 2
        enrolment = Enrolment.objects.get(user=user, course_id=course.pk)
        assert enrolment.completed_at is not None
        assert not Certificate.objects.exists()
        waiting = OutboxMessage.objects.filter(sent_at__isnull=True)
        assert list(waiting.values_list("task_name", "kwargs")) == [
            (CERTIFICATE_TASK, {"enrolment_id": enrolment.pk})
        ]

        # Redis comes back on the same port; a worker starts; the relay publishes.
        with redis_server(port):
            env = {
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
                "ENDRA_SIGNING_KEY": signing_key,
            }
            with celery_worker(broker_url=url, queue="celery", extra_env=env):
                call_command("outbox_relay", stdout=(tmp_path / "relay.txt").open("w"))
                assert not waiting.exists()
                name = wait_for(
                    lambda: (
                        Certificate.objects.filter(enrolment=enrolment)
                        .exclude(pdf="")
                        .values_list("pdf", flat=True)
                        .first()
                    ),
                    timeout=45,
                )
    finally:
        point_celery_at(original, eager=True)
        outbox._broker_down_until = 0.0
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.code not in name
    assert (settings.PRIVATE_MEDIA_ROOT / name).read_bytes().startswith(b"%PDF")
