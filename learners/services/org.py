"""Writes for learners: each is one transaction and leaves an audit-log row."""

import csv
from pathlib import Path
from typing import Any

from django.db import transaction

from learners.models import AuditLog, Membership, Municipality, OrgUnit, User

MUNICIPALITIES_CSV = Path(__file__).resolve().parent.parent / "data" / "municipalities.csv"


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


def municipalities_load(*, path: Path = MUNICIPALITIES_CSV) -> int:
    """Create or update every municipality in the official list; returns how many were read."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    existing = {m.number: m for m in Municipality.objects.all()}
    with transaction.atomic():
        for row in rows:
            values = {
                "name": row["name"],
                "county_number": row["county_number"],
                "county_name": row["county_name"],
            }
            current = existing.get(row["number"])
            if current is None:
                Municipality.objects.create(number=row["number"], **values)
            elif any(getattr(current, key) != value for key, value in values.items()):
                Municipality.objects.filter(pk=current.pk).update(**values)
    return len(rows)


def org_unit_create(
    *, municipality: Municipality, name: str, parent: OrgUnit | None = None
) -> OrgUnit:
    """Create a unit under `parent` (or at the top) in `municipality`; returns an existing
    unit of the same name at the same place instead of a duplicate."""
    name = name.strip()
    if not name:
        raise ValueError("A unit needs a name.")
    if parent is not None and parent.municipality_id != municipality.pk:
        raise ValueError("The parent unit belongs to another municipality.")
    siblings = parent.get_children() if parent else OrgUnit.get_root_nodes()
    found = siblings.filter(municipality=municipality, name=name).first()
    if found:
        return found
    if parent is None:
        return OrgUnit.add_root(municipality=municipality, name=name)
    return parent.add_child(municipality=municipality, name=name)


def org_unit_ensure_path(*, municipality: Municipality, names: list[str]) -> OrgUnit:
    """Return the unit at `names` (top first) in `municipality`, creating what is missing."""
    unit: OrgUnit | None = None
    for name in names:
        unit = org_unit_create(municipality=municipality, name=name, parent=unit)
    if unit is None:
        raise ValueError("A unit path needs at least one name.")
    return unit


@transaction.atomic
def membership_create(
    *,
    user: User,
    municipality: Municipality,
    org_unit: OrgUnit | None = None,
    is_hr: bool = False,
    actor: User | None = None,
) -> Membership:
    """Make `user` a member of `municipality` (idempotent), in `org_unit` if given."""
    if org_unit is not None and org_unit.municipality_id != municipality.pk:
        raise ValueError("The unit belongs to another municipality.")
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
        # reach them (HR, issue 6). Imported here: hr builds on this module.
        from learners.services.hr import assignments_apply_to_membership

        assignments_apply_to_membership(membership=membership)
    audit_log_write(
        action="membership.create" if created else "membership.update",
        actor=actor,
        municipality=municipality,
        target=membership,
        data={"user_id": user.pk, "org_unit_id": org_unit.pk if org_unit else None},
    )
    return membership
