"""Reads of the audit log, scoped to one municipality, and the sentence HR reads for each row.

Names (courses, units, people) are looked up when the log is shown, not copied into the row:
an erased person then shows as erased in the log too."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from learners.models import (
    HR_VISIBLE_ACTIONS,
    Assignment,
    AssignmentPerson,
    AuditAction,
    AuditLog,
    Municipality,
    OrgUnit,
    User,
)
from learners.models.ownership import ROLE_CHOICES


def hr_log(*, municipality: Municipality) -> QuerySet[AuditLog]:
    """The entries of `municipality` that the HR log shows, newest first."""
    return (
        AuditLog.objects.filter(action__in=HR_VISIBLE_ACTIONS, municipality=municipality)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class LogLine:
    """One row of the HR log as HR reads it."""

    entry: AuditLog
    text: str


@dataclass
class _Names:
    """What the sentences of one page of the log refer to, fetched in a few queries."""

    assignments: dict[int, Assignment] = field(default_factory=dict)
    assigned: dict[int, AssignmentPerson] = field(default_factory=dict)
    units: dict[int, OrgUnit] = field(default_factory=dict)
    people: dict[int, User] = field(default_factory=dict)

    def item(self, assignment: Assignment | None) -> str:
        if assignment is not None and assignment.learning_path is not None:
            return _("the learning path «%(title)s»") % {"title": assignment.learning_path.title}
        if assignment is not None and assignment.course is not None:
            return _("the course «%(title)s»") % {"title": assignment.course.title}
        return _("an assignment that no longer exists")

    def person(self, user_id) -> str:
        user = self.people.get(_int(user_id))
        return str(user) if user is not None else _("a person who no longer exists")

    def unit(self, unit_id) -> str:
        unit = self.units.get(_int(unit_id))
        return unit.name if unit is not None else _("a unit that no longer exists")


def _int(value) -> int:
    """An id from a row's target or data; 0 (no row has it) when missing."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _names(entries: list[AuditLog]) -> _Names:
    assignment_ids, assigned_ids, unit_ids, user_ids = set(), set(), set(), set()
    for entry in entries:
        if entry.target_type == "Assignment":
            assignment_ids.add(_int(entry.target_id))
        elif entry.target_type == "AssignmentPerson":
            assigned_ids.add(_int(entry.target_id))
        unit_ids.add(_int(entry.data.get("org_unit_id")))
        user_ids.add(_int(entry.data.get("user_id")))
    names = _Names()
    names.assigned = AssignmentPerson.objects.in_bulk(assigned_ids - {0})
    assignment_ids |= {assigned.assignment_id for assigned in names.assigned.values()}
    user_ids |= {assigned.user_id for assigned in names.assigned.values()}
    names.assignments = Assignment.objects.select_related(
        "learning_path", "course", "org_unit"
    ).in_bulk(assignment_ids - {0})
    unit_ids |= {a.org_unit_id for a in names.assignments.values() if a.org_unit_id}
    names.units = OrgUnit.objects.in_bulk(unit_ids - {0})
    names.people = User.objects.in_bulk(user_ids - {0})
    return names


def _assignment_create(entry: AuditLog, names: _Names) -> str:
    assignment = names.assignments.get(_int(entry.target_id))
    item = names.item(assignment)
    target = assignment.target if assignment is not None else entry.data.get("target")
    if target == Assignment.Target.UNIT:
        unit = names.unit(assignment.org_unit_id if assignment else entry.data.get("org_unit_id"))
        return _("Assigned %(item)s to the unit %(unit)s") % {"item": item, "unit": unit}
    if target == Assignment.Target.ROLE:
        role = dict(ROLE_CHOICES).get(entry.data.get("role", ""), entry.data.get("role", ""))
        return _("Assigned %(item)s to everyone with the role %(role)s") % {
            "item": item,
            "role": role,
        }
    count = int(entry.data.get("people") or 0)
    return ngettext(
        "Assigned %(item)s to %(count)s person",
        "Assigned %(item)s to %(count)s people",
        count,
    ) % {"item": item, "count": count}


def _assignment_end(entry: AuditLog, names: _Names) -> str:
    item = names.item(names.assignments.get(_int(entry.target_id)))
    return _("Ended the assignment of %(item)s") % {"item": item}


