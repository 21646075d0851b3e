"""The audit-log writer. A leaf: every service imports it, it imports only models."""

from typing import Any

from learners.models import AuditAction, AuditLog, Municipality, User


def audit_log_write(
    *,
    action: AuditAction,
    actor: User | None = None,
    municipality: Municipality | None = None,
    target: Any = None,
    data: dict | None = None,
) -> AuditLog:
    """Append one audit-log row (scoped to `municipality` when given). `action` must be one of
    AuditAction: an unknown code raises ValueError, so every row has a display text."""
    return AuditLog.objects.create(
        action=AuditAction(action).value,
        actor=actor if actor is not None and actor.is_authenticated else None,
        municipality=municipality,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or ""),
        data=data or {},
    )
