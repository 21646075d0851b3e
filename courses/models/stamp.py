from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentStamp(models.Model):
    """One row (id 1) whose value is renewed by every change to published content: what each
    process keeps of the content is good while the value stays (courses.published)."""

    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("content stamp")

    def __str__(self):
        return str(self.value)
