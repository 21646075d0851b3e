"""Reads for change in practice. A learner reads only their own plans and answers; change
agents are read per municipality by its members; HR reads aggregates only, per unit."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField, Count, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import translations
from courses.models import CoursePage
from learners.models import (
    ActionPlan,
    Benefit,
    ChangeAgent,
    Enrolment,
    Measurement,
    Membership,
    OrgUnit,
    ReadinessResponse,
    ReflectionAnswer,
    User,
)
from learners.models.change import READINESS_STATEMENTS, readiness_after_open
from learners.permissions import HRScope


def plan_detail(*, plan: ActionPlan) -> dict:
    """The plan with its steps, check-ins and benefits with their measurements (4 queries)."""
    benefits = list(
        plan.benefits.prefetch_related(
            Prefetch("measurements", queryset=Measurement.objects.order_by("measured_on", "id"))
        )
    )
    return {
        "plan": plan,
        "steps": list(plan.steps.all()),
        "check_ins": list(plan.check_ins.all()),
        "benefits": benefits,
        "today": timezone.localdate(),
    }


def readiness_phase_due(*, enrolment: Enrolment, answered: set[str]) -> str | None:
    """Which self-assessment the learner is invited to take now for this enrolment, if any."""
    if enrolment.status == Enrolment.Status.ACTIVE and "before" not in answered:
        return ReadinessResponse.Phase.BEFORE
    if "after" not in answered and readiness_after_open(enrolment=enrolment):
        return ReadinessResponse.Phase.AFTER
    return None


def my_change(*, user: User) -> dict:
    """For «Min læring»: the user's plans, check-ins due, plans they may write, and
    self-assessments they are invited to take. Four queries however many courses."""
    enrolments = list(
        Enrolment.objects.filter(user_id=user.pk, course__action_plan_enabled=True)
        .exclude(status=Enrolment.Status.LEFT)
        .select_related("course")
        .order_by("-created_at")
    )
    plans = list(
        ActionPlan.objects.filter(user_id=user.pk)
        .select_related("enrolment__course")
        .prefetch_related("check_ins")
    )
    answered: dict[int, set[str]] = {}
    for enrolment_id, phase in ReadinessResponse.objects.filter(user_id=user.pk).values_list(
        "enrolment_id", "phase"
    ):
        answered.setdefault(enrolment_id, set()).add(phase)
    today = timezone.localdate()
    for plan in plans:
        due_now = [c for c in plan.check_ins.all() if c.completed_at is None and c.due_on <= today]
        plan.due = due_now  # type: ignore[attr-defined]  # for the template
    with_plan = {plan.enrolment_id for plan in plans}
    readiness = []
    for enrolment in enrolments:
        due = readiness_phase_due(enrolment=enrolment, answered=answered.get(enrolment.pk, set()))
        if due:
            readiness.append({"enrolment": enrolment, "phase": due})
    return {
        "plans": plans,
        "plan_offers": [
            e for e in enrolments if e.completed_at is not None and e.pk not in with_plan
        ],
        "readiness_due": readiness,
        "readiness_compare": [e for e in enrolments if "before" in answered.get(e.pk, set())],
    }


def readiness_compare(*, enrolment: Enrolment) -> dict:
    """The learner's own answers before and after, per statement, with the change."""
    responses = {r.phase: r for r in enrolment.readiness_responses.all()}
    before, after = responses.get("before"), responses.get("after")
    rows = []
    for key, text in READINESS_STATEMENTS:
        b = before.answers.get(key) if before else None
        a = after.answers.get(key) if after else None
        rows.append({"key": key, "text": text, "before": b, "after": a, "change": _diff(b, a)})
    return {
        "before": before,
        "after": after,
        "rows": rows,
        "mean_change": _diff(before.mean if before else None, after.mean if after else None),
    }


def _diff(before, after):
    return after - before if before is not None and after is not None else None


