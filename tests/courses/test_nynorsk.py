"""Courses in bokmål and nynorsk: one course, two language versions. The nynorsk
Endringsledelse is seeded as a Wagtail translation of the bokmål one, served under /nn/, and
every learning record (enrolment, progress, attempts, certificate, HR's report) counts the
course, not the language."""

import json

import pytest
from django.utils import timezone
from wagtail.models import Page

from courses import translations
from courses.models import CatalogPage, CoursePage, ModulePage
from courses.quiz import snapshot_in_language
from courses.selectors import site_search
from courses.services import SEED_DIR, seed_courses_import
from learners.models import Certificate, Enrolment, ModuleProgress, QuizAttempt
from learners.permissions import HRScope
from learners.selectors.reports import Filters, assigned_rows
from learners.services.assignments import assignment_create
from learners.services.certificates import certificate_issue, certificate_pdf_html

SLUG = "endringsledelse-for-mellomledere"
NN_TITLE = "Endringsleiing for mellomleiarar"


def _versions():
    nb = CoursePage.objects.get(slug=SLUG, locale__language_code="nb")
    nn = CoursePage.objects.get(slug=SLUG, locale__language_code="nn")
    return nb, nn


def _modules(course):
    return list(ModulePage.objects.child_of(course).live().order_by("path"))


def test_the_nynorsk_course_is_a_complete_translation_of_the_bokmal_one(demo):
    nb, nn = _versions()
    assert nn.translation_key == nb.translation_key and nn.live
    assert nn.title == NN_TITLE
    nb_modules, nn_modules = _modules(nb), _modules(nn)
    assert [m.slug for m in nn_modules] == [m.slug for m in nb_modules]
    assert [m.translation_key for m in nn_modules] == [m.translation_key for m in nb_modules]
    data = json.loads((SEED_DIR / f"{SLUG}.json").read_text(encoding="utf-8"))
    assert len(nn_modules) == len(data["modules"])
    for source, version in [(nb, nn), *zip(nb_modules, nn_modules, strict=True)]:
        asked, shown = source.quiz_snapshot(), version.quiz_snapshot()
        # Same questions and choices with the same ids, kinds and keys; the words differ.
        assert [q["id"] for q in shown] == [q["id"] for q in asked]
        assert [[c["id"] for c in q["choices"]] for q in shown] == [
            [c["id"] for c in q["choices"]] for q in asked
        ]
        assert [[c["correct"] for c in q["choices"]] for q in shown] == [
            [c["correct"] for c in q["choices"]] for q in asked
        ]
        assert all(a["text"] != b["text"] for a, b in zip(asked, shown, strict=True))
        if isinstance(source, ModulePage):
            assert list(version.reflection_prompts()) == list(source.reflection_prompts())
    assert nn.modules[0].body[1].value.source != nb.modules[0].body[1].value.source


def test_the_nynorsk_text_uses_nynorsk_forms(demo):
    _nb, nn = _versions()
    text = json.dumps(
        json.loads((SEED_DIR / "nn" / f"{SLUG}.json").read_text(encoding="utf-8")),
        ensure_ascii=False,
    ).lower()
    for word in ["eininga", "tilsette", "leiar", "kva", "korleis", "ikkje", "berre"]:
        assert word in text
    for bokmal in [" ikke ", " hva ", " hvordan ", " ansatte ", " bare ", " enheten "]:
        assert bokmal not in text, bokmal
    assert "leiing" in nn.title.lower()


def test_seeding_again_changes_nothing(demo):
    catalog = CatalogPage.objects.get(locale__language_code="nb")
    pages, revisions = Page.objects.count(), sum(p.revisions.count() for p in Page.objects.all())
    seed_courses_import(catalog=catalog)
    assert Page.objects.count() == pages
    assert sum(p.revisions.count() for p in Page.objects.all()) == revisions
    assert CoursePage.objects.filter(slug=SLUG).count() == 2


