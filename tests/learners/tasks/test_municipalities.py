import pytest
from django.db import connection

from config.celery import app
from learners.models import Municipality
from learners.tasks import municipalities_refresh
from tests.worker import celery_worker, require_broker_and_server_database, wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_through_redis_and_writes_to_the_database():
    require_broker_and_server_database()
    # Renamed rather than deleted: the seeded demo's audit rows protect Bergen from deletion.
    Municipality.objects.filter(number="4601").update(name="Bergen (old name)")
    app.conf.task_always_eager = False

    def restored():
        return Municipality.objects.filter(number="4601", name="Bergen").exists()

    try:
        # Persistent connections, as deployed: the worker keeps its session between tasks.
        with celery_worker(extra_env={"CONN_MAX_AGE": "60"}) as (queue, _process):
            result = municipalities_refresh.apply_async(queue=queue)
            wait_for(restored, timeout=120)
            assert result.id
            # The database drops the worker's session while it waits (a restart, a failover):
            # the next task checks the kept connection, reconnects and does its work.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                assert cursor.fetchall(), "the worker kept no session open"
            Municipality.objects.filter(number="4601").update(name="Bergen (old name)")
            # As its last retry (retries=max_retries), so a failed try is not retried away.
            municipalities_refresh.apply_async(queue=queue, retries=5)
            wait_for(restored, timeout=120)
    finally:
        app.conf.task_always_eager = True
    assert Municipality.objects.get(number="4601").name == "Bergen"
