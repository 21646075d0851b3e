"""HR settings and records: unit managers, the reminder schedule, reminders already sent."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitManager(models.Model):
    """A person who leads an org unit; they see that unit and its sub-units, read-only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="managed_units"
    )
    municipality = models.ForeignKey(
        "learners.Municipality", on_delete=models.CASCADE, related_name="unit_managers"
    )
    org_unit = models.ForeignKey(
        "learners.OrgUnit", on_delete=models.CASCADE, related_name="managers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unit manager")
        verbose_name_plural = _("unit managers")
        constraints = [
            models.UniqueConstraint(fields=["user", "org_unit"], name="manager_once_per_unit")
        ]

    def __str__(self):
        return f"{self.user_id} leads {self.org_unit_id}"


class MunicipalitySettings(models.Model):
    """Per-municipality HR options, edited by HR (not in settings files)."""

    class WrittenStandard(models.TextChoices):
        BOKMAL = "nb", _("Bokmål")
        NYNORSK = "nn", _("Nynorsk")

    municipality = models.OneToOneField(
        "learners.Municipality", on_delete=models.CASCADE, related_name="hr_settings"
    )
    language = models.CharField(
        _("written standard (målform)"),
        max_length=2,
        choices=WrittenStandard.choices,
        default=WrittenStandard.BOKMAL,
        db_default=WrittenStandard.BOKMAL,
        help_text=_(
            "The language Endra shows your people unless they choose another one themselves."
        ),
    )
    reminders_enabled = models.BooleanField(_("send reminders"), default=True)
    remind_days_before = models.PositiveSmallIntegerField(_("days before the due date"), default=7)
    overdue_reminders = models.BooleanField(_("remind when overdue"), default=True)
    hr_digest = models.BooleanField(_("weekly digest to HR"), default=True)
    # Privacy: people with no activity for this long are anonymised by a nightly
    # task (learners.services.privacy.retention_anonymise).
    retention_months = models.PositiveSmallIntegerField(
        _("months to keep data after the last activity"),
        default=36,
        validators=[MinValueValidator(6), MaxValueValidator(120)],
    )

    class Meta:
        verbose_name = _("municipality settings")
        verbose_name_plural = _("municipality settings")

    def __str__(self):
        return f"{self.municipality_id}"


class SentReminder(models.Model):
    """A reminder that went out. The unique constraint is what makes it go out only once per
    person, kind and due date (a new due date after recertification may be reminded again)."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        HR_DIGEST = "hr_digest", _("In HR digest")

    assignment_person = models.ForeignKey(
        "learners.AssignmentPerson", on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment_person", "kind", "due_date"], name="reminder_sent_once"
            )
        ]

    def __str__(self):
        return f"{self.assignment_person_id} {self.kind} {self.due_date}"
