"""The Celery app. Tasks live in each app's tasks.py and are found by autodiscovery."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("endra")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_connections(sender=None, task=None, **extra) -> None:
    """Around each task on a worker, what Django does around each request: close database
    connections that failed or are older than CONN_MAX_AGE (CELERY_DB_REUSE_MAX keeps
    Celery from closing every one). Not in a task run eagerly: that is the caller's own
    connection, perhaps inside its transaction."""
    if task is None or task.request.is_eager:
        return
    from django.db import close_old_connections as close

    close()


@worker_process_init.connect
def check_kept_connections(**extra) -> None:
    """A worker process keeps its database connection between tasks, so check it before a
    task uses it (one `SELECT 1` for each task): a database restart or failover while the
    worker waited then costs a reconnect, not a failed task."""
    from django.db import connections

    for alias in connections:
        connections[alias].settings_dict["CONN_HEALTH_CHECKS"] = True
