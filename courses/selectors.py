"""Reads for course content: published pages only, a fixed number of queries. The catalogue's
own query is CatalogPage.get_courses."""

from courses.models import CoursePage, ModulePage
from courses.search import page_search


def site_search(*, query: str, limit: int = 30) -> list:
    """Published courses and modules matching `query`, best match first."""
    if not query.strip():
        return []
    courses = list(page_search(CoursePage.objects.live().public(), query)[:limit])
    modules = list(page_search(ModulePage.objects.live().public(), query)[:limit])
    return courses + modules
