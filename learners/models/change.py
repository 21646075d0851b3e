"""Change in practice: action plans with benefits and follow-up check-ins, change readiness
self-assessments and change agents. Plans and readiness answers are private to the learner;
HR sees them only as aggregates (learners.selectors_change)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Days after a plan is made when the manager is asked to follow it up.
CHECK_IN_DAYS = (30, 90, 180)

# The readiness statements, by stable key: answers are stored by key, so rewording a
# statement keeps past answers comparable. Original wording, written for Endra.
READINESS_STATEMENTS = (
    ("why", _("I understand why the change is needed in my unit.")),
    ("goal", _("I can explain what will be better for our users when the change is done.")),
    ("involved", _("The employees in my unit are involved in shaping the change.")),
    ("union", _("The union representatives are brought in early enough.")),
    ("time", _("Time is set aside for the change beside daily operations.")),
    ("support", _("I get the support I need from my own leader.")),
    ("skills", _("We have, or will get, the skills the new way of working needs.")),
    ("try", _("In my unit we are open to trying new ways of working.")),
    ("mistakes", _("It is safe to say that something does not work.")),
    ("benefits", _("We know which benefits we expect and how we will measure them.")),
)
READINESS_SCALE = (
    (1, _("Strongly disagree")),
    (2, _("Disagree")),
    (3, _("Neither agree nor disagree")),
    (4, _("Agree")),
    (5, _("Strongly agree")),
)


class ActionPlan(models.Model):
    """A manager's plan for changing how their unit works after a course. Only the author
    sees it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="action_plans"
    )
    municipality = models.ForeignKey(
        "learners.Municipality", on_delete=models.CASCADE, related_name="action_plans"
    )
    enrolment = models.OneToOneField(
        "learners.Enrolment", on_delete=models.CASCADE, related_name="action_plan"
    )
    title = models.CharField(_("the change, in one line"), max_length=200)
    change = models.TextField(_("what will change in your unit"))
    involve_employees = models.TextField(_("employees"), blank=True)
    involve_union = models.TextField(_("union representatives"), blank=True)
    involve_agents = models.TextField(_("change agents"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self):
        return self.title


class PlanStep(models.Model):
    """One of the first steps of a plan, with the date it should be done by."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="steps")
    text = models.CharField(_("step"), max_length=300)
    due_date = models.DateField(_("by"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("first step")
        verbose_name_plural = _("first steps")

    def __str__(self):
        return self.text


class BenefitStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    DONE = "done", _("Realised")
    DROPPED = "dropped", _("Dropped")


class Benefit(models.Model):
    """An expected benefit (gevinst) of a plan, measured by an indicator from a baseline
    towards a target. `status` is the one recorded at the latest check-in."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="benefits")
    description = models.CharField(_("expected benefit"), max_length=300)
    indicator = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit of measure"), max_length=60)
    baseline_value = models.DecimalField(_("baseline value"), max_digits=12, decimal_places=2)
    baseline_date = models.DateField(_("baseline date"))
    target_value = models.DecimalField(_("target value"), max_digits=12, decimal_places=2)
    target_date = models.DateField(_("target date"))
    owner = models.CharField(_("owner"), max_length=120)
    status = models.CharField(max_length=20, choices=BenefitStatus.choices, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")

    def __str__(self):
        return self.description


class CheckIn(models.Model):
    """A scheduled follow-up of a plan (30, 90 and 180 days after it was made)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="check_ins")
    days_after = models.PositiveSmallIntegerField()
    due_on = models.DateField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(fields=["plan", "days_after"], name="check_in_once_per_day")
        ]

    def __str__(self):
        return f"{self.plan_id} +{self.days_after}"


class CheckInReminder(models.Model):
    """The reminder for a check-in went out. One row per check-in, enforced by the database:
    that is what makes the reminder go out exactly once."""

    check_in = models.OneToOneField(CheckIn, on_delete=models.CASCADE, related_name="reminder")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("check-in reminder")
        verbose_name_plural = _("check-in reminders")

    def __str__(self):
        return f"{self.check_in_id} {self.sent_at:%Y-%m-%d}"


class Measurement(models.Model):
    """A benefit's indicator value, status and lesson recorded at one check-in."""

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="measurements")
    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="measurements")
    value = models.DecimalField(_("current value"), max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=20, choices=BenefitStatus.choices)
    note = models.TextField(_("what did you learn?"), blank=True)
    measured_on = models.DateField()

    class Meta:
        ordering = ["measured_on", "id"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["check_in", "benefit"], name="one_measurement_per_check_in"
            )
        ]

    def __str__(self):
        return f"{self.benefit_id} {self.measured_on}: {self.value}"


class ReadinessResponse(models.Model):
    """A learner's own change-readiness self-assessment for one course, before (at the start)
    or after (three months after completion). Private: HR sees only group averages."""

    class Phase(models.TextChoices):
        BEFORE = "before", _("Before")
        AFTER = "after", _("After")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="readiness_responses"
    )
    municipality = models.ForeignKey(
        "learners.Municipality", on_delete=models.CASCADE, related_name="readiness_responses"
    )
    enrolment = models.ForeignKey(
        "learners.Enrolment", on_delete=models.CASCADE, related_name="readiness_responses"
    )
    phase = models.CharField(max_length=10, choices=Phase.choices)
    answers = models.JSONField(help_text=_("Statement key -> 1..5."))
    mean = models.DecimalField(max_digits=4, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("readiness self-assessment")
        verbose_name_plural = _("readiness self-assessments")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "phase"], name="readiness_once_per_phase")
        ]

    def __str__(self):
        return f"{self.enrolment_id} {self.phase}"


class ChangeAgent(models.Model):
    """A person who helps carry the change in their municipality (endringsagent)."""

    class Source(models.TextChoices):
        VOLUNTEER = "volunteer", _("Volunteered")
        HR = "hr", _("Designated by HR")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="change_agent_roles"
    )
    municipality = models.ForeignKey(
        "learners.Municipality", on_delete=models.CASCADE, related_name="change_agents"
    )
    works_on = models.CharField(_("what you work on"), max_length=300)
    source = models.CharField(max_length=20, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name"]
        verbose_name = _("change agent")
        verbose_name_plural = _("change agents")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"], name="change_agent_once_per_municipality"
            )
        ]

    def __str__(self):
        return f"{self.user_id} @ {self.municipality_id}"


READINESS_AFTER_DAYS = 90


def readiness_after_open(*, enrolment, now: dt.datetime | None = None) -> bool:
    """Three months (90 days) after completion, the learner is asked again."""
    if enrolment.completed_at is None:
        return False
    now = now or timezone.now()
    return enrolment.completed_at + dt.timedelta(days=READINESS_AFTER_DAYS) <= now