def plan_start(*, enrolment: Enrolment) -> dict:
    """What a new plan starts from: the learner's own answers to the reflections of the
    module holding the course's last task in the unit, in the module's order, as the text
    of «what will change». `module` is None when there is nothing to start from."""
    course = CoursePage.objects.get(pk=enrolment.course_id)  # the source-language course
    module = course.last_unit_task_module()
    if module is None:
        return {"initial": {}, "module": None}
    answers = {
        answer.block_id: answer.text.strip()
        for answer in ReflectionAnswer.objects.filter(enrolment=enrolment, module=module)
    }
    texts = [answers[key] for key in module.reflection_prompts() if answers.get(key)]
    if not texts:
        return {"initial": {}, "module": None}
    # The module named in the learner's language where it has a translation.
    return {"initial": {"change": "\n\n".join(texts)}, "module": translations.in_language(module)}


def plan_for_enrolment(*, enrolment: Enrolment) -> ActionPlan | None:
    """The action plan made for an enrolment (the caller has checked it is the user's)."""
    return ActionPlan.objects.filter(enrolment=enrolment).first()


def change_agents_of(*, user: User) -> QuerySet[ChangeAgent]:
    """The user's own entries in the change agent directories (one per municipality)."""
    return ChangeAgent.objects.filter(user=user)


def change_agent_of(*, user: User, municipality_id: int | None = None) -> ChangeAgent | None:
    """The user's own directory entry (in `municipality_id`, when given), or None."""
    agents = change_agents_of(user=user)
    if municipality_id is not None:
        agents = agents.filter(municipality_id=municipality_id)
    return agents.first()


def municipalities_of(*, user: User) -> list[Membership]:
    """The user's memberships (one per municipality), with the municipality."""
    return list(Membership.objects.filter(user_id=user.pk).select_related("municipality"))


def change_agent_directory(*, municipality_id: int) -> QuerySet[ChangeAgent]:
    """The change agents of one municipality, with their unit; callers check membership."""
    return (
        ChangeAgent.objects.filter(municipality_id=municipality_id)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "user__memberships",
                queryset=Membership.objects.filter(municipality_id=municipality_id).select_related(
                    "org_unit"
                ),
                to_attr="here",
            )
        )
        .order_by("user__first_name", "user__last_name", "id")
    )


# --- HR: aggregates per unit, never a person's own answers -----------------------------------

MIN_GROUP = 5
STEP = OrgUnit.steplen
BENEFIT_KEYS = ("on_track", "at_risk", "done", "dropped", "")


@dataclass
class Aggregate:
    """One group's figures. `people` is how many persons the figures come from; `hidden` is
    set when that group (or, to stop subtraction, a neighbour) is too small to show."""

    people: int = 0
    hidden: bool = False


@dataclass
class PlanFigures(Aggregate):
    plans: int = 0
    benefits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BENEFIT_KEYS, 0))


@dataclass
class ReadinessFigures(Aggregate):
    responses: int = 0
    total: Decimal = Decimal(0)

    @property
    def average(self) -> Decimal | None:
        if not self.responses:
            return None
        return (self.total / self.responses).quantize(Decimal("0.1"))


@dataclass
class ChangeRow:
    label: str
    unit: OrgUnit | None
    kind: str  # "unit", "direct", "none" or "sum"
    plans: PlanFigures = field(default_factory=PlanFigures)
    before: ReadinessFigures = field(default_factory=ReadinessFigures)
    after: ReadinessFigures = field(default_factory=ReadinessFigures)


def _unit_path_of_user(municipality_id: int, user_field: str) -> Coalesce:
    membership = Membership.objects.filter(
        user_id=OuterRef(user_field), municipality_id=municipality_id
    )
    return Coalesce(
        Subquery(membership.values("org_unit__path")[:1]), Value(""), output_field=CharField()
    )


def _scoped(rows, *, scope: HRScope, base: OrgUnit | None, prefix_len: int):
    if scope.unit_paths:
        rows = rows.filter(scope.unit_q("unit_path"))
    if base is not None:
        rows = rows.filter(unit_path__startswith=base.path)
    return rows.annotate(prefix=Substr("unit_path", 1, prefix_len))


