"""Template helpers for course content."""

import nh3
from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from courses import translations

register = template.Library()

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a", "h2", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@register.filter
def clean_richtext(value) -> str:
    """Expand Wagtail's internal links, then allow only a short list of tags and attributes:
    lesson text is shown to every learner, so nothing else gets through."""
    source = getattr(value, "source", value) or ""
    html = expand_db_html(str(source))
    # Safe to mark: nh3.clean below lets through only the tags and attributes listed above.
    return mark_safe(  # noqa: S308  # nosec B308 B703
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
        )
    )


@register.filter
def minutes(value: int) -> str:
    """«45 min» or «1 t 30 min»."""
    hours, mins = divmod(int(value or 0), 60)
    if not hours:
        return f"{mins} min"
    return f"{hours} t {mins} min" if mins else f"{hours} t"


@register.simple_tag
def time_estimate(screen_minutes: int, task_minutes: int, *, tasks: bool = False) -> str:
    """«ca. 10 min på skjerm + ca. 45 min oppgave i enheten»: the time in front of the screen
    and the learner's own time for the task in their unit (`tasks`: a course's, all of them)."""
    screen = minutes(screen_minutes)
    if not task_minutes:
        return _("about %(screen)s on screen") % {"screen": screen}
    if tasks:
        text = _("about %(screen)s on screen + about %(task)s for the tasks in your unit")
    else:
        text = _("about %(screen)s on screen + about %(task)s for the task in your unit")
    return text % {"screen": screen, "task": minutes(task_minutes)}


@register.inclusion_tag("courses/includes/language_versions.html")
def language_versions(page):
    """Links to the other language versions of a course or module page, if it has any."""
    return {"page": page, "versions": translations.languages(page)}
