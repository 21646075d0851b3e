"""Writes for change in practice: action plans, check-ins, follow-up reminders, readiness
self-assessments and change agents. Each write is one transaction with an audit-log row that
names ids only: the content of plans and answers is private to the learner."""

import datetime as dt
import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from courses.models import CoursePage
from learners.models import (
    ActionPlan,
    AuditAction,
    Benefit,
    ChangeAgent,
    CheckIn,
    CheckInReminder,
    Enrolment,
    Measurement,
    Membership,
    PlanStep,
    ReadinessResponse,
    User,
)
from learners.models.change import CHECK_IN_DAYS, READINESS_STATEMENTS, readiness_after_open
from learners.selectors.org import preferred_language
from learners.services.audit import audit_log_write
from learners.services.mail import mail_send, site_url

logger = logging.getLogger(__name__)

PLAN_FIELDS = ("title", "change", "involve_employees", "involve_union", "involve_agents")
BENEFIT_FIELDS = (
    "description",
    "indicator",
    "unit",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "owner",
)


class ChangeError(Exception):
    """A change action that is not allowed; `code` says why, for the view to explain."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _plan_allowed(enrolment: Enrolment) -> None:
    course = CoursePage.objects.get(pk=enrolment.course_id)
    if not course.action_plan_enabled:
        raise ChangeError("not_enabled")
    if enrolment.completed_at is None:
        raise ChangeError("not_completed")


@transaction.atomic
def action_plan_create(
    *, enrolment: Enrolment, data: dict, steps: list[dict], benefits: list[dict]
) -> ActionPlan:
    """Write the learner's plan for a completed course (one per enrolment) and schedule its
    check-ins; scoped to the enrolment's municipality."""
    _plan_allowed(enrolment)
    if not benefits:
        raise ChangeError("no_benefit")
    if ActionPlan.objects.filter(enrolment=enrolment).exists():
        raise ChangeError("exists")
    plan = ActionPlan.objects.create(
        user_id=enrolment.user_id,
        municipality_id=enrolment.municipality_id,
        enrolment=enrolment,
        **{key: data.get(key, "") for key in PLAN_FIELDS},
    )
    _steps_replace(plan, steps)
    _benefits_save(plan, benefits)
    today = timezone.localdate()
    CheckIn.objects.bulk_create(
        CheckIn(plan=plan, days_after=days, due_on=today + dt.timedelta(days=days))
        for days in CHECK_IN_DAYS
    )
    audit_log_write(
        action=AuditAction.ACTION_PLAN_CREATE,
        actor=enrolment.user,
        municipality=plan.municipality,
        target=plan,
        data={"course_id": enrolment.course_id},
    )
    return plan


@transaction.atomic
def action_plan_update(
    *, plan: ActionPlan, data: dict, steps: list[dict], benefits: list[dict]
) -> ActionPlan:
    """Change the author's own plan: text, steps, and benefits (kept by id, added, removed)."""
    if not [b for b in benefits if not b.get("DELETE")]:
        raise ChangeError("no_benefit")
    for key in PLAN_FIELDS:
        setattr(plan, key, data.get(key, ""))
    plan.save()
    _steps_replace(plan, steps)
    _benefits_save(plan, benefits)
    audit_log_write(
        action=AuditAction.ACTION_PLAN_UPDATE,
        actor=plan.user,
        municipality=plan.municipality,
        target=plan,
    )
    return plan


def _steps_replace(plan: ActionPlan, steps: list[dict]) -> None:
    plan.steps.all().delete()
    PlanStep.objects.bulk_create(
        PlanStep(plan=plan, text=step["text"], due_date=step.get("due_date"), sort_order=index)
        for index, step in enumerate(s for s in steps if s.get("text") and not s.get("DELETE"))
    )


def _benefits_save(plan: ActionPlan, benefits: list[dict]) -> None:
    # Ids come from the browser: only benefits of this plan are matched, anything else is new.
    existing = {b.pk: b for b in plan.benefits.all()}
    for index, row in enumerate(benefits):
        benefit = existing.get(row.get("id") or 0)
        if row.get("DELETE"):
            if benefit is not None:
                benefit.delete()
            continue
        benefit = benefit or Benefit(plan=plan)
        for key in BENEFIT_FIELDS:
            setattr(benefit, key, row[key])
        benefit.sort_order = index
        benefit.save()


