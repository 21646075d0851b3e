"""Reads for course content: published pages only, a fixed number of queries."""

from courses.models.pages import DURATIONS, LEVELS
from courses.models.snippets import Topic


def catalogue_courses(*, catalog, params) -> dict:
    """Published courses under `catalog`, filtered by topic, level, duration and a search."""
    from courses.models import CoursePage

    courses = CoursePage.objects.child_of(catalog).live().public().order_by("title")
    topic, level = params.get("emne", ""), params.get("niva", "")
    duration, query = params.get("varighet", ""), params.get("q", "").strip()
    if topic:
        courses = courses.filter(topics__slug=topic)
    if level in dict(LEVELS):
        courses = courses.filter(level=level)
    if duration in DURATIONS:
        low, high = DURATIONS[duration]
        courses = courses.filter(estimated_minutes__gte=low, estimated_minutes__lte=high)
    if query:
        courses = courses.filter(pk__in=_search_course_ids(query))
    return {
        "courses": list(courses.prefetch_related("topics").distinct()),
        "topics": list(Topic.objects.all()),
        "levels": LEVELS,
        "durations": list(DURATIONS),
        "filters": {"emne": topic, "niva": level, "varighet": duration, "q": query},
    }


def _search_course_ids(query: str) -> list[int]:
    """Courses matching the query in their own text or in one of their modules."""
    from courses.models import CoursePage, ModulePage

    ids = {page.pk for page in CoursePage.objects.live().search(query)}
    module_paths = [page.path for page in ModulePage.objects.live().search(query)]
    parents = {path[: -CoursePage.steplen] for path in module_paths}
    if parents:
        ids |= set(CoursePage.objects.filter(path__in=parents).values_list("pk", flat=True))
    return sorted(ids)


def site_search(*, query: str, limit: int = 30) -> list:
    """Published courses and modules matching `query`, best match first."""
    from courses.models import CoursePage, ModulePage

    if not query.strip():
        return []
    courses = list(CoursePage.objects.live().public().search(query)[:limit])
    modules = list(ModulePage.objects.live().public().search(query)[:limit])
    return courses + modules
