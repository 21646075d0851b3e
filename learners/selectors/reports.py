"""HR reports: assignment status per path/course, rolled up per org unit, and per person.

Each person reached by an open assignment is in exactly one status, so the numbers always add
up: completed, expiring soon (completed, validity ends within EXPIRING_SOON_DAYS), overdue
(not completed, due date passed), in progress (started, not overdue), not started.

The dashboard reads the roll-up (learners.models.rollups, kept current by
learners.services.rollups): a few rows per sub-unit, whatever the number of people. The grouped
count over every assigned person (`dashboard_recount`) stays as the reference the roll-up is
tested against, and answers what the roll-up cannot (a due-date filter, another day)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Substr
from django.utils import timezone
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage, LearningPath, LearningPathCourse
from learners.models import (
    WHOLE_MUNICIPALITY,
    AssignmentPerson,
    Enrolment,
    Membership,
    OrgUnit,
    ProgressRollup,
    ScormAttempt,
)
from learners.permissions import HRScope

EXPIRING_SOON_DAYS = 30
STATUSES = {
    "completed": _("Completed"),
    "expiring_soon": _("Expiring soon"),
    "in_progress": _("In progress"),
    "not_started": _("Not started"),
    "overdue": _("Overdue"),
}
STEP = OrgUnit.steplen


@dataclass
class Filters:
    """What the HR user narrowed the report to; all optional."""

    unit: OrgUnit | None = None
    item: str = ""  # "p<learning path id>" or "c<course id>"
    status: str = ""
    due_before: dt.date | None = None


def _started() -> Exists:
    # Started: any module done (or a course completed) in one of the assignment's courses.
    path_courses = LearningPathCourse.objects.filter(
        path_id=OuterRef(OuterRef("assignment__learning_path_id"))
    ).values("course_id")
    return Exists(
        Enrolment.objects.filter(user_id=OuterRef("user_id"))
        .filter(Q(course_id=OuterRef("assignment__course_id")) | Q(course_id__in=path_courses))
        .filter(Q(progress__isnull=False) | Q(completed_at__isnull=False))
    )


def _status(today: dt.date) -> Case:
    soon = today + dt.timedelta(days=EXPIRING_SOON_DAYS)
    return Case(
        When(completed_at__isnull=False, expires_on__lte=soon, then=Value("expiring_soon")),
        When(completed_at__isnull=False, then=Value("completed")),
        When(due_date__lt=today, then=Value("overdue")),
        When(_started(), then=Value("in_progress")),
        default=Value("not_started"),
        output_field=CharField(),
    )


def assigned_rows(*, scope: HRScope, filters: Filters, today: dt.date | None = None) -> QuerySet:
    """People reached by open assignments in the scope, annotated with unit path and status."""
    today = today or timezone.localdate()
    membership = Membership.objects.filter(
        user_id=OuterRef("user_id"), municipality_id=scope.municipality.pk
    )
    rows = AssignmentPerson.objects.filter(
        # A person whose membership ended (SCIM active=false) is no longer counted here.
        Exists(membership),
        assignment__municipality_id=scope.municipality.pk,
        assignment__ended_at__isnull=True,
    ).annotate(
        unit_path=Coalesce(
            Subquery(membership.values("org_unit__path")[:1]), Value(""), output_field=CharField()
        ),
        status=_status(today),
    )
    if scope.unit_paths:
        rows = rows.filter(scope.unit_q("unit_path"))
    if filters.unit is not None:
        rows = rows.filter(unit_path__startswith=filters.unit.path)
    if filters.item[:1] == "p" and filters.item[1:].isdigit():
        rows = rows.filter(assignment__learning_path_id=int(filters.item[1:]))
    elif filters.item[:1] == "c" and filters.item[1:].isdigit():
        rows = rows.filter(assignment__course_id=int(filters.item[1:]))
    if filters.status in STATUSES:
        rows = rows.filter(status=filters.status)
    if filters.due_before is not None:
        rows = rows.filter(due_date__lte=filters.due_before)
    return rows


@dataclass
class Counts:
    """Status counts for one group of people; `total` is their sum."""

    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def add(self, other: "Counts") -> None:
        for key, value in other.by_status.items():
            self.by_status[key] += value

    def cells(self) -> list[int]:
        return [self.by_status[key] for key in STATUSES]


@dataclass
class UnitRow:
    """One line of the roll-up: a sub-unit (with everything below it), or the people placed
    directly in the unit being viewed, or people without a unit."""

    label: "str | StrPromise"
    unit: OrgUnit | None
    kind: str  # "unit", "direct" or "none"
    counts: Counts = field(default_factory=Counts)


@dataclass
class ItemReport:
    key: str
    title: str
    rows: list[UnitRow]
    total: Counts


def dashboard_recount(*, scope: HRScope, filters: Filters, today: dt.date | None = None) -> dict:
    """Per path and course, status counts for each sub-unit of the unit viewed (each including
    its descendants), counted from every assigned person. Five queries, whatever the number of
    people, but the grouped query grows with them: the reference for the roll-up."""
    base = filters.unit
    level = base.depth if base is not None else 0
    prefix_len = STEP * (level + 1)
    grouped = (
        assigned_rows(scope=scope, filters=filters, today=today)
        .annotate(prefix=Substr("unit_path", 1, prefix_len))
        .values("assignment__learning_path_id", "assignment__course_id", "prefix", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[str, str], Counts] = {}
    for row in grouped:
        item = (
            f"p{row['assignment__learning_path_id']}"
            if row["assignment__learning_path_id"]
            else f"c{row['assignment__course_id']}"
        )
        counts.setdefault((item, row["prefix"]), Counts()).by_status[row["status"]] += row["n"]
    children = _child_units(scope=scope, base=base)
    titles = _item_titles({item for item, _prefix in counts})
    items = []
    for key, title in sorted(titles.items(), key=lambda pair: pair[1]):
        rows = [
            UnitRow(
                label=unit.name,
                unit=unit,
                kind="unit",
                counts=counts.get((key, unit.path), Counts()),
            )
            for unit in children
        ]
        direct = counts.get((key, base.path if base else ""))
        if direct is not None:
            kind = "direct" if base else "none"
            label = _("Directly in %(unit)s") % {"unit": base.name} if base else _("No unit")
            rows.append(UnitRow(label=label, unit=None, kind=kind, counts=direct))
        total = Counts()
        for (item, _prefix), value in counts.items():
            if item == key:
                total.add(value)
        items.append(ItemReport(key=key, title=title, rows=rows, total=total))
    return {"items": items, "unit": base, "children": children}


def _child_units(*, scope: HRScope, base: OrgUnit | None) -> list[OrgUnit]:
    units = OrgUnit.objects.filter(municipality=scope.municipality)
    if base is None:
        return list(units.filter(depth=1).order_by("path"))
    return list(units.filter(depth=base.depth + 1, path__startswith=base.path).order_by("path"))


def _item_titles(keys: set[str]) -> dict[str, str]:
    path_ids = [int(k[1:]) for k in keys if k.startswith("p")]
    course_ids = [int(k[1:]) for k in keys if k.startswith("c")]
    titles = {
        f"p{pk}": t
        for pk, t in LearningPath.objects.filter(pk__in=path_ids).values_list("pk", "title")
    }
    titles |= {
        f"c{pk}": t
        for pk, t in CoursePage.objects.filter(pk__in=course_ids).values_list("pk", "title")
    }
    return titles


def item_choices(*, scope: HRScope) -> list[tuple[str, str]]:
    """Paths and courses that count people in the scope's municipality (open assignments), for
    the filter; read from the roll-up's whole-municipality rows. Three queries."""
    titles = rollup_item_titles(municipality_id=scope.municipality.pk)
    paths = [(key, title) for key, title in titles.items() if key.startswith("p")]
    return paths + [(key, title) for key, title in titles.items() if key.startswith("c")]


