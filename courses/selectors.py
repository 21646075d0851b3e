"""Reads for course content: published pages only, a fixed number of queries. The catalogue's
own query is CatalogPage.get_courses."""

from courses.models import CoursePage, ModulePage


def site_search(*, query: str, limit: int = 30) -> list:
    """Published courses and modules matching `query`, best match first."""
    if not query.strip():
        return []
    courses = list(CoursePage.objects.live().public().search(query)[:limit])
    modules = list(ModulePage.objects.live().public().search(query)[:limit])
    return courses + modules
