"""Certificates on the real stack: concurrent issuing on PostgreSQL, and the PDF rendered by a
real Celery worker through Redis."""

import re
import threading

import pytest
from django.db import connection, connections

from config.celery import app
from learners import openbadges as ob
from learners.models import Certificate
from learners.services import certificates as svc
from learners.tasks import certificate_pdf_render_task
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
def test_a_real_worker_renders_the_pdf_through_redis(
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
    app.conf.task_always_eager = False
    try:
        env = {
            "MEDIA_ROOT": str(media),
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "ENDRA_SIGNING_KEY": signing_key,
        }
        with celery_worker(extra_env=env) as (queue, _process):
            certificate_pdf_render_task.apply_async(args=[certificate.pk], queue=queue)
            name = wait_for(
                lambda: (
                    Certificate.objects.filter(pk=certificate.pk)
                    .values_list("pdf", flat=True)
                    .first()
                ),
                timeout=90,
            )
    finally:
        app.conf.task_always_eager = True
    assert re.fullmatch(r"certificates/[0-9a-f]{32}\.pdf", name) and certificate.code not in name
    assert (settings.PRIVATE_MEDIA_ROOT / name).read_bytes().startswith(b"%PDF")
