"""SCORM packages an editor uploaded. A package row is never changed after upload: a new zip
is a new row, so a learner's attempt keeps the version it started with."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses import scorm


class ScormPackage(models.Model):
    """One uploaded SCORM zip, unpacked into media storage under `scorm/<key>/`."""

    VERSIONS = [
        (scorm.VERSION_12, "SCORM 1.2"),
        (scorm.VERSION_2004, "SCORM 2004"),
        (scorm.VERSION_2004_3, "SCORM 2004 3rd Edition"),
        (scorm.VERSION_2004_4, "SCORM 2004 4th Edition"),
    ]

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.CharField(_("SCORM version"), max_length=20, choices=VERSIONS)
    identifier = models.CharField(max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=250)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    item_title = models.CharField(max_length=250, blank=True)
    launch = models.CharField(_("start file"), max_length=1000)
    mastery_score = models.FloatField(null=True, blank=True)
    file_count = models.PositiveIntegerField()
    size = models.PositiveBigIntegerField(help_text=_("Unpacked bytes."))
    original_name = models.CharField(max_length=250, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("SCORM package")
        verbose_name_plural = _("SCORM packages")

    def __str__(self):
        parts = [f"«{self.title}»", self.get_version_display()]
        if self.organisation:
            parts.append(str(_("organisation %(name)s")) % {"name": self.organisation})
        parts.append(str(_("start file %(file)s")) % {"file": self.launch})
        parts.append(str(_("%(count)s files")) % {"count": self.file_count})
        return ", ".join(parts)

    @property
    def is_2004(self) -> bool:
        return self.version in scorm.VERSIONS_2004

    @property
    def storage_prefix(self) -> str:
        return f"scorm/{self.key}/"