def test_bokmal_urls_stay_and_nynorsk_lives_under_nn(client, demo):
    nb, nn = _versions()
    assert nb.url == f"/kurs/{SLUG}/"
    assert nn.url == f"/nn/kurs/{SLUG}/"
    assert _modules(nn)[0].url == f"/nn/kurs/{SLUG}/{_modules(nb)[0].slug}/"
    nb_page, nn_page = client.get(nb.url), client.get(nn.url)
    assert nb_page.status_code == nn_page.status_code == 200
    assert "Endringsledelse for mellomledere" in nb_page.text
    assert NN_TITLE in nn_page.text and 'lang="nn"' in nn_page.text
    # Each version links to the other.
    assert f'href="{nn.url}"' in nb_page.text and f'href="{nb.url}"' in nn_page.text
    assert client.get(f"/nn/kurs/{SLUG}-finst-ikkje/").status_code == 404


def test_the_catalogue_shows_which_courses_are_also_in_nynorsk(client, demo):
    page = client.get("/kurs/").text
    assert page.count("Finnes også på nynorsk") == 1
    nynorsk = client.get("/nn/kurs/").text
    # The nynorsk catalogue lists every course, the translated one in nynorsk.
    assert NN_TITLE in nynorsk and "Lean i kommunale tjenester" in nynorsk
    assert f'href="/nn/kurs/{SLUG}/"' in nynorsk
    assert nynorsk.count("Finnes også på bokmål") == 1


def test_switching_language_keeps_progress_in_one_enrolment(client, learner):
    nb, nn = _versions()
    client.force_login(learner)
    response = client.post(f"/laering/kurs/{nn.pk}/meld-pa/")
    assert response.status_code == 302 and response.url.startswith(f"/nn/kurs/{SLUG}/")
    enrolment = Enrolment.objects.get(user=learner)
    assert enrolment.course_id == nb.pk
    nb_modules, nn_modules = _modules(nb), _modules(nn)
    second = nn_modules[1]  # completed by the learner marking it done
    assert second.completion == "manual"
    response = client.post(f"/laering/modul/{second.pk}/fullfort/")
    assert response.url == nn_modules[2].url  # on to the next module, still in nynorsk
    assert list(ModuleProgress.objects.filter(enrolment=enrolment).values_list("module_id")) == [
        (nb_modules[1].pk,)
    ]
    # Enrolling again from the bokmål page is the same row, and the progress shows there.
    client.post(f"/laering/kurs/{nb.pk}/meld-pa/")
    assert Enrolment.objects.filter(user=learner).count() == 1
    page = client.get(nb.url).text
    assert f"1 av {len(nb_modules)} moduler fullført" in page
    # A reflection written in nynorsk is found from the bokmål module.
    block_id = next(iter(nn_modules[1].reflection_prompts()))
    client.post(
        f"/laering/modul/{nn_modules[1].pk}/refleksjon/{block_id}/",
        {f"{block_id}-text": "Vi tok det opp på personalmøtet."},
    )
    assert enrolment.reflections.get().module_id == nb_modules[1].pk
    assert "Vi tok det opp på personalmøtet." in client.get(nb_modules[1].url).text


def test_a_quiz_taken_in_nynorsk_is_graded_on_the_course_and_completes_the_module(client, learner):
    nb, nn = _versions()
    client.force_login(learner)
    client.post(f"/laering/kurs/{nb.pk}/meld-pa/")
    nb_first, nn_first = _modules(nb)[0], _modules(nn)[0]
    assert nn_first.completion == "quiz"
    page = client.get(f"/laering/quiz/{nn_first.pk}/")
    assert page.status_code == 200
    attempt = QuizAttempt.objects.get(enrolment__user=learner)
    assert attempt.quiz_page_id == nb_first.pk
    assert attempt.snapshot[0]["text"] == nn_first.quiz_snapshot()[0]["text"]
    assert attempt.snapshot[0]["text"] in page.text
    data = {"attempt": attempt.pk}
    for question in attempt.snapshot:
        qid, choices = question["id"], question["choices"]
        if question["kind"] == "ordering":
            for position, choice in enumerate(choices, start=1):
                data[f"o__{qid}__{choice['id']}"] = str(position)
        elif question["kind"] == "multiple":
            data[f"q-{qid}"] = [c["id"] for c in choices if c["correct"]]
        else:
            data[f"q-{qid}"] = next(c["id"] for c in choices if c["correct"])
    response = client.post(f"/laering/quiz/{nn_first.pk}/", data)
    attempt.refresh_from_db()
    assert response.status_code == 302, response.content[:500]
    assert attempt.passed
    enrolment = Enrolment.objects.get(user=learner)
    assert enrolment.progress.get().module_id == nb_first.pk
    # The bokmål quiz page knows it is passed: no new attempt starts there.
    assert "bestått" in client.get(nb_first.url).text


