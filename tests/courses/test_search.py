"""Search answers any input, on SQLite (FTS5) and PostgreSQL alike, and the catalogue and
site search leave out pages that are not public."""

import pytest
from wagtail.models import PageViewRestriction

from courses.models import CoursePage, ModulePage
from courses.search import search_words

HOSTILE = [
    'a"b',
    '"',
    '"""',
    "a'b",
    "NOT",
    "lean AND OR NOT NEAR(",
    "lean*",
    "^lean",
    "title:lean",
    "(lean",
    "lean)",
    "-lean",
    "+",
    "a\\b",
    "%_",
    "\x00",
    "💥",
    "ø" * 300,
]


@pytest.mark.parametrize("query", HOSTILE)
@pytest.mark.parametrize("path", ["/sok/", "/kurs/"])
def test_search_answers_any_input(client, demo, path, query):
    assert client.get(path, {"q": query}).status_code == 200


def test_punctuation_and_operators_are_words_not_syntax():
    assert search_words('a"b') == "a b"
    assert search_words("Lean AND (verdistrøm*)") == "lean and verdistrøm"
    assert search_words('"" --') == ""


def test_a_quoted_word_still_finds_it(client, demo):
    html = client.get("/sok/", {"q": '"verdistrømkart"'}).content.decode()
    assert "Kartlegg prosessen før du digitaliserer" in html
    found = client.get("/kurs/", {"q": '"brukerreise'}).content.decode()
    assert "Tjenestedesign i kommunen" in found


def _restrict(page):
    PageViewRestriction.objects.create(page=page, restriction_type="login")


def test_the_catalogue_and_site_search_leave_out_pages_that_are_not_public(client, demo):
    module = ModulePage.objects.get(slug="kartlegg-for-du-digitaliserer")
    course = module.get_parent().specific
    assert course.title in client.get("/kurs/", {"q": "verdistrømkart"}).content.decode()
    _restrict(module)  # a restricted module no longer makes its course a hit
    catalogue = client.get("/kurs/", {"q": "verdistrømkart"}).content.decode()
    assert course.title not in catalogue
    assert module.title not in client.get("/sok/", {"q": "verdistrømkart"}).content.decode()
    _restrict(CoursePage.objects.get(pk=course.pk))
    words = course.title.split()[0]
    assert course.title not in client.get("/kurs/", {"q": words}).content.decode()
    assert course.title not in client.get("/sok/", {"q": words}).content.decode()