@transaction.atomic
def check_in_record(*, check_in: CheckIn, rows: list[dict]) -> CheckIn:
    """Record, per benefit of the plan, the current value, status and a lesson; recording
    again replaces the earlier values. Benefits of other plans are refused."""
    plan = check_in.plan
    benefits = {b.pk: b for b in plan.benefits.all()}
    today = timezone.localdate()
    for row in rows:
        benefit = benefits.get(row["benefit_id"])
        if benefit is None:
            raise ChangeError("wrong_benefit")
        Measurement.objects.update_or_create(
            check_in=check_in,
            benefit=benefit,
            defaults={
                "value": row["value"],
                "status": row["status"],
                "note": row.get("note", "")[:2000],
                "measured_on": today,
            },
        )
        benefit.status = _latest_status(benefit)
        benefit.save(update_fields=["status"])
    check_in.completed_at = check_in.completed_at or timezone.now()
    check_in.save(update_fields=["completed_at"])
    audit_log_write(
        action=AuditAction.CHECK_IN_RECORD,
        actor=plan.user,
        municipality=plan.municipality,
        target=check_in,
        data={"plan_id": plan.pk},
    )
    return check_in


def _latest_status(benefit: Benefit) -> str:
    latest = benefit.measurements.order_by("-check_in__due_on", "-id").first()
    return latest.status if latest else ""


def followup_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind each author whose check-in is due (and not yet recorded), once per check-in,
    in every municipality. Returns how many went out."""
    today = today or timezone.localdate()
    due = (
        CheckIn.objects.filter(due_on__lte=today, completed_at__isnull=True, reminder__isnull=True)
        .select_related("plan__user", "plan__municipality", "plan__enrolment__course")
        .order_by("due_on", "id")
    )
    return sum(_remind(check_in) for check_in in due)


def _remind(check_in: CheckIn) -> int:
    plan = check_in.plan
    try:
        with transaction.atomic():
            # The row first, the mail inside the same transaction: a failed send rolls the
            # row back (tried again next run); an existing row means it already went out.
            CheckInReminder.objects.create(check_in=check_in)
            mail_send(
                to=[plan.user.email],
                template="followup_due",
                context={
                    "user": plan.user,
                    "plan": plan,
                    "check_in": check_in,
                    "course": plan.enrolment.course,
                    "link": site_url(
                        reverse("learners:change_check_in", args=[plan.pk, check_in.pk])
                    ),
                },
                language=preferred_language(user=plan.user),
            )
    except IntegrityError:
        return 0  # another run sent it first
    return 1


def _readiness_mean(answers: dict[str, int]) -> Decimal:
    return (Decimal(sum(answers.values())) / len(answers)).quantize(Decimal("0.01"))


@transaction.atomic
def readiness_submit(
    *, enrolment: Enrolment, phase: str, answers: dict[str, int]
) -> ReadinessResponse:
    """Store the learner's own self-assessment for one course and phase (once each).
    Before: while the course is in progress. After: from three months after completion."""
    course = CoursePage.objects.get(pk=enrolment.course_id)
    if not course.action_plan_enabled:
        raise ChangeError("not_enabled")
    keys = {key for key, _text in READINESS_STATEMENTS}
    if set(answers) != keys or any(value not in range(1, 6) for value in answers.values()):
        raise ChangeError("incomplete")
    if phase == ReadinessResponse.Phase.BEFORE and enrolment.completed_at is not None:
        raise ChangeError("too_late")
    if phase == ReadinessResponse.Phase.AFTER and not readiness_after_open(enrolment=enrolment):
        raise ChangeError("too_early")
    try:
        with transaction.atomic():
            response = ReadinessResponse.objects.create(
                user_id=enrolment.user_id,
                municipality_id=enrolment.municipality_id,
                enrolment=enrolment,
                phase=phase,
                answers=answers,
                mean=_readiness_mean(answers),
            )
    except IntegrityError:
        raise ChangeError("answered") from None
    audit_log_write(
        action=AuditAction.READINESS_SUBMIT,
        actor=enrolment.user,
        municipality=enrolment.municipality,
        target=response,
        data={"phase": phase},
    )
    return response


@transaction.atomic
def change_agent_set(
    *, user: User, membership: Membership, works_on: str, source: str, actor: User
) -> ChangeAgent:
    """Make `user` a change agent of the membership's municipality (or update what they
    work on). Volunteers act for themselves; HR acts for a member of their municipality."""
    if membership.user_id != user.pk:
        raise ChangeError("not_member")
    works_on = works_on.strip()
    if not works_on:
        raise ChangeError("works_on")
    agent, created = ChangeAgent.objects.update_or_create(
        user=user,
        municipality_id=membership.municipality_id,
        defaults={"works_on": works_on[:300], "source": source},
    )
    audit_log_write(
        action=AuditAction.CHANGE_AGENT_CREATE if created else AuditAction.CHANGE_AGENT_UPDATE,
        actor=actor,
        municipality=membership.municipality,
        target=agent,
        data={"user_id": user.pk, "source": source},
    )
    return agent


@transaction.atomic
def change_agent_remove(*, agent: ChangeAgent, actor: User) -> None:
    """Remove a change agent from the directory (the person themself, or HR)."""
    audit_log_write(
        action=AuditAction.CHANGE_AGENT_REMOVE,
        actor=actor,
        municipality=agent.municipality,
        target=agent,
        data={"user_id": agent.user_id},
    )
    agent.delete()
