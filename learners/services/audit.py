"""The audit-log writer. A leaf: every service imports it, it imports only models (and the
prepared-statement helper)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from learners.lib.prepared import PreparedInsert
from learners.models import AuditAction, AuditLog, Municipality, User

_insert = PreparedInsert(
    AuditLog, "municipality", "actor", "action", "target_type", "target_id", "data", "created_at"
)
# The open batch, if any: the savepoint depth it was opened at and its rows.
_batch: ContextVar[tuple[int, list[AuditLog]] | None] = ContextVar("audit_batch", default=None)


def _savepoints() -> int:
    # Django notes a block without a savepoint of its own (savepoint=False) as None.
    return sum(1 for sid in connection.savepoint_ids if sid is not None)


@contextmanager
def audit_log_batch() -> Iterator[None]:
    """Within, inside a transaction: the audit rows written at this level of it are inserted
    together, in one statement, as the block ends (unless the transaction is to be rolled
    back); rows written inside a savepoint opened within the block are written at once, so a
    savepoint rolled back takes its rows with it. An exception drops the batch: the
    transaction around it is rolled back."""
    if not connection.in_atomic_block:
        raise RuntimeError("An audit batch belongs inside a transaction.")
    rows: list[AuditLog] = []
    token = _batch.set((_savepoints(), rows))
    try:
        yield
    finally:
        _batch.reset(token)
    if rows and not transaction.get_rollback():
        AuditLog.objects.bulk_create(rows)


def audit_log_write(
    *,
    action: AuditAction,
    actor: User | None = None,
    municipality: Municipality | None = None,
    target: Any = None,
    data: dict | None = None,
) -> AuditLog:
    """Append one audit-log row (scoped to `municipality` when given). `action` must be one of
    AuditAction: an unknown code raises ValueError, so every row has a display text. Written
    as one prepared INSERT (every SCIM request and provisioned person writes rows), or with
    the rows of an `audit_log_batch` (the entry then has its id once the batch is written)."""
    entry = AuditLog(
        action=AuditAction(action).value,
        actor=actor if actor is not None and actor.is_authenticated else None,
        municipality=municipality,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or ""),
        data=data or {},
        created_at=timezone.now(),
    )
    batch = _batch.get()
    if batch is not None and batch[0] == _savepoints():
        batch[1].append(entry)
        return entry
    _insert.insert(entry)
    return entry
