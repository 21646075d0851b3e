"""Precomputed item analysis per quiz, so the editors' statistics page is one read."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuizStatistics(models.Model):
    """Counts across all municipalities, computed in the background from the attempts'
    snapshots. Holds no names and no per-person rows."""

    quiz_page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    first_only = models.BooleanField(_("first attempts only"), default=False)
    data = models.JSONField(default=dict)
    attempts_counted = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("quiz statistics")
        verbose_name_plural = _("quiz statistics")
        constraints = [
            models.UniqueConstraint(fields=["quiz_page", "first_only"], name="quiz_stats_once")
        ]

    def __str__(self):
        return f"{self.quiz_page_id} ({'first' if self.first_only else 'all'})"