def rollup_item_titles(*, municipality_id: int) -> dict[str, str]:
    """Title per item key ("p<id>", "c<id>") of every item the municipality counts people
    in, in the order of the titles."""
    keys = set(
        ProgressRollup.objects.filter(
            municipality_id=municipality_id, unit_key=WHOLE_MUNICIPALITY, count__gt=0
        ).values_list("item", flat=True)
    )
    return dict(sorted(_item_titles(keys).items(), key=lambda pair: pair[1]))


def counted_rows(
    *,
    today: dt.date,
    user_ids: list[int] | None = None,
    municipality_id: int | None = None,
) -> QuerySet:
    """Everyone HR's numbers count, straight from the rows: each person on an open assignment
    who is a member of its municipality, with the path of their unit there ("" for none) and
    their status on `today`. What the roll-up must hold; for some people or one municipality."""
    membership = Membership.objects.filter(
        user_id=OuterRef("user_id"), municipality_id=OuterRef("assignment__municipality_id")
    )
    rows = AssignmentPerson.objects.filter(Exists(membership), assignment__ended_at__isnull=True)
    if user_ids is not None:
        rows = rows.filter(user_id__in=user_ids)
    if municipality_id is not None:
        rows = rows.filter(assignment__municipality_id=municipality_id)
    return (
        rows.annotate(
            unit_path=Coalesce(
                Subquery(membership.values("org_unit__path")[:1]),
                Value(""),
                output_field=CharField(),
            ),
            status=_status(today),
        )
        .values(
            "id",
            "user_id",
            "assignment__municipality_id",
            "assignment__learning_path_id",
            "assignment__course_id",
            "unit_path",
            "status",
            "due_date",
            "expires_on",
        )
        .order_by()
    )