def change_report(*, scope: HRScope, base: OrgUnit | None) -> dict:
    """Per sub-unit of `base` (each with everything below it), plus people placed directly in
    it: action plans, benefits by status and readiness averages before and after, in the
    scope's municipality. Groups under MIN_GROUP people are hidden. Three grouped queries."""
    municipality_id = scope.municipality.pk
    prefix_len = STEP * ((base.depth if base else 0) + 1)
    figures: dict[str, ChangeRow] = {}

    def row(prefix: str) -> ChangeRow:
        return figures.setdefault(prefix, ChangeRow(label="", unit=None, kind=""))

    plans = _scoped(
        ActionPlan.objects.filter(municipality_id=municipality_id).annotate(
            unit_path=_unit_path_of_user(municipality_id, "user_id")
        ),
        scope=scope,
        base=base,
        prefix_len=prefix_len,
    )
    for item in (
        plans.values("prefix")
        .annotate(n=Count("id"), people=Count("user", distinct=True))
        .order_by()
    ):
        target = row(item["prefix"]).plans
        target.plans, target.people = item["n"], item["people"]
    benefits = _scoped(
        Benefit.objects.filter(plan__municipality_id=municipality_id).annotate(
            unit_path=_unit_path_of_user(municipality_id, "plan__user_id")
        ),
        scope=scope,
        base=base,
        prefix_len=prefix_len,
    )
    for item in benefits.values("prefix", "status").annotate(n=Count("id")).order_by():
        row(item["prefix"]).plans.benefits[item["status"]] = item["n"]
    readiness = _scoped(
        ReadinessResponse.objects.filter(municipality_id=municipality_id).annotate(
            unit_path=_unit_path_of_user(municipality_id, "user_id")
        ),
        scope=scope,
        base=base,
        prefix_len=prefix_len,
    )
    for item in (
        readiness.values("prefix", "phase")
        .annotate(n=Count("id"), people=Count("user", distinct=True), total=Sum("mean"))
        .order_by()
    ):
        target = getattr(row(item["prefix"]), item["phase"])
        target.responses, target.people, target.total = item["n"], item["people"], item["total"]
    rows = _rows(scope=scope, base=base, figures=figures)
    total = _sum(rows)
    for attribute in ("plans", "before", "after"):
        _suppress([getattr(r, attribute) for r in rows] + [getattr(total, attribute)])
    return {"rows": rows, "total": total, "unit": base, "min_group": MIN_GROUP}


def _rows(*, scope: HRScope, base: OrgUnit | None, figures: dict[str, ChangeRow]):
    units = scope.units()
    children = (
        units.filter(depth=1)
        if base is None
        else units.filter(depth=base.depth + 1, path__startswith=base.path)
    )
    rows = []
    for unit in children.order_by("path"):
        found = figures.get(unit.path, ChangeRow(label="", unit=None, kind=""))
        found.label, found.unit, found.kind = unit.name, unit, "unit"
        rows.append(found)
    direct = figures.get(base.path if base else "")
    if direct is not None:
        direct.kind = "direct" if base else "none"
        direct.label = (
            _("Directly in %(unit)s") % {"unit": base.name} if base else str(_("No unit"))
        )
        rows.append(direct)
    return rows


def _sum(rows: list[ChangeRow]) -> ChangeRow:
    total = ChangeRow(label=str(_("Sum")), unit=None, kind="sum")
    for r in rows:
        total.plans.plans += r.plans.plans
        total.plans.people += r.plans.people
        for key, n in r.plans.benefits.items():
            total.plans.benefits[key] += n
        for phase in ("before", "after"):
            mine, theirs = getattr(total, phase), getattr(r, phase)
            mine.people += theirs.people
            mine.responses += theirs.responses
            mine.total += theirs.total
    return total


def _suppress(groups: list[Aggregate]) -> None:
    """Hide every group of 1-4 people. The last group is the sum of the others, so if the
    hidden ones together are still fewer than MIN_GROUP people, they could be found by
    subtraction: hide the smallest shown group too, until that is no longer possible."""
    *parts, total = groups
    for group in groups:
        group.hidden = 0 < group.people < MIN_GROUP
    while True:
        hidden = sum(g.people for g in parts if g.hidden)
        shown = sorted((g for g in parts if not g.hidden and g.people), key=lambda g: g.people)
        if not (0 < hidden < MIN_GROUP) or not shown or total.hidden:
            return
        shown[0].hidden = True
