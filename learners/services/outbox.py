"""The transactional outbox: background tasks survive a broker that is down.

`outbox_enqueue(task, **kwargs)` writes an OutboxMessage in the caller's transaction, so the
task is recorded exactly when the change that calls for it commits. After the commit it is
handed to the broker at once, best effort: a quick reachability probe and no publish retries,
so a request never waits more than about a second on a dead broker and never fails because of
it. Whatever could not be published stays in the table; `outbox_relay()` (a beat task every
minute and `manage.py outbox_relay`) publishes it once the broker is back. A message may be
published twice (a crash between publishing and marking it sent): every task is idempotent.

In eager mode (no broker: `make run`, tests) "publishing" runs the task in this process right
after the commit, as `.delay()` did before; the slow tasks named in
OUTBOX_IN_PROCESS_BACKGROUND (the certificate PDF) run on one background thread of the
process instead, so the request that called for them answers at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from learners.models import OutboxMessage

logger = logging.getLogger(__name__)

PROBE_TIMEOUT = 0.5  # seconds to wait for a TCP connection to the broker
BACKOFF_SECONDS = 15  # after a failure, requests leave publishing to the relay this long
RELAY_BATCH = 500
_DEFAULT_PORTS = {"redis": 6379, "rediss": 6380, "amqp": 5672, "amqps": 5671}
_broker_down_until = 0.0


def _task_name(task) -> str:
    return task if isinstance(task, str) else task.name


def _task(name: str):
    from celery import current_app

    try:
        return current_app.tasks[name]
    except KeyError:  # not registered yet in this process: our task names are import paths
        return import_string(name)


def outbox_enqueue(task, /, *, dedup_key: str | None = None, **kwargs) -> OutboxMessage | None:
    """Record `task` (a Celery task or its registered name) with keyword arguments (ids only)
    in the current transaction and publish it after the commit. With `dedup_key`, a second
    enqueue with the same key is ignored (returns None)."""
    name = _task_name(task)
    if dedup_key is not None and OutboxMessage.objects.filter(dedup_key=dedup_key).exists():
        return None
    if dedup_key is None:
        # Nothing unique to clash on: no savepoint needed around the insert.
        message = OutboxMessage.objects.create(task_name=name, kwargs=kwargs)
    else:
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(
                    task_name=name, kwargs=kwargs, dedup_key=dedup_key
                )
        except IntegrityError:
            return None  # a concurrent enqueue with the same key won
    transaction.on_commit(partial(_publish_after_commit, message.pk, name), robust=True)
    return message


_background_lock = threading.Lock()
_background: ThreadPoolExecutor | None = None


def background_executor() -> ThreadPoolExecutor:
    """The one background thread that runs OUTBOX_IN_PROCESS_BACKGROUND tasks without a
    broker (one at a time: a dev server has little to spare)."""
    global _background
    with _background_lock:
        if _background is None:
            _background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="endra-outbox")
        return _background


def _run_in_background(message_id: int) -> None:
    try:
        _run_eagerly([message_id], limit=1)
    except Exception:  # noqa: BLE001 - the message stays unsent; the relay runs it again
        logger.exception("Outbox message %s failed in the background", message_id)
    finally:
        connections.close_all()  # this thread's connections only


def _eager() -> bool:
    from celery import current_app

    return bool(current_app.conf.task_always_eager)


def _broker_reachable() -> bool:
    """A quick TCP probe: the Redis client retries a refused connection for seconds, so we
    do not let it try when nothing listens."""
    from celery import current_app

    url = urlsplit(str(current_app.conf.broker_url or settings.CELERY_BROKER_URL or ""))
    port = url.port or _DEFAULT_PORTS.get(url.scheme)
    if not url.hostname or port is None:
        return True  # a transport we cannot probe (memory://, sockets): just try
    try:
        with socket.create_connection((url.hostname, port), timeout=PROBE_TIMEOUT):
            return True
    except OSError:
        return False


def _publish_after_commit(message_id: int, name: str = "") -> None:
    """Best effort, right after the commit; never raises into the request."""
    global _broker_down_until
    if _eager() and name in settings.OUTBOX_IN_PROCESS_BACKGROUND:
        background_executor().submit(_run_in_background, message_id)
        return
    if not _eager() and time.monotonic() < _broker_down_until:
        return  # the broker just failed: the relay will publish it
    try:
        published = _publish_ids([message_id])
    except Exception:  # noqa: BLE001 - the relay retries; the request must not fail
        logger.warning("Outbox message %s not published yet", message_id, exc_info=True)
        published = 0
    if not published and not _eager():
        _broker_down_until = time.monotonic() + BACKOFF_SECONDS


def _unsent():
    rows = OutboxMessage.objects.filter(sent_at__isnull=True).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        return rows.select_for_update(skip_locked=True)
    return rows


def _mark_failed(message: OutboxMessage, exc: BaseException) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=message.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
    )


def _publish_ids(ids: list[int] | None, *, limit: int = RELAY_BATCH) -> int:
    """Publish unsent messages (these ids, or the oldest `limit`); returns how many went.
    Stops at the first broker failure and leaves the rest for the next run."""
    if _eager():
        return _run_eagerly(ids, limit=limit)
    if not _broker_reachable():
        return 0
    sent = 0
    with transaction.atomic():
        rows = _unsent()
        rows = rows.filter(pk__in=ids) if ids is not None else rows[:limit]
        for message in rows:  # locked: the relay and the after-commit publish never overlap
            try:
                _task(message.task_name).apply_async(kwargs=message.kwargs, retry=False)
            except Exception as exc:  # noqa: BLE001 - broker trouble: keep it for later
                logger.warning("Outbox: could not publish %s: %s", message.task_name, exc)
                _mark_failed(message, exc)
                break
            OutboxMessage.objects.filter(pk=message.pk).update(
                sent_at=timezone.now(), attempts=message.attempts + 1, last_error=""
            )
            sent += 1
    return sent


def _run_eagerly(ids: list[int] | None, *, limit: int) -> int:
    """No broker: run each task here (outside any row lock, so its own on_commit work runs)."""
    rows = OutboxMessage.objects.filter(sent_at__isnull=True).order_by("pk")
    rows = rows.filter(pk__in=ids) if ids is not None else rows[:limit]
    done = 0
    for message in list(rows):
        claimed = OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
            sent_at=timezone.now(), attempts=message.attempts + 1
        )
        if not claimed:
            continue
        try:
            _task(message.task_name).apply(kwargs=message.kwargs, throw=True)
        except Exception as exc:  # noqa: BLE001 - recorded; the relay runs it again
            logger.exception("Outbox: task %s failed", message.task_name)
            OutboxMessage.objects.filter(pk=message.pk).update(
                sent_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
            )
            continue
        done += 1
    return done


def outbox_relay(*, limit: int = RELAY_BATCH) -> int:
    """Publish messages left unsent (the broker was down); returns how many went. Safe to run
    from several processes at once (rows are locked and skipped on PostgreSQL)."""
    global _broker_down_until
    total = 0
    while True:
        sent = _publish_ids(None, limit=limit)
        total += sent
        if sent < limit:
            break
    if total:
        _broker_down_until = 0.0  # the broker is back: requests publish directly again
    return total


def outbox_purge_sent(*, days: int = 7) -> int:
    """Delete messages handed to the broker more than `days` ago."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return deleted


def certificate_issue_enqueue(*, enrolment_id: int, completed_at: dt.datetime) -> None:
    """Queue the certificate for one course completion, once however often it is asked
    (by the completion itself, in its transaction, and by the course_completed receiver)."""
    stamp = completed_at.astimezone(dt.UTC).isoformat()
    outbox_enqueue(
        "learners.tasks.certificate_issue_task",
        enrolment_id=enrolment_id,
        dedup_key=f"certificate_issue:{enrolment_id}:{stamp}",
    )
