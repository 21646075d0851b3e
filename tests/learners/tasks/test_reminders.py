"""A real Celery worker, through Redis and on PostgreSQL, sends a due-date reminder e-mail."""

import datetime as dt

import pytest
from django.utils import timezone

from config.celery import app
from courses.models import LearningPath
from learners.models import SentReminder
from learners.services.assignments import assignment_create
from learners.tasks import hr_reminders_send
from tests.factories import MunicipalityFactory
from tests.learners.hr_support import person, unit
from tests.worker import celery_worker, require_broker_and_server_database, wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_a_due_date_reminder_e_mail_once(tmp_path):
    require_broker_and_server_database()
    kommune = MunicipalityFactory(name="Fjordvik")
    annen = MunicipalityFactory(name="Annenvik")
    hr = person(kommune, None, name="Hanne HR", is_hr=True)
    kari = person(kommune, unit(kommune, "Team"), name="Kari Nordmann", email="kari@fjordvik.no")
    person(annen, unit(annen, "Team"), name="Ola Annen", email="ola@annenvik.no")
    # A path without courses keeps this test free of Wagtail pages (flushed between
    # transactional tests); reminders do not depend on the courses.
    path = LearningPath.objects.create(slug="lop-worker", title="Ledergrunnlag")
    assignment_create(
        municipality=kommune, actor=hr, target="people", learning_path=path, people=[kari],
        due_date=timezone.localdate() + dt.timedelta(days=3),
    )  # fmt: skip
    app.conf.task_always_eager = False
    try:
        with celery_worker(
            extra_env={
                "DJANGO_SETTINGS_MODULE": "tests.learners.hr_worker_settings",
                "ENDRA_TEST_EMAIL_DIR": str(tmp_path),
            }
        ) as (queue, _process):
            hr_reminders_send.apply_async(queue=queue)
            wait_for(lambda: list(tmp_path.glob("*.log")), timeout=60)
            hr_reminders_send.apply_async(queue=queue)  # a second run sends nothing more
            wait_for(lambda: SentReminder.objects.exists(), timeout=30)
    finally:
        app.conf.task_always_eager = True
    sent = "".join(path.read_text() for path in tmp_path.glob("*.log"))
    assert sent.count("Subject: ") >= 1
    assert "To: kari@fjordvik.no" in sent and "ola@annenvik.no" not in sent
    assert "=?utf-8?" in sent or "Påminnelse" in sent
    assert SentReminder.objects.filter(assignment_person__user=kari, kind="due_soon").count() == 1
