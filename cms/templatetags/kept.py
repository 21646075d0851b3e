"""`{% kept_include "template" %}`: a template that reads only published content and the
language, rendered once per process, site and language and kept while the content stays
(courses.published). Never for anything with a person's data or a CSRF token in it."""

from django import template
from django.utils import translation
from django.utils.safestring import mark_safe

from courses import published

register = template.Library()


@register.simple_tag(takes_context=True)
def kept_include(context, template_name: str):
    request = context.get("request")

    def render():
        fragment = context.template.engine.get_template(template_name)
        with context.push():
            # Safe: the output of an autoescaping template.
            return mark_safe(fragment.render(context))  # noqa: S308  # nosec B308 B703

    if request is None or getattr(request, "is_preview", False):
        return render()
    site = published.site_for_request(request)
    key = ("fragment", template_name, site.pk if site else None, translation.get_language())

    return published.kept(request, key, render)
