"""Certificates on the real stack: concurrent issuing on PostgreSQL, and the PDF rendered by a
real Celery worker through Redis."""

import re
import threading

import pytest
from django.db import connection, connections

from config.celery import app
from learners import openbadges as ob
from learners.models import Certificate, OutboxMessage
from learners.services import certificates as svc
from learners.tasks import certificate_issue_task, certificate_pdf_render_task
from tests.factories import (
    CoursePageFactory,
    EnrolmentFactory,
    MembershipFactory,
    MunicipalityFactory,
)
from tests.worker import celery_worker, require_broker_and_server_database, wait_for


@pytest.fixture
def municipality(db):
    # Transactional tests flush the table the migration filled, so make our own.
    return MunicipalityFactory(number="4601", name="Bergen")


@pytest.fixture
def learner(municipality):
    return MembershipFactory(municipality=municipality).user


@pytest.fixture
def signing_key(settings):
    settings.ENDRA_SIGNING_KEY = ob.private_key_to_multibase(ob.generate_private_key())
    return settings.ENDRA_SIGNING_KEY


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_issues_for_one_completion_make_one_certificate(
    learner, municipality, signing_key
):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL (SQLite serialises them anyway).")
    enrolment = EnrolmentFactory(
        user=learner, municipality=municipality, course=CoursePageFactory()
    )
    barrier = threading.Barrier(10)
    results, errors = [], []

    def issue():
        try:
            barrier.wait()
            results.append(svc.certificate_issue(enrolment=enrolment).pk)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == 10
    assert len(set(results)) == 1
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_pdf_through_redis_and_issues_with_the_pdf_in_one_task(
    learner, municipality, signing_key, tmp_path, settings
):
    require_broker_and_server_database()
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    enrolment = EnrolmentFactory(
        user=learner, municipality=municipality, course=CoursePageFactory()
    )
    certificate = svc.certificate_issue(enrolment=enrolment)
    # Issuing rendered the PDF eagerly in this process; remove it so the worker must render it.
    certificate.refresh_from_db()
    certificate.pdf.storage.delete(certificate.pdf.name)
    Certificate.objects.filter(pk=certificate.pk).update(pdf="")
    # A second completion, issued by the worker from the start.
    other = EnrolmentFactory(
        user=MembershipFactory(municipality=municipality).user,
        municipality=municipality,
        course=CoursePageFactory(),
    )
    app.conf.task_always_eager = False
    try:
        env = {
            "MEDIA_ROOT": str(media),
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "ENDRA_SIGNING_KEY": signing_key,
            "CONN_MAX_AGE": "60",  # persistent connections, as deployed
        }

        def stored(**lookup):
            return Certificate.objects.filter(**lookup).values_list("pdf", flat=True).first()

        with celery_worker(extra_env=env) as (queue, _process):
            certificate_pdf_render_task.apply_async(args=[certificate.pk], queue=queue)
            name = wait_for(lambda: stored(pk=certificate.pk), timeout=90)
            after_first = _other_sessions()
            certificate_issue_task.apply_async(args=[other.pk], queue=queue)
            issued_name = wait_for(lambda: stored(enrolment=other), timeout=90)
            after_second = _other_sessions()
    finally:
        app.conf.task_always_eager = True
    assert re.fullmatch(r"certificates/[0-9a-f]{32}\.pdf", name) and certificate.code not in name
    assert (settings.PRIVATE_MEDIA_ROOT / name).read_bytes().startswith(b"%PDF")
    # The issuing task rendered the PDF itself: no second task was queued for it.
    issued = Certificate.objects.get(enrolment=other)
    assert (settings.PRIVATE_MEDIA_ROOT / issued_name).read_bytes().startswith(b"%PDF")
    assert not OutboxMessage.objects.filter(
        task_name=svc.PDF_TASK, kwargs={"certificate_id": issued.pk}
    ).exists()
    # The worker kept its database session from one task to the next (Celery's default is a
    # new connection for every task).
    assert after_first and set(after_second) & set(after_first), (after_first, after_second)


def _other_sessions() -> list[int]:
    """The server processes of the other sessions on the test database that stored a
    certificate's PDF last (the worker's, with nothing else running here)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND query LIKE 'UPDATE %%learners_certificate%%'"
        )
        return [pid for (pid,) in cursor.fetchall()]
