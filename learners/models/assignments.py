"""HR assignments: a path or a course, given to people, a unit or a role, with a due date."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Assignment(models.Model):
    """What HR asked of whom, and by when. Who it reaches is resolved from the target."""

    class Target(models.TextChoices):
        PEOPLE = "people", _("Named people")
        UNIT = "unit", _("An org unit")
        ROLE = "role", _("Everyone with a role")

    municipality = models.ForeignKey(
        "learners.Municipality", on_delete=models.CASCADE, related_name="assignments"
    )
    learning_path = models.ForeignKey(
        "courses.LearningPath", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target = models.CharField(max_length=10, choices=Target.choices)
    org_unit = models.ForeignKey(
        "learners.OrgUnit", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    include_subunits = models.BooleanField(default=True)
    role = models.CharField(max_length=20, blank=True)
    due_date = models.DateField(null=True, blank=True)
    due_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Due N days after the person is added.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(learning_path__isnull=False, course__isnull=True)
                | Q(learning_path__isnull=True, course__isnull=False),
                name="assignment_path_xor_course",
            ),
        ]

    def __str__(self):
        return f"{self.municipality_id}: {self.learning_path_id or self.course_id}"


class AssignmentPerson(models.Model):
    """One person reached by an assignment, with their own due date."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="people")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assigned"
    )
    due_date = models.DateField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    # Kept in step with the enrolments by learners.services.hr, so reports can count with
    # plain aggregate SQL. A recertification clears completed_at and starts a new cycle.
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    cycle = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("assigned person")
        verbose_name_plural = _("assigned people")
        constraints = [models.UniqueConstraint(fields=["assignment", "user"], name="assigned_once")]
        indexes = [models.Index(fields=["due_date", "completed_at"])]

    def __str__(self):
        return f"{self.assignment_id}: {self.user_id}"


class AssignmentJob(models.Model):
    """The background work of giving an assignment to the people it reaches: who they are (as
    resolved when HR made it), how far it has come, and why it stopped if it did. Runs in
    batches; each batch commits with the job's progress, so a re-run resumes where it was."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Stopped")

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="job")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    user_ids = models.JSONField(default=list, blank=True)
    batch_size = models.PositiveIntegerField(default=500)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    batches = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assignment job")
        verbose_name_plural = _("assignment jobs")

    def __str__(self):
        return f"{self.assignment_id}: {self.state} {self.done}/{self.total}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)
