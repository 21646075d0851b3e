"""Membership: a person joins a municipality (and a unit in it), and the assignments that
reach them there are applied."""

from django.db import transaction

from learners.models import AuditAction, Membership, Municipality, OrgUnit, User

from .assignments import assignments_apply_to_membership
from .audit import audit_log_write
from .rollups import rollup_refresh


def membership_create(
    *,
    user: User,
    municipality: Municipality,
    org_unit: OrgUnit | None = None,
    is_hr: bool = False,
    actor: User | None = None,
    new_account: bool = False,
) -> Membership:
    """Make `user` a member of `municipality` (idempotent), in `org_unit` if given.
    `new_account`: the account was created in this transaction, so it has no membership and
    manages no unit yet (a provisioning run of thousands skips those look-ups)."""
    if org_unit is not None and org_unit.municipality_id != municipality.pk:
        raise ValueError("The unit belongs to another municipality.")
    # No savepoint of its own: any error here ends the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        return _membership_write(user, municipality, org_unit, is_hr, actor, new_account)


def _membership_write(user, municipality, org_unit, is_hr, actor, new_account) -> Membership:
    if new_account:
        membership = Membership.objects.create(
            user=user, municipality=municipality, org_unit=org_unit, is_hr=is_hr
        )
        created = True
    else:
        membership, created = Membership.objects.get_or_create(
            user=user,
            municipality=municipality,
            defaults={"org_unit": org_unit, "is_hr": is_hr},
        )
    changed = False
    if not created:
        if org_unit is not None and membership.org_unit_id != org_unit.pk:
            membership.org_unit = org_unit
            changed = True
        if is_hr and not membership.is_hr:
            membership.is_hr = True
            changed = True
        if changed:
            membership.save(update_fields=["org_unit", "is_hr"])
    if created or changed:
        # New members, and members who move, get the unit and role assignments that now
        # reach them.
        assignments_apply_to_membership(
            membership=membership, is_manager=False if new_account else None
        )
        if not new_account:
            # Counted in their new unit (or again, once back). A new account has no rows to
            # recount: the assignments that reached it just now counted it as they added it.
            rollup_refresh(user_ids=[user.pk])
    audit_log_write(
        action=AuditAction.MEMBERSHIP_CREATE if created else AuditAction.MEMBERSHIP_UPDATE,
        actor=actor,
        municipality=municipality,
        target=membership,
        data={"user_id": user.pk, "org_unit_id": org_unit.pk if org_unit else None},
    )
    return membership