def test_snapshot_in_language_keeps_the_source_grading_when_a_translation_drifts():
    source = [
        {
            "id": "q1",
            "kind": "single",
            "text": "Hva?",
            "explanation": "",
            "choices": [
                {"id": "a", "text": "Ja", "correct": True, "feedback": ""},
                {"id": "b", "text": "Nei", "correct": False, "feedback": ""},
            ],
        },
        {"id": "q2", "kind": "true_false", "text": "Sant?", "explanation": "", "choices": []},
    ]
    drifted = [
        {
            "id": "q1",
            "kind": "multiple",
            "text": "Kva?",
            "explanation": "Difor.",
            "choices": [
                {"id": "b", "text": "Nei", "correct": True, "feedback": "Feil"},
                {"id": "a", "text": "Ja", "correct": False, "feedback": "Rett"},
            ],
        }
    ]
    result = snapshot_in_language(source, drifted)
    assert result[0]["kind"] == "single" and result[0]["text"] == "Kva?"
    assert [(c["id"], c["correct"], c["feedback"]) for c in result[0]["choices"]] == [
        ("a", True, "Rett"),
        ("b", False, "Feil"),
    ]
    assert result[1] == source[1]


def test_hr_sees_one_row_and_the_certificate_is_in_the_learners_language(learner, bergen):
    nb, nn = _versions()
    learner.language = "nn"
    learner.save(update_fields=["language"])
    assignment_create(municipality=bergen, actor=None, target="people", course=nb, people=[learner])
    enrolment = Enrolment.objects.get(user=learner, course=nb)
    enrolment.status, enrolment.completed_at = Enrolment.Status.COMPLETED, timezone.now()
    enrolment.save()
    rows = assigned_rows(scope=HRScope(municipality=bergen), filters=Filters()).filter(user=learner)
    assert rows.count() == 1
    certificate = certificate_issue(enrolment=enrolment)
    assert certificate.title == NN_TITLE and certificate.language == "nn"
    html = certificate_pdf_html(certificate=certificate)
    assert '<html lang="nn">' in html and "Dette stadfestar at" in html and NN_TITLE in html
    assert Certificate.objects.filter(user=learner).count() == 1
    assert translations.canonical(nn) == nb and translations.in_language(nb, "nn") == nn


@pytest.mark.parametrize("language", ["nb", "en"])
def test_a_certificate_in_bokmal_or_english_has_the_bokmal_title(learner, language):
    nb, _nn = _versions()
    learner.language = language
    learner.save(update_fields=["language"])
    enrolment = Enrolment.objects.create(
        user=learner,
        municipality=learner.memberships.get().municipality,
        course=nb,
        status=Enrolment.Status.COMPLETED,
        completed_at=timezone.now(),
    )
    certificate = certificate_issue(enrolment=enrolment)
    assert certificate.title == nb.title and certificate.language == language
    html = certificate_pdf_html(certificate=certificate)
    expected = {"nb": "Dette bekrefter at", "en": "This is to certify that"}[language]
    assert expected in html and "Dette stadfestar at" not in html


def test_editors_may_translate_and_edit_the_nynorsk_pages_under_review(demo):
    from django.contrib.auth.models import Group
    from wagtail.models import GroupPagePermission, WorkflowPage

    from cms.models import HomePage

    nn_home = HomePage.objects.get(locale__language_code="nn")
    editors = Group.objects.get(name="Editors")
    assert editors.permissions.filter(codename="submit_translation").exists()
    assert GroupPagePermission.objects.filter(
        group=editors, page=nn_home, permission__codename="change_page"
    ).exists()
    assert WorkflowPage.objects.filter(page=nn_home).exists()


def test_search_lists_a_translated_page_once_in_the_readers_language(demo):
    from django.utils import translation

    nb, nn = _versions()
    with translation.override("nb"):
        found = [page.pk for page in site_search(query="ADKAR")]
    with translation.override("nn"):
        found_nn = [page.pk for page in site_search(query="ADKAR")]
    first_nb, first_nn = _modules(nb)[0].pk, _modules(nn)[0].pk
    assert first_nb in found and first_nn not in found
    assert first_nn in found_nn and first_nb not in found_nn
