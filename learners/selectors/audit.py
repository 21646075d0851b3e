"""Reads of the audit log, scoped to one municipality."""

from django.db.models import Q, QuerySet

from learners.models import AuditLog, Municipality

# What the HR log shows: HR's own actions and what follows from them, not every learner click.
HR_ACTIONS = (
    "assignment.",
    "employees.",
    "report.",
    "certificate.revoke",
    "settings.",
    "unit_manager.",
    # Provisioning: the token's life and what the identity system removed; the request rows
    # (one per SCIM call) stay in the full log.
    "scim.token_",
    "scim.person_",
    "scim.group_",
)


def hr_log(*, municipality: Municipality) -> QuerySet[AuditLog]:
    """The entries of `municipality` that the HR log shows, newest first."""
    hr_actions = Q()
    for prefix in HR_ACTIONS:
        hr_actions |= Q(action__startswith=prefix)
    return (
        AuditLog.objects.filter(hr_actions, municipality=municipality)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
