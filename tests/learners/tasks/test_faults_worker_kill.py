"""Faults: a worker killed with SIGKILL while rendering 100 certificate PDFs loses
nothing and duplicates nothing once a new worker runs (acks_late + reject_on_worker_lost,
idempotent tasks, and the Redis visibility timeout handing unacknowledged tasks on)."""

import os
import signal
from collections import Counter

import pytest
from django.conf import settings as django_settings
from django.db import connection

from config.celery import app
from learners import openbadges as ob
from learners.models import Certificate, OutboxMessage
from learners.services import certificates as svc
from learners.services import outbox
from tests.factories import (
    CoursePageFactory,
    EnrolmentFactory,
    MembershipFactory,
    MunicipalityFactory,
)
from tests.worker import (
    celery_worker,
    free_port,
    point_celery_at,
    redis_server,
    require_redis_server,
    wait_for,
)

COUNT = 100


def test_the_broker_settings_redeliver_what_a_dead_worker_held():
    assert django_settings.CELERY_TASK_ACKS_LATE is True
    assert django_settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert django_settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    timeout = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timeout > django_settings.CELERY_TASK_TIME_LIMIT


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_rendering_leaves_each_certificate_once_with_one_pdf(
    settings, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("The real worker shares the test database, which needs PostgreSQL.")
    require_redis_server()
    settings.ENDRA_SIGNING_KEY = ob.private_key_to_multibase(ob.generate_private_key())
    settings.MEDIA_ROOT = media = tmp_path / "media"
    municipality = MunicipalityFactory(number="4601", name="Bergen")
    course = CoursePageFactory()
    enrolments = [
        EnrolmentFactory(
            user=MembershipFactory(municipality=municipality).user,
            municipality=municipality,
            course=course,
        )
        for _ in range(COUNT)
    ]
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    original = app.conf.broker_url
    settings.CELERY_BROKER_URL = url
    outbox._broker_down_until = 0.0
    env = {
        "MEDIA_ROOT": str(media),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "ENDRA_SIGNING_KEY": settings.ENDRA_SIGNING_KEY,
        # Hand unacknowledged tasks on after 8 s, looking every second.
        "CELERY_VISIBILITY_TIMEOUT": "8",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        # The worker may die while it holds the restore lock: let the lock expire in time.
        "CELERY_UNACKED_MUTEX_EXPIRE": "5",
    }
    with_pdf = Certificate.objects.exclude(pdf="")
    try:
        with redis_server(port):
            point_celery_at(url, eager=False)
            # Issue 100 certificates: each queues its PDF through the outbox into Redis.
            for enrolment in enrolments:
                svc.certificate_issue(enrolment=enrolment)
            assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == COUNT
            assert not with_pdf.exists()

            with celery_worker(
                broker_url=url, queue="celery", concurrency=4, extra_env=env,
                own_process_group=True,
            ) as (_queue, first):  # fmt: skip
                wait_for(lambda: with_pdf.count() >= 10, timeout=45, interval=0.05)
                os.killpg(first.pid, signal.SIGKILL)  # the worker and its children, mid-task
                first.wait(timeout=10)
            done_when_killed = with_pdf.count()
            assert done_when_killed < COUNT

            with celery_worker(broker_url=url, queue="celery", concurrency=4, extra_env=env):
                # A bound, not a wait: the new worker boots, takes over what the dead one held
                # once the visibility timeout has passed, and renders the rest (over a minute
                # on a busy machine, a few seconds on an idle one).
                wait_for(lambda: with_pdf.count() == COUNT, timeout=240, interval=0.2)
    finally:
        point_celery_at(original, eager=True)

    certificates = list(Certificate.objects.all())
    assert len(certificates) == COUNT
    assert len({c.code for c in certificates}) == COUNT
    assert Counter(c.enrolment_id for c in certificates) == Counter(e.pk for e in enrolments)
    private = settings.PRIVATE_MEDIA_ROOT
    files = sorted(f"certificates/{p.name}" for p in (private / "certificates").iterdir())
    assert files == sorted(c.pdf.name for c in certificates)
    assert all(c.code not in c.pdf.name for c in certificates)
    assert all((private / c.pdf.name).read_bytes().startswith(b"%PDF") for c in certificates)
