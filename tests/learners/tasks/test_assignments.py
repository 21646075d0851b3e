"""A real Celery worker, through Redis and on PostgreSQL, gives an assignment HR made on the page
to a unit of a few hundred people in batches, while HR's page follows its progress to the end;
the same task delivered again adds nobody twice."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from wagtail.models import Locale, Page

from config.celery import app
from learners.models import AssignmentJob, AssignmentPerson, AuditLog, Enrolment
from learners.services import outbox
from learners.tasks import assignment_job_task
from tests.factories import MunicipalityFactory
from tests.learners.hr_support import course_make, people_in, person, totp_for, unit
from tests.worker import (
    celery_worker,
    free_port,
    point_celery_at,
    redis_server,
    require_redis_server,
    wait_for,
)

PEOPLE, BATCH = 300, 50


def _course():
    # Transactional tests start from empty tables (an earlier one may have flushed them).
    if Page.get_first_root_node() is None:
        locale, _created = Locale.objects.get_or_create(language_code="nb")
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    return course_make("Kurs for hele etaten")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_assigns_a_unit_in_batches_while_hr_follows_the_progress(settings):
    if connection.vendor != "postgresql":
        pytest.skip("The real-worker tests share the test database, which needs PostgreSQL.")
    require_redis_server()
    kommune = MunicipalityFactory(name="Fjordvik")
    hr = person(kommune, None, name="Hanne HR", is_hr=True)
    totp_for(hr)
    etat = unit(kommune, "Helse og omsorg")
    people_in(kommune, etat, PEOPLE)
    course = _course()
    settings.ASSIGNMENT_BATCH_SIZE = BATCH
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    original = app.conf.broker_url
    settings.CELERY_BROKER_URL = url
    outbox._broker_down_until = 0.0
    client = Client()
    client.force_login(hr)
    form = {"item": f"c{course.pk}", "target": "unit", "org_unit": etat.pk,
            "include_subunits": "on", "due_days": "30"}  # fmt: skip
    try:
        with redis_server(port):
            point_celery_at(url, eager=False)
            with celery_worker(broker_url=url, queue="celery"):
                response = client.post(reverse("hr:assignments"), form)
                assert response.status_code == 302
                job = AssignmentJob.objects.get(assignment__org_unit=etat)
                progress = reverse("hr:assignment_progress", args=[job.assignment_id])
                seen: set[int] = set()

                def finished() -> bool:
                    fragment = client.get(progress).content.decode()
                    seen.add(AssignmentJob.objects.get(pk=job.pk).done)
                    return 'data-job-state="done"' in fragment

                # The worker may still be starting: on a loaded machine that took over 3 minutes.
                wait_for(finished, timeout=600, interval=0.05)
                fragment = client.get(progress).content.decode()
                assert f"Tildelt {PEOPLE} personer" in fragment
                job.refresh_from_db()
                assert (job.done, job.added, job.batches) == (PEOPLE, PEOPLE, PEOPLE // BATCH)
                assert seen <= {n * BATCH for n in range(PEOPLE // BATCH + 1)}, seen
                counts = _counts(job)
                assert counts == (PEOPLE, PEOPLE, PEOPLE)

                # The same task delivered again (a worker lost after the last batch): nobody
                # is added twice.
                AssignmentJob.objects.filter(pk=job.pk).update(
                    state=AssignmentJob.State.QUEUED, done=0, added=0, batches=0
                )
                assignment_job_task.apply_async(kwargs={"job_id": job.pk})
                wait_for(
                    lambda: AssignmentJob.objects.filter(
                        pk=job.pk, state=AssignmentJob.State.DONE
                    ).exists(),
                    timeout=120,
                )
                job.refresh_from_db()
                assert (job.done, job.added) == (PEOPLE, 0)
                assert _counts(job) == counts
    finally:
        point_celery_at(original, eager=True)
        outbox._broker_down_until = 0.0


def _counts(job) -> tuple[int, int, int]:
    return (
        AssignmentPerson.objects.filter(assignment=job.assignment).count(),
        Enrolment.objects.filter(course_id=job.assignment.course_id).count(),
        AuditLog.objects.filter(
            action="enrolment.create", data__course_id=job.assignment.course_id
        ).count(),
    )
