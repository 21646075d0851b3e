"""The module page a learner reads: a fixed number of queries however big the course or
however many learners, the shared lesson text cached per published revision, and the
learner's own parts (progress, reflections) never shared."""

import copy

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import CoursePage, ModulePage
from learners.models import ReflectionAnswer
from learners.services.learning import enrolment_create, module_complete, reflection_save
from tests.factories import MembershipFactory

LEAN = "lean-i-kommunale-tjenester"
NB_SLUG = "endringsledelse-for-mellomledere"

# Session, user, the content stamp, the enrolment (with progress, quiz state and action plan)
# and the reflections. The site, routing, the course outline, the view restrictions and the
# footer's site links are kept in the process while the content stays (courses.published).
MODULE_PAGE_QUERIES = 5


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def _queries(client, url) -> int:
    client.get(url)  # the first visit remembers where the learner is (a write): warm up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def _enrolled(bergen, course, done: int):
    user = MembershipFactory(municipality=bergen).user
    enrolment = enrolment_create(user=user, course=course)
    for module in course.modules[:done]:
        if module.completion == "manual":
            module_complete(enrolment=enrolment, module=module)
    return user, enrolment


def _add_modules(course: CoursePage, count: int) -> None:
    """More modules like the course's first, with its lesson body (reflections included)."""
    model = course.modules[0]
    for number in range(count):
        course.add_child(
            instance=ModulePage(
                title=f"Ekstra modul {number}",
                slug=f"ekstra-{number}",
                body=copy.deepcopy(list(model.body.raw_data)),
            )
        )


def test_the_module_page_costs_the_same_queries_for_a_small_and_a_big_course(client, bergen):
    course = CoursePage.objects.get(slug=LEAN)
    user, _enrolment = _enrolled(bergen, course, done=1)
    client.force_login(user)
    module = course.modules[1]
    small = _queries(client, module.url)

    _add_modules(course, 6)
    course = CoursePage.objects.get(pk=course.pk)
    for _ in range(5):  # other learners with progress of their own
        _enrolled(bergen, course, done=4)
    for other in course.modules[2:6]:
        if other.completion == "manual":
            module_complete(enrolment=user.enrolments.get(), module=other)
    big = _queries(client, module.url)
    assert small == big == MODULE_PAGE_QUERIES


def test_a_visitor_and_a_learner_not_enrolled_cost_no_more(client, bergen):
    module = CoursePage.objects.get(slug=LEAN).modules[1]
    assert _queries(client, module.url) <= MODULE_PAGE_QUERIES
    client.force_login(MembershipFactory(municipality=bergen).user)
    assert _queries(client, module.url) <= MODULE_PAGE_QUERIES


def _paragraph(module: ModulePage) -> tuple[int, str]:
    raw = module.body.raw_data
    index = next(i for i, block in enumerate(raw) if block["type"] == "paragraph")
    return index, raw[index]["value"]


def test_publishing_an_edit_shows_the_new_text_at_once(client, bergen):
    course = CoursePage.objects.get(slug=LEAN)
    user, _enrolment = _enrolled(bergen, course, done=0)
    client.force_login(user)
    module = ModulePage.objects.get(pk=course.modules[1].pk)
    index, html = _paragraph(module)
    assert client.get(module.url).status_code == 200

    # Changed in the database behind Wagtail's back: the published revision is the same,
    # so the page still shows the cached lesson (the cache is really used).
    raw = copy.deepcopy(list(module.body.raw_data))
    raw[index]["value"] = "<p>Ny tekst fra redaktøren om flyt i tjenesten.</p>"
    ModulePage.objects.filter(pk=module.pk).update(body=raw)
    assert "Ny tekst fra redaktøren" not in client.get(module.url).text

    # An editor's edit, published: the learner sees the new text on the next visit.
    page = ModulePage.objects.get(pk=module.pk)
    raw[index]["value"] = "<p>Publisert tekst om verdistrømmen i hjemmetjenesten.</p>"
    page.body = raw
    page.save_revision().publish()
    text = client.get(module.url).text
    assert "Publisert tekst om verdistrømmen i hjemmetjenesten." in text
    assert html not in text


def test_a_reflection_answer_is_shown_only_to_the_learner_who_wrote_it(client, bergen):
    course = CoursePage.objects.get(slug=LEAN)
    module = course.modules[1]
    author, enrolment = _enrolled(bergen, course, done=0)
    reader, _other = _enrolled(bergen, course, done=0)
    block_id, prompt = next(iter(module.reflection_prompts().items()))
    reflection_save(
        enrolment=enrolment,
        module=module,
        block_id=block_id,
        text="Vi mister tid i overleveringene.",
        prompt=prompt,
    )
    client.force_login(author)
    assert "Vi mister tid i overleveringene." in client.get(module.url).text
    client.force_login(reader)  # the lesson is cached by now; the answer is not in it
    text = client.get(module.url).text
    assert "Vi mister tid i overleveringene." not in text and prompt in text
    assert ReflectionAnswer.objects.count() == 1


def test_the_nynorsk_module_page_counts_the_courses_progress(client, bergen):
    nb = CoursePage.objects.get(slug=NB_SLUG, locale__language_code="nb")
    nn = CoursePage.objects.get(slug=NB_SLUG, locale__language_code="nn")
    user, enrolment = _enrolled(bergen, nb, done=0)
    manual = next(m for m in nb.modules if m.completion == "manual")
    module_complete(enrolment=enrolment, module=manual)
    client.force_login(user)
    nn_module = next(m for m in nn.modules if m.translation_key == manual.translation_key)
    text = client.get(nn_module.url).text
    assert f"1 av {len(nb.modules)} moduler fullført" in text
    assert "Denne modulen er fullført." in text
    assert f'href="{manual.url}"' in text  # the bokmål version of the same module
    enrolment.refresh_from_db()
    assert enrolment.last_module_id == manual.pk  # the visit is kept on the source module
    # As many as in bokmål: the nynorsk site root and the bokmål course are kept too.
    assert _queries(client, nn_module.url) == MODULE_PAGE_QUERIES
