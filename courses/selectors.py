"""Reads for course content: published pages only, a fixed number of queries. The catalogue's
own query is CatalogPage.get_courses."""

from wagtail.models import Page

from courses import translations
from courses.models import CoursePage, ModulePage
from courses.search import page_search


def site_search(*, query: str, limit: int = 30) -> list:
    """Published courses and modules matching `query`, best match first."""
    if not query.strip():
        return []
    courses = list(page_search(CoursePage.objects.live().public(), query)[:limit])
    modules = list(page_search(ModulePage.objects.live().public(), query)[:limit])
    return _one_version_each(courses) + _one_version_each(modules)


def _one_version_each(pages: list) -> list:
    """A page found in several languages is listed once: in the reader's language when it
    was found in it, else in the first language it was found in (best match order kept)."""
    preferred = set(
        Page.objects.filter(
            pk__in=[page.pk for page in pages],
            locale__language_code=translations.content_language(),
        ).values_list("pk", flat=True)
    )
    keys_in_language = {page.translation_key for page in pages if page.pk in preferred}
    seen, result = set(), []
    for page in pages:
        key = page.translation_key
        if key in seen or (key in keys_in_language and page.pk not in preferred):
            continue
        seen.add(key)
        result.append(page)
    return result
