"""Snippets editors manage outside the page tree: topics and learning paths."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable
from wagtail.search import index
from wagtail.snippets.models import register_snippet


@register_snippet
class Topic(models.Model):
    """A subject area such as endringsledelse or lean; courses are tagged with topics."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name


@register_snippet
class LearningPath(index.Indexed, ClusterableModel):
    """An ordered list of courses HR can assign, e.g. «Ledergrunnlag for digital omstilling»."""

    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Leave empty if completion never expires, e.g. 24 for privacy training."),
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("validity_months"),
        InlinePanel("path_courses", label=_("Courses"), min_num=1),
    ]
    search_fields = [index.SearchField("title"), index.SearchField("description")]

    class Meta:
        ordering = ["title"]
        verbose_name = _("learning path")
        verbose_name_plural = _("learning paths")

    def __str__(self):
        return self.title


class LearningPathCourse(Orderable):
    path = ParentalKey(LearningPath, on_delete=models.CASCADE, related_name="path_courses")
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="+", verbose_name=_("course")
    )
    required = models.BooleanField(_("required"), default=True)

    panels = [FieldPanel("course"), FieldPanel("required")]

    class Meta(Orderable.Meta):
        verbose_name = _("course in path")
        constraints = [
            models.UniqueConstraint(fields=["path", "course"], name="course_once_per_path")
        ]
