"""The transactional outbox: background tasks recorded in the same transaction as the change
that calls for them, and handed to the broker after the commit (or later, by the relay, when
the broker was down). See learners.services.outbox."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One Celery task to publish: its registered name and keyword arguments (ids only)."""

    task_name = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    # Optional: a second enqueue with the same key is ignored (e.g. one certificate per
    # completion, whether queued by the service or by the course_completed receiver).
    dedup_key = models.CharField(max_length=200, null=True, blank=True, unique=True)  # noqa: DJ001
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("handed to the broker"), null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(fields=["id"], condition=Q(sent_at__isnull=True), name="outbox_unsent_idx")
        ]

    def __str__(self):
        state = "sent" if self.sent_at else "waiting"
        return f"{self.task_name} {self.kwargs} ({state})"
