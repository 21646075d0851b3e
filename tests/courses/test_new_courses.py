import io

import pytest
from django.core.management import call_command

from courses.models import CoursePage, LearningPath, LearningPathCourse

PATH = "ledergrunnlag-for-digital-omstilling"
NEW_COURSES = [
    ("personvern-for-ledere", "Personvern for ledere", "personvern"),
    ("prosjekt-og-linje", "Prosjekt og linje", "prosjektledelse"),
    (
        "digital-samhandling-og-brukeradopsjon",
        "Digital samhandling og brukeradopsjon",
        "digital-ledelse",
    ),
]


@pytest.mark.parametrize(("slug", "title", "topic"), NEW_COURSES)
def test_a_new_course_is_in_the_catalogue_under_its_topic(client, demo, slug, title, topic):
    course = CoursePage.objects.get(slug=slug)
    assert course.live and len(course.modules) >= 4 and course.has_quiz
    assert title in client.get(f"/kurs/?emne={topic}").content.decode()
    page = client.get(course.url).content.decode()
    assert title in page and course.modules[0].title in page


@pytest.mark.parametrize(("slug", "title", "topic"), NEW_COURSES)
def test_the_demo_path_recommends_a_new_course(demo, slug, title, topic):
    item = LearningPathCourse.objects.get(path__slug=PATH, course__slug=slug)
    assert item.required is False


def test_seeding_an_older_demo_adds_new_courses_to_its_path_and_keeps_the_rest(demo):
    path = LearningPath.objects.get(slug=PATH)
    path.path_courses.filter(course__slug="personvern-for-ledere").delete()
    kept = list(path.path_courses.order_by("sort_order").values_list("course_id", "required"))
    call_command("seed_demo", stdout=io.StringIO())
    items = list(path.path_courses.order_by("sort_order").values_list("course_id", "required"))
    added = CoursePage.objects.get(slug="personvern-for-ledere").pk
    assert items[: len(kept)] == kept and items[len(kept)] == (added, False)
    assert LearningPath.objects.filter(slug=PATH).count() == 1
