"""The audit-log writer. A leaf: every service imports it, it imports only models."""

from typing import Any

from learners.models import AuditLog, Municipality, User


def audit_log_write(
    *,
    action: str,
    actor: User | None = None,
    municipality: Municipality | None = None,
    target: Any = None,
    data: dict | None = None,
) -> AuditLog:
    """Append one audit-log row (scoped to `municipality` when given)."""
    return AuditLog.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        municipality=municipality,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or ""),
        data=data or {},
    )
