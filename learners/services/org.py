"""Writes for the organisation: the municipality list and each municipality's unit tree."""

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction

from learners.models import Municipality, OrgUnit, User

MUNICIPALITIES_CSV = Path(__file__).resolve().parent.parent / "data" / "municipalities.csv"


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


def user_language_update(*, user: User, language: str) -> User:
    """Save the language `user` picked; "" goes back to their municipality's written standard."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language: {language}")
    user.language = language
    user.save(update_fields=["language"])
    return user
