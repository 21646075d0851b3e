"""Learning records for a municipality's own Learning Record Store (xAPI 1.0.3)."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LrsConnection(models.Model):
    """Where a municipality's learning records go. Set up by a platform admin."""

    municipality = models.OneToOneField(
        "learners.Municipality", on_delete=models.CASCADE, related_name="lrs_connection"
    )
    endpoint = models.URLField(
        _("LRS endpoint"),
        help_text=_(
            "The xAPI base address, e.g. https://lrs.kommune.no/xAPI/ (without statements)."
        ),
    )
    username = models.CharField(_("user name (Basic auth key)"), max_length=200)
    password_sealed = models.TextField(_("password (encrypted)"), blank=True, editable=False)
    send_email = models.BooleanField(
        _("identify people by e-mail"),
        default=False,
        help_text=_(
            "Off: people are sent as an opaque id that only Endra can link to a person. "
            "On: their e-mail address is sent."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Delivery state, shown to HR. While the LRS fails, new statements wait until retry_after,
    # so a learner's request never waits for a failing LRS.
    last_success_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    retry_after = models.DateTimeField(_("next attempt"), null=True, blank=True)

    class Meta:
        verbose_name = _("LRS connection")
        verbose_name_plural = _("LRS connections")

    def __str__(self):
        return f"{self.municipality_id}: {self.endpoint}"


class XapiStatement(models.Model):
    """One statement to deliver, recorded in the transaction of the event it describes. Its
    id is derived from the event, so recording or sending it twice makes no duplicate."""

    municipality = models.ForeignKey(
        "learners.Municipality", on_delete=models.CASCADE, related_name="xapi_statements"
    )
    statement_id = models.UUIDField(unique=True, default=uuid.uuid4)
    statement = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("xAPI statement")
        verbose_name_plural = _("xAPI statements")
        indexes = [
            models.Index(
                fields=["municipality", "id"],
                condition=Q(sent_at__isnull=True),
                name="xapi_unsent_idx",
            )
        ]

    def __str__(self):
        return str(self.statement_id)