def item_key(learning_path_id: int | None, course_id: int | None) -> str:
    return f"p{learning_path_id}" if learning_path_id else f"c{course_id}"


def rollup_answers(*, scope: HRScope, filters: Filters, today: dt.date | None) -> bool:
    """Whether the roll-up holds the numbers asked for: it counts by unit, item and status as
    of today; a due-date filter or another day needs the recount."""
    if today is not None and today != timezone.localdate():
        return False
    if filters.due_before is not None:
        return False
    return filters.unit is not None or not scope.unit_paths


def dashboard(
    *,
    scope: HRScope,
    filters: Filters,
    today: dt.date | None = None,
    titles: dict[str, str] | None = None,
) -> dict:
    """Per path and course, status counts for each sub-unit of the unit viewed (each including
    its descendants), read from the roll-up: the rows of the unit and of its children only, so
    the cost follows the number of sub-units, not of people. Four queries (two fewer with
    `titles`, from rollup_item_titles). Falls back to the recount where the roll-up cannot
    answer (rollup_answers); the roll-up is brought up to date by the view beforehand
    (learners.services.rollups.rollup_make_current)."""
    if not rollup_answers(scope=scope, filters=filters, today=today):
        return dashboard_recount(scope=scope, filters=filters, today=today)
    base = filters.unit
    children = _child_units(scope=scope, base=base)
    base_key = base.pk if base is not None else WHOLE_MUNICIPALITY
    rows = ProgressRollup.objects.filter(
        municipality_id=scope.municipality.pk,
        unit_key__in=[base_key, *(unit.pk for unit in children)],
        count__gt=0,
    )
    if filters.item[:1] in ("p", "c") and filters.item[1:].isdigit():
        rows = rows.filter(item=filters.item)
    if filters.status in STATUSES:
        rows = rows.filter(status=filters.status)
    counts: dict[tuple[str, int], Counts] = {}
    for unit_key, item, status, n in rows.values_list("unit_key", "item", "status", "count"):
        if status in STATUSES:
            counts.setdefault((item, unit_key), Counts()).by_status[status] += n
    if titles is None:
        titles = _item_titles({item for item, unit_key in counts if unit_key == base_key})
    items = []
    for key, title in sorted(titles.items(), key=lambda pair: pair[1]):
        total = counts.get((key, base_key))
        if total is None:
            continue
        unit_rows = [
            UnitRow(
                label=unit.name, unit=unit, kind="unit", counts=counts.get((key, unit.pk), Counts())
            )
            for unit in children
        ]
        direct = Counts(by_status=dict(total.by_status))
        for row in unit_rows:
            for status, n in row.counts.by_status.items():
                direct.by_status[status] -= n
        if direct.total:
            kind = "direct" if base else "none"
            label = _("Directly in %(unit)s") % {"unit": base.name} if base else _("No unit")
            unit_rows.append(UnitRow(label=label, unit=None, kind=kind, counts=direct))
        items.append(ItemReport(key=key, title=title, rows=unit_rows, total=total))
    return {"items": items, "unit": base, "children": children}


def people(*, scope: HRScope, filters: Filters, today: dt.date | None = None) -> QuerySet:
    """One row per person and open assignment in the scope, with name, unit, item and status,
    ready to list or stream (values only, no model instances)."""
    membership = Membership.objects.filter(
        user_id=OuterRef("user_id"), municipality_id=scope.municipality.pk
    )
    return (
        assigned_rows(scope=scope, filters=filters, today=today)
        .annotate(
            unit_name=Coalesce(
                Subquery(membership.values("org_unit__name")[:1]),
                Value(""),
                output_field=CharField(),
            ),
            full_name=Concat(
                "user__first_name", Value(" "), "user__last_name", output_field=CharField()
            ),
            item_title=Coalesce(
                "assignment__learning_path__title",
                "assignment__course__title",
                output_field=CharField(),
            ),
        )
        .values(
            "user_id",
            "full_name",
            "user__email",
            "unit_name",
            "item_title",
            "assignment_id",
            "due_date",
            "completed_at",
            "expires_on",
            "status",
        )
        .order_by("user__last_name", "user__first_name", "user_id", "assignment_id")
    )


def scorm_results(*, scope: HRScope, user_id: int) -> list[ScormAttempt]:
    """The person's SCORM attempts in the scope's municipality, newest first per module:
    status, score and time as the package reported them. One query."""
    return list(
        ScormAttempt.objects.filter(
            enrolment__municipality=scope.municipality, enrolment__user_id=user_id
        )
        .select_related("module", "package", "enrolment__course")
        .order_by("enrolment__course__title", "module__path", "-number")
    )
