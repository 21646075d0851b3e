"""The audit-log writer. A leaf: every service imports it, it imports only models (and the
prepared-statement helper)."""

from typing import Any

from django.utils import timezone

from learners.lib.prepared import PreparedInsert
from learners.models import AuditAction, AuditLog, Municipality, User

_insert = PreparedInsert(
    AuditLog, "municipality", "actor", "action", "target_type", "target_id", "data", "created_at"
)


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
    as one prepared INSERT (every SCIM request and provisioned person writes rows)."""
    entry = AuditLog(
        action=AuditAction(action).value,
        actor=actor if actor is not None and actor.is_authenticated else None,
        municipality=municipality,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or ""),
        data=data or {},
        created_at=timezone.now(),
    )
    entry.pk = _insert.insert(
        municipality=entry.municipality_id,
        actor=entry.actor_id,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        data=entry.data,
        created_at=entry.created_at,
    )
    entry._state.adding = False
    return entry
