"""Employee import from CSV for one municipality: a dry run that explains every row, then the
same plan carried out. Importing the same file twice changes nothing the second time."""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from learners.models import AuditAction, Municipality, OrgUnit, UnitManager, User
from learners.services.audit import audit_log_write
from learners.services.org import org_unit_ensure_path
from learners.services.outbox import outbox_enqueue
from learners.services.ownership import (
    Outcome,
    Person,
    people_plan,
    person_bring_into_municipality,
)
from learners.validators import contains_identity_number

ROLES = {"deltaker": "learner", "hr": "hr", "leder": "manager"}
COLUMNS = ("navn", "e-post", "enhet", "rolle")
UNIT_SEPARATOR = re.compile(r"\s*(?:>|/)\s*")
MAX_ROWS = 5000


@dataclass
class RowResult:
    """What the import does, or would do, with one line of the file."""

    line: int
    email: str
    name: str
    unit: str
    role: str
    action: str = ""  # "create", "change", "unchanged" or "reject"
    reasons: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    rows: list[RowResult]
    file_errors: list[str] = field(default_factory=list)
    invited: list[int] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


def _read(text: str) -> tuple[list[dict], list[str]]:
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return [], [_("Missing column: %(columns)s") % {"columns": ", ".join(missing)}]
    reader.fieldnames = header
    rows = list(reader)
    if len(rows) > MAX_ROWS:
        return [], [_("The file has more than %(max)s rows.") % {"max": MAX_ROWS}]
    return rows, []


def _unit_names(value: str) -> list[str]:
    return [name for name in UNIT_SEPARATOR.split(value.strip()) if name]


def _unit_index(municipality: Municipality) -> dict[tuple[str, ...], OrgUnit]:
    """Every unit of the municipality by its name path, in one query (paths sort parents
    first)."""
    by_path: dict[str, tuple[str, ...]] = {}
    index = {}
    for unit in OrgUnit.objects.filter(municipality=municipality).order_by("path"):
        names = by_path.get(unit.path[: -OrgUnit.steplen], ()) + (unit.name.lower(),)
        by_path[unit.path] = names
        index[names] = unit
    return index


def _split_name(name: str) -> tuple[str, str]:
    first, _sep, last = name.strip().rpartition(" ")
    return (first, last) if first else (last, "")


def employee_import(
    *,
    municipality: Municipality,
    text: str,
    actor: User | None,
    create_units: bool = False,
    dry_run: bool = True,
) -> ImportResult:
    """Plan (dry run) or carry out the import of `text` into `municipality`. Rows are judged
    one by one; a rejected row never stops the others."""
    raw_rows, errors = _read(text)
    if errors:
        return ImportResult(rows=[], file_errors=errors)
    units = _unit_index(municipality)
    plan = [_judge(line, row, units, create_units) for line, row in enumerate(raw_rows, start=2)]
    _reject_duplicates(plan)
    _judge_people(plan, municipality)
    result = ImportResult(rows=[r for r, _data in plan])
    if not dry_run:
        with transaction.atomic():
            for row, data in plan:
                if row.action in {"create", "change"}:
                    _apply(row, data, municipality=municipality, actor=actor, result=result)
            audit_log_write(
                action=AuditAction.EMPLOYEES_IMPORT,
                actor=actor,
                municipality=municipality,
                data={
                    key: result.count(key) for key in ("create", "change", "unchanged", "reject")
                },
            )
            _invitations_queue(list(result.invited), municipality.pk)  # outbox: same transaction
    return result


def _judge(line, row, units, create_units):
    name = (row.get("navn") or "").strip()
    email = (row.get("e-post") or "").strip().lower()
    unit_text = (row.get("enhet") or "").strip()
    role_text = (row.get("rolle") or "").strip().lower()
    manager_email = (row.get("leder-e-post") or "").strip().lower()
    result = RowResult(line=line, email=email, name=name, unit=unit_text, role=role_text)
    data: dict = {"names": _unit_names(unit_text), "manager_email": manager_email}
    try:
        validate_email(email)
    except ValidationError:
        result.reasons.append(_("Invalid e-mail address"))
    if not name:
        result.reasons.append(_("Name missing"))
    elif contains_identity_number(name):
        result.reasons.append(_("The name contains a national identity number"))
    if role_text not in ROLES:
        result.reasons.append(
            _("Unknown role «%(role)s» (use deltaker, hr or leder)") % {"role": role_text}
        )
    if manager_email:
        try:
            validate_email(manager_email)
        except ValidationError:
            result.reasons.append(_("Invalid e-mail address for the manager"))
    key = tuple(n.lower() for n in data["names"])
    unit = units.get(key) if key else None
    if not key:
        result.reasons.append(_("Unit missing"))
    elif unit is None and not create_units:
        result.reasons.append(_("Unknown unit «%(unit)s»") % {"unit": unit_text})
    if result.reasons:
        result.action = "reject"
        return result, data
    data.update(unit=unit, role=ROLES[role_text])
    return result, data


def _judge_people(plan, municipality: Municipality) -> None:
    """Judge the valid rows by the ownership rule, all at once: a new e-mail and one with an
    account elsewhere read the same ("Ny person")."""
    valid = [(row, data) for row, data in plan if row.action != "reject"]
    people = [
        Person(row.email, *_split_name(row.name), org_unit=data["unit"], role=data["role"])
        for row, data in valid
    ]
    for (row, data), judged in zip(
        valid, people_plan(municipality=municipality, people=people), strict=True
    ):
        row.changes = list(judged.changes)
        if (
            data["unit"] is None
            and judged.outcome != Outcome.INVITED
            and "Enhet" not in row.changes
        ):
            row.changes.append("Enhet")  # the unit is created by this import
        if judged.outcome == Outcome.INVITED:
            row.action = "create"
        else:
            row.action = "change" if row.changes else "unchanged"


def _reject_duplicates(plan) -> None:
    seen: dict[str, int] = {}
    for row, _data in plan:
        if not row.email:
            continue
        if row.email in seen:
            row.action = "reject"
            row.reasons.append(_("Same e-mail as line %(line)s") % {"line": seen[row.email]})
            row.changes = []
        else:
            seen[row.email] = row.line


def _apply(row: RowResult, data: dict, *, municipality, actor, result: ImportResult) -> None:
    unit = data["unit"] or org_unit_ensure_path(municipality=municipality, names=data["names"])
    first, last = _split_name(row.name)
    done = person_bring_into_municipality(
        municipality=municipality, email=row.email, first_name=first, last_name=last,
        org_unit=unit, role=data["role"], actor=actor, source="import",
    )  # fmt: skip
    if done.created_user is not None:
        result.invited.append(done.created_user.pk)
    manager_email = data["manager_email"]
    if manager_email:
        manager = User.objects.filter(
            email=manager_email, memberships__municipality=municipality
        ).first()
        if manager is not None:
            UnitManager.objects.get_or_create(
                user=manager, org_unit=unit, defaults={"municipality": municipality}
            )


def _invitations_queue(user_ids: list[int], municipality_id: int) -> None:
    for user_id in user_ids:
        outbox_enqueue(
            "learners.tasks.hr_invitation_send", user_id=user_id, municipality_id=municipality_id
        )
