import pytest

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
    try:
        with celery_worker() as (queue, _process):
            result = municipalities_refresh.apply_async(queue=queue)
            wait_for(
                lambda: Municipality.objects.filter(number="4601", name="Bergen").exists(),
                timeout=60,
            )
            assert result.id
    finally:
        app.conf.task_always_eager = True
    assert Municipality.objects.get(number="4601").name == "Bergen"