def _assignment_person_remove(entry: AuditLog, names: _Names) -> str:
    return _("Removed %(person)s from the assignment of %(item)s") % {
        "person": names.person(entry.data.get("user_id")),
        "item": names.item(names.assignments.get(_int(entry.target_id))),
    }


def _assignment_join(entry: AuditLog, names: _Names) -> str:
    count = len(entry.data.get("assignments") or [])
    return ngettext(
        "%(person)s was added to %(count)s assignment",
        "%(person)s was added to %(count)s assignments",
        count,
    ) % {"person": names.person(entry.data.get("user_id")), "count": count}


def _assigned(entry: AuditLog, names: _Names) -> tuple[str, str]:
    """The person and the item of an entry about one assigned person."""
    assigned = names.assigned.get(_int(entry.target_id))
    if assigned is None:
        return names.person(entry.data.get("user_id")), names.item(None)
    return names.person(assigned.user_id), names.item(names.assignments.get(assigned.assignment_id))


def _assignment_complete(entry: AuditLog, names: _Names) -> str:
    person, item = _assigned(entry, names)
    return _("%(person)s completed %(item)s") % {"person": person, "item": item}


def _assignment_reopen(entry: AuditLog, names: _Names) -> str:
    person, item = _assigned(entry, names)
    return _("Reopened %(item)s for %(person)s, due %(date)s") % {
        "item": item,
        "person": person,
        "date": _date(entry.data.get("due_date")),
    }


def _date(iso: str | None) -> str:
    try:
        return date_format(dt.date.fromisoformat(iso or ""), "SHORT_DATE_FORMAT")
    except ValueError:
        return iso or ""


def _employees_import(entry: AuditLog, names: _Names) -> str:
    keys = ("create", "change", "unchanged", "reject")
    counts = {key: int(entry.data.get(key) or 0) for key in keys}
    return (
        _(
            "Imported employees: %(create)s new, %(change)s changed, %(unchanged)s unchanged, "
            "%(reject)s rejected"
        )
        % counts
    )


def _report_name(report: str) -> str:
    names = {"oversikt": _("Overview"), "personer": _("People"), "change": _("Change in practice")}
    return names.get(report, report)


def _report_export(entry: AuditLog, names: _Names) -> str:
    return _("Exported the report «%(report)s» as %(format)s") % {
        "report": _report_name(entry.data.get("report", "")),
        "format": str(entry.data.get("format", "")).upper(),
    }


def _certificate_revoke(entry: AuditLog, names: _Names) -> str:
    return _("Revoked the certificate %(code)s: %(reason)s") % {
        "code": entry.data.get("code", ""),
        "reason": entry.data.get("reason", ""),
    }


def _settings_update(entry: AuditLog, names: _Names) -> str:
    return _("Changed the municipality's settings")


def _unit_manager_create(entry: AuditLog, names: _Names) -> str:
    return _("Made %(person)s manager of the unit %(unit)s") % {
        "person": names.person(entry.data.get("user_id")),
        "unit": names.unit(entry.data.get("org_unit_id")),
    }


SENTENCES: dict[str, Callable[[AuditLog, _Names], str]] = {
    AuditAction.ASSIGNMENT_CREATE: _assignment_create,
    AuditAction.ASSIGNMENT_END: _assignment_end,
    AuditAction.ASSIGNMENT_PERSON_REMOVE: _assignment_person_remove,
    AuditAction.ASSIGNMENT_JOIN: _assignment_join,
    AuditAction.ASSIGNMENT_COMPLETE: _assignment_complete,
    AuditAction.ASSIGNMENT_REOPEN: _assignment_reopen,
    AuditAction.EMPLOYEES_IMPORT: _employees_import,
    AuditAction.REPORT_EXPORT: _report_export,
    AuditAction.CERTIFICATE_REVOKE: _certificate_revoke,
    AuditAction.SETTINGS_UPDATE: _settings_update,
    AuditAction.UNIT_MANAGER_CREATE: _unit_manager_create,
}


def log_lines(entries: Iterable[AuditLog]) -> list[LogLine]:
    """Each entry with the sentence HR reads; an action without a sentence shows its label."""
    entries = list(entries)
    names = _names(entries)
    lines = []
    for entry in entries:
        sentence = SENTENCES.get(entry.action)
        text = sentence(entry, names) if sentence else entry.action_label
        lines.append(LogLine(entry=entry, text=text))
    return lines
