"""Template helpers for course content."""

import nh3
from django import template
from django.utils.safestring import mark_safe
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


@register.inclusion_tag("courses/includes/language_versions.html")
def language_versions(page):
    """Links to the other language versions of a course or module page, if it has any."""
    return {"page": page, "versions": translations.languages(page)}
