"""Writes for learners, one module per area. Import from the area module, e.g.
`from learners.services.learning import enrolment_create`."""

from .org import (
    audit_log_write,
    membership_create,
    municipalities_load,
    org_unit_create,
    org_unit_ensure_path,
)

__all__ = [
    "audit_log_write",
    "membership_create",
    "municipalities_load",
    "org_unit_create",
    "org_unit_ensure_path",
]
