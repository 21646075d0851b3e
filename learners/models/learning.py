"""How far each learner got: enrolments, module progress, reflections and quiz attempts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Enrolment(models.Model):
    """A learner taking one course, in the municipality they work in."""

    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolled")
        ASSIGNMENT = "assignment", _("Assigned")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In progress")
        COMPLETED = "completed", _("Completed")
        LEFT = "left", _("Left")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    municipality = models.ForeignKey(
        "learners.Municipality", on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="+", verbose_name=_("course")
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SELF)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    last_module = models.ForeignKey(
        "courses.ModulePage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="one_enrolment_per_course")
        ]
        indexes = [models.Index(fields=["municipality", "course", "status"])]

    def __str__(self):
        return f"{self.user} – {self.course_id}"


class ModuleProgress(models.Model):
    """One module done by one enrolment; the row exists only once the module is done."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    module = models.ForeignKey("courses.ModulePage", on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField()

    class Meta:
        verbose_name = _("module progress")
        verbose_name_plural = _("module progress")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "module"], name="module_done_once")
        ]

    def __str__(self):
        return f"{self.enrolment_id}: {self.module_id}"


class ReflectionAnswer(models.Model):
    """A learner's private answer to a reflection prompt; only they can see it."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="reflections")
    module = models.ForeignKey("courses.ModulePage", on_delete=models.PROTECT, related_name="+")
    block_id = models.CharField(max_length=64)
    prompt = models.TextField(help_text=_("The question as it was when answered."))
    text = models.TextField(_("your answer"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "module", "block_id"], name="one_answer_per_prompt"
            )
        ]

    def __str__(self):
        return f"{self.enrolment_id}: {self.block_id}"


class QuizAttempt(models.Model):
    """One try at a quiz. It keeps a snapshot of what was asked, the order it was shown in and
    the answers, so later edits to the quiz never change a past result."""

    class Status(models.TextChoices):
        STARTED = "started", _("Started")
        SUBMITTED = "submitted", _("Submitted")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    quiz_page = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.STARTED)
    snapshot = models.JSONField(help_text=_("Questions, choices and correct answers."))
    order = models.JSONField(help_text=_("Question and choice order shown."))
    pass_mark = models.PositiveSmallIntegerField()
    answers = models.JSONField(default=dict, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "quiz_page", "number"], name="attempt_number_once"
            ),
            models.UniqueConstraint(
                fields=["enrolment", "quiz_page"],
                condition=Q(status="started"),
                name="one_open_attempt_per_quiz",
            ),
        ]

    def __str__(self):
        return f"{self.enrolment_id}: {self.quiz_page_id} #{self.number}"
