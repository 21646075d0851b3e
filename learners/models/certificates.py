"""Certificates (kursbevis): a record that stands on its own, whatever happens to the course."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def certificate_storage():
    """The private storage of certificate PDFs (STORAGES["certificates"])."""
    return storages["certificates"]


class Certificate(models.Model):
    """Proof that a person completed a course or a learning path. What it shows is copied in
    when issued, so editing, moving or unpublishing the course never changes or removes it."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    municipality = models.ForeignKey(
        "learners.Municipality", on_delete=models.PROTECT, related_name="certificates"
    )
    enrolment = models.ForeignKey(
        "learners.Enrolment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificates",
    )
    learning_path = models.ForeignKey(
        "courses.LearningPath",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    learner_name = models.CharField(max_length=300)
    title = models.CharField(_("course or path"), max_length=300)
    municipality_name = models.CharField(max_length=200)
    completed_at = models.DateTimeField()
    estimated_hours = models.DecimalField(max_digits=5, decimal_places=1)
    issuer_name = models.CharField(max_length=200, default="Endra")
    # The learner's language when it was issued: the title is the course's in that language
    # where it has a translation, and the PDF's texts are in it.
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    # Set before the row is stored: the signed credential holds it.
    issued_at = models.DateTimeField(default=timezone.now, editable=False)
    pdf = models.FileField(upload_to="certificates/", storage=certificate_storage, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.TextField(blank=True)
    # The signed OpenBadgeCredential, stored once so the download never changes.
    credential = models.JSONField(default=dict, blank=True, editable=False)
    replaces = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by"
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "completed_at"],
                condition=Q(revoked_at__isnull=True, enrolment__isnull=False),
                name="one_valid_certificate_per_course_completion",
            ),
            models.UniqueConstraint(
                fields=["user", "learning_path", "completed_at"],
                condition=Q(revoked_at__isnull=True, learning_path__isnull=False),
                name="one_valid_certificate_per_path_completion",
            ),
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"
