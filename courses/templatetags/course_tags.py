"""Template helpers for course content."""

import nh3
from django import template
from django.core.cache import cache
from django.utils import translation
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
def language_versions(page, versions=None):
    """Links to the other language versions of a course or module page, if it has any
    (`versions`, when the page already knows them, saves the query)."""
    return {"page": page, "versions": versions or translations.languages(page)}


# Blocks that show the learner's own answers: rendered for every request, never cached.
PER_LEARNER_BLOCKS = {"reflection"}
LESSON_CACHE_SECONDS = 24 * 60 * 60


def _lesson_key(page) -> str | None:
    """One key per published revision and interface language; a new publication makes a
    new key, so no edit is ever served stale, whichever process cached the old one."""
    if page.live_revision_id is None or page.last_published_at is None:
        return None
    published = page.last_published_at.timestamp()
    language = translation.get_language() or ""
    return f"endra:lesson:{page.pk}:{page.live_revision_id}:{published}:{language}"


def _lesson_segments(page) -> list[tuple[str, str | int]]:
    """The body as ("html", text) runs of shared blocks and ("block", index) places for the
    per-learner ones. Shared blocks see only the page and their id, nothing of the request."""
    segments: list[tuple[str, str | int]] = []
    run: list[str] = []
    for index, child in enumerate(page.body):
        if child.block_type in PER_LEARNER_BLOCKS:
            if run:
                segments.append(("html", "".join(run)))
                run = []
            segments.append(("block", index))
        else:
            run.append(str(child.render_as_block({"page": page, "block_id": child.id})))
    if run:
        segments.append(("html", "".join(run)))
    return segments


@register.simple_tag(takes_context=True)
def lesson_body(context, page):
    """The lesson's blocks as HTML. What is the same for every reader is cached per
    published revision and language; previews of drafts are never cached."""
    request = context.get("request")
    key = None if getattr(request, "is_preview", False) else _lesson_key(page)
    segments = cache.get(key) if key else None
    if segments is None:
        segments = _lesson_segments(page)
        if key:
            cache.set(key, segments, LESSON_CACHE_SECONDS)
    parts = []
    for kind, value in segments:
        if kind == "html":
            parts.append(value)
        else:
            child = page.body[value]
            flat = context.flatten()
            flat["block_id"] = child.id
            parts.append(str(child.render_as_block(flat)))
    # Safe: every part is the output of a block's own (autoescaping) template.
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703
