import copy
import json

from courses.models import CatalogPage, CoursePage, ModulePage
from courses.services import SEED_DIR, course_import
from tests.factories import UserFactory

SLUG = "lean-i-kommunale-tjenester"


def _seed_data() -> dict:
    return json.loads((SEED_DIR / f"{SLUG}.json").read_text(encoding="utf-8"))


def _revisions(page) -> int:
    return page.revisions.count()


def test_reloading_unchanged_seed_content_makes_no_new_revisions(demo):
    course = CoursePage.objects.get(slug=SLUG)
    module = ModulePage.objects.child_of(course).first()
    counts = (_revisions(course), _revisions(module))
    course_import(catalog=CatalogPage.objects.get(), data=_seed_data())
    assert (_revisions(course), _revisions(module)) == counts


def test_changed_seed_text_updates_a_course_only_the_seed_has_touched(demo):
    data = _seed_data()
    data["summary"] = "Ny kortomtale."
    data["modules"][0]["intro"] = "Ny ingress for modulen."
    data["final_quiz"]["questions"][0]["text"] = "Et nytt spørsmål?"
    course, created = course_import(catalog=CatalogPage.objects.get(), data=data)
    assert not created
    course = CoursePage.objects.get(pk=course.pk)
    module = ModulePage.objects.child_of(course).get(slug=data["modules"][0]["key"])
    assert course.summary == "Ny kortomtale." and module.intro == "Ny ingress for modulen."
    assert course.quiz_snapshot()[0]["text"] == "Et nytt spørsmål?"
    assert course.live_revision.content["summary"] == "Ny kortomtale."


def test_a_page_an_editor_has_revised_keeps_the_editors_text(demo):
    course = CoursePage.objects.get(slug=SLUG)
    module = ModulePage.objects.child_of(course).first()
    module.intro = "Redaktørens ingress."
    module.save_revision(user=UserFactory()).publish()
    data = _seed_data()
    data["modules"][0]["intro"] = "Ny ingress fra seed."
    data["summary"] = "Ny kortomtale."
    course_import(catalog=CatalogPage.objects.get(), data=data)
    assert ModulePage.objects.get(pk=module.pk).intro == "Redaktørens ingress."
    assert CoursePage.objects.get(pk=course.pk).summary == "Ny kortomtale."


def test_a_module_new_in_the_seed_is_added_to_a_loaded_course(demo):
    data = _seed_data()
    extra = copy.deepcopy(data["modules"][0])
    extra["key"], extra["title"] = "ny-modul", "En ny modul"
    data["modules"].append(extra)
    course, _created = course_import(catalog=CatalogPage.objects.get(), data=data)
    added = ModulePage.objects.child_of(course).get(slug="ny-modul")
    assert added.live and added.title == "En ny modul"
    assert len(course.modules) == len(data["modules"])
