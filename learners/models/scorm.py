"""A learner's run through a SCORM module: the package's runtime data, per attempt."""

from django.db import models
from django.utils.translation import gettext_lazy as _

STATUS_LABELS = {
    "not attempted": _("Not started"),
    "incomplete": _("Not completed"),
    "browsed": _("Browsed"),
    "completed": _("Completed"),
    "passed": _("Passed"),
    "failed": _("Failed"),
    "unknown": _("Unknown"),
}


class ScormAttempt(models.Model):
    """One attempt at a SCORM module by one enrolment. It keeps the package version it started
    with, so a new upload never changes a package under a learner who is halfway."""

    enrolment = models.ForeignKey(
        "learners.Enrolment", on_delete=models.CASCADE, related_name="scorm_attempts"
    )
    module = models.ForeignKey("courses.ModulePage", on_delete=models.PROTECT, related_name="+")
    package = models.ForeignKey("courses.ScormPackage", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(default=1)
    cmi = models.JSONField(
        default=dict, blank=True, help_text=_("The package's runtime data, element by element.")
    )
    completion_status = models.CharField(max_length=20, default="not attempted")
    success_status = models.CharField(max_length=20, default="unknown")
    score_raw = models.FloatField(null=True, blank=True)
    score_min = models.FloatField(null=True, blank=True)
    score_max = models.FloatField(null=True, blank=True)
    score_scaled = models.FloatField(null=True, blank=True)
    location = models.CharField(max_length=1000, blank=True)
    session_time = models.CharField(max_length=40, blank=True)
    total_time = models.CharField(max_length=40, blank=True)
    commits = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("SCORM attempt")
        verbose_name_plural = _("SCORM attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "module", "number"], name="scorm_attempt_number_once"
            )
        ]

    def __str__(self):
        return f"{self.enrolment_id}: {self.module_id} #{self.number}"

    @property
    def score_percent(self) -> int | None:
        """The score as a whole percentage, from the scaled score or raw against max."""
        if self.score_scaled is not None:
            return round(self.score_scaled * 100)
        if self.score_raw is None:
            return None
        low = self.score_min or 0
        if self.score_max and self.score_max > low:
            return round((self.score_raw - low) / (self.score_max - low) * 100)
        return round(self.score_raw)

    @property
    def status_label(self) -> str:
        """The package's status in words: completion, and pass or fail when it said so."""
        labels = [STATUS_LABELS.get(self.completion_status, self.completion_status)]
        if self.success_status in ("passed", "failed") and self.success_status != (
            self.completion_status
        ):
            labels.append(STATUS_LABELS[self.success_status])
        return ", ".join(str(label) for label in labels)

    @property
    def suspend_data(self) -> str:
        return str(self.cmi.get("cmi.suspend_data", ""))
