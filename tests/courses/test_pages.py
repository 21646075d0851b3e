import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from wagtail.models import Page, Workflow

from cms.models import HomePage, StandardPage
from courses.models import CatalogPage, CoursePage, LearningPath, ModulePage
from courses.services import SEED_DIR


def test_seed_content_loads_twice_without_duplicates(demo):
    counts = (CoursePage.objects.count(), ModulePage.objects.count(), LearningPath.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        CoursePage.objects.count(),
        ModulePage.objects.count(),
        LearningPath.objects.count(),
    ) == counts
    assert counts[0] >= 4 and counts[1] >= 16


def test_every_seed_course_has_substance():
    for path in SEED_DIR.glob("*.json"):
        course = json.loads(path.read_text(encoding="utf-8"))
        assert len(course["modules"]) >= 4, path.name
        assert len(course["final_quiz"]["questions"]) >= 5, path.name
        for module in course["modules"]:
            kinds = {block["type"] for block in module["body"]}
            assert {"case", "reflection", "unit_task"} <= kinds, module["key"]
            words = sum(
                len(json.dumps(block["value"], ensure_ascii=False).split())
                for block in module["body"]
            )
            assert 400 <= words <= 1000, (module["key"], words)


def test_page_types_can_only_be_built_in_the_right_order(demo):
    assert CatalogPage.allowed_parent_page_models() == [HomePage]
    catalog = CatalogPage.objects.get(locale__language_code="nb")
    course = CoursePage.objects.first()
    assert CoursePage.can_create_at(catalog)
    assert not CoursePage.can_create_at(HomePage.objects.get(locale__language_code="nb"))
    assert not ModulePage.can_create_at(catalog)
    assert ModulePage.can_create_at(course)
    assert not CoursePage.can_create_at(course)
    assert not StandardPage.can_create_at(course)
    assert ModulePage.allowed_subpage_models() == []


def test_a_course_image_needs_alternative_text(demo):
    course = CoursePage.objects.first()
    course.image_id = 1
    course.image_alt = " "
    with pytest.raises(ValidationError) as error:
        course.clean()
    assert "image_alt" in error.value.message_dict


def test_a_quiz_module_needs_questions(demo):
    module = ModulePage.objects.filter(completion="manual").first()
    module.completion = "quiz"
    module.quiz = []
    with pytest.raises(ValidationError):
        module.clean()


def test_catalogue_filters_by_topic_level_duration_and_search(client, demo):
    html = client.get("/kurs/").content.decode()
    assert "Endringsledelse for mellomledere" in html and "Lean i kommunale tjenester" in html
    lean = client.get("/kurs/?emne=lean").content.decode()
    assert "Lean i kommunale tjenester" in lean and "Tjenestedesign i kommunen" not in lean
    advanced = client.get("/kurs/?niva=intermediate").content.decode()
    assert "Gevinstrealisering i praksis" in advanced and "Lean i kommunale" not in advanced
    # Durations are screen time: an hour or less for most seed courses, none over two hours.
    short = client.get("/kurs/?varighet=short").content.decode()
    assert "Lean i kommunale tjenester" in short and "Endringsledelse for mellomledere" not in short
    assert "Ingen kurs passer" in client.get("/kurs/?varighet=long").content.decode()
    found = client.get("/kurs/?q=brukerreise").content.decode()
    assert "Tjenestedesign i kommunen" in found and "Lean i kommunale tjenester" not in found


def test_module_blocks_render_with_their_templates(client, demo):
    module = ModulePage.objects.first()
    html = client.get(module.url).content.decode()
    assert 'class="endra-case"' in html and 'class="endra-task"' in html
    assert 'class="endra-reflection"' in html
    assert html.count("<h2") >= 2


def test_rich_text_is_sanitised_when_rendered(client, demo):
    module = ModulePage.objects.first()
    module.body = [
        {"type": "paragraph", "value": '<p onclick="x()">Hei<script>alert(1)</script></p>'}
    ]
    module.save_revision().publish()
    html = client.get(module.url).content.decode()
    assert "<script>alert" not in html and "onclick" not in html and "Hei" in html


def test_no_correct_answer_or_feedback_reaches_learner_facing_html(client, demo):
    from tests.factories import MembershipFactory

    course = CoursePage.objects.get(slug="lean-i-kommunale-tjenester")
    learner = MembershipFactory(municipality_id=_bergen_id()).user
    client.force_login(learner)
    client.post(f"/laering/kurs/{course.pk}/meld-pa/")
    pages = [course.url, *[m.url for m in course.modules], f"/laering/quiz/{course.pk}/"]
    pages += [f"/laering/quiz/{m.pk}/" for m in course.modules if m.has_quiz]
    feedback = [
        choice["feedback"]
        for page in [course, *course.modules]
        for question in page.quiz_snapshot()
        for choice in question["choices"]
        if choice["feedback"]
    ] + [q["explanation"] for q in course.quiz_snapshot() if q["explanation"]]
    assert feedback
    for url in pages:
        html = client.get(url).content.decode()
        assert '"correct"' not in html and "correct=" not in html
        for text in feedback:
            assert text not in html, (url, text[:40])


def _bergen_id():
    from learners.models import Municipality

    return Municipality.objects.get(number="4601").pk


def test_editorial_workflow_and_groups_exist(demo):
    workflow = Workflow.objects.get(name="Faglig godkjenning")
    task = workflow.workflow_tasks.get().task
    assert task.name == "Faglig godkjenning", "one name for the workflow and its only step"
    assert task.specific.groups.filter(name="Reviewers").exists()
    home = HomePage.objects.get(locale__language_code="nb")
    assert home.get_workflow() == workflow
    assert Page.objects.type(CoursePage).first().get_workflow() == workflow


def test_an_old_task_name_is_renamed_not_duplicated_by_the_seed(demo):
    from wagtail.models import Task

    from cms.editorial import editorial_setup

    workflow = Workflow.objects.get(name="Faglig godkjenning")
    task = workflow.workflow_tasks.get().task
    Task.objects.filter(pk=task.pk).update(name="Faglig vurdering")
    editorial_setup(root=HomePage.objects.get(locale__language_code="nb"))
    assert workflow.workflow_tasks.get().task.name == "Faglig godkjenning"
    assert not Task.objects.filter(name="Faglig vurdering").exists()


def test_editors_have_no_permission_on_learner_records_or_users(demo):
    from django.contrib.auth.models import Group

    for name in ("Editors", "Reviewers"):
        labels = set(
            Group.objects.get(name=name).permissions.values_list(
                "content_type__app_label", flat=True
            )
        )
        assert "learners" not in labels and "auth" not in labels


def test_site_search_finds_published_courses_and_modules(client, demo):
    html = client.get("/sok/?q=verdistrømkart").content.decode()
    assert "Kartlegg prosessen før du digitaliserer" in html
    module = ModulePage.objects.get(slug="kartlegg-for-du-digitaliserer")
    module.unpublish()
    html = client.get("/sok/?q=verdistrømkart").content.decode()
    assert "Kartlegg prosessen før du digitaliserer" not in html


def test_every_page_type_can_be_previewed(rf, demo, admin_user):
    for model in (HomePage, StandardPage, CatalogPage, CoursePage, ModulePage):
        page = model.objects.first()
        request = rf.get("/")
        request.user = admin_user
        response = page.make_preview_request(request, page.default_preview_mode)
        assert response.status_code == 200, model.__name__


def test_scheduled_publishing_publishes_a_revision_when_its_time_comes(demo):
    from datetime import timedelta

    from django.utils import timezone

    from cms.tasks import publish_scheduled_pages

    module = ModulePage.objects.first()
    module.title = "Ny tittel som publiseres senere"
    revision = module.save_revision()
    revision.approved_go_live_at = timezone.now() - timedelta(minutes=1)
    revision.save()
    publish_scheduled_pages()
    assert ModulePage.objects.get(pk=module.pk).title == "Ny tittel som publiseres senere"


def test_publishing_a_new_revision_keeps_progress_and_reflections(client, demo, learner):
    from learners.models import ModuleProgress, ReflectionAnswer
    from learners.services.learning import enrolment_create, module_complete, reflection_save

    course = CoursePage.objects.get(slug="tjenestedesign-i-kommunen")
    module = next(m for m in course.modules if m.completion == "manual")
    enrolment = enrolment_create(user=learner, course=course)
    module_complete(enrolment=enrolment, module=module)
    block_id = next(iter(module.reflection_prompts()))
    reflection_save(enrolment=enrolment, module=module, block_id=block_id, text="Mitt svar")
    module.body = [b for b in module.body.raw_data if b["type"] != "case"]
    module.title = "Revidert modul"
    module.save_revision().publish()
    assert ModuleProgress.objects.filter(enrolment=enrolment, module_id=module.pk).exists()
    assert ReflectionAnswer.objects.get(enrolment=enrolment).text == "Mitt svar"
    client.force_login(learner)
    html = client.get(ModulePage.objects.get(pk=module.pk).url).content.decode()
    assert "Mitt svar" in html and "Revidert modul" in html


def test_course_and_module_pages_show_screen_time_and_the_task_in_the_unit(client, demo):
    course = CoursePage.objects.get(slug="lean-i-kommunale-tjenester", locale__language_code="nb")
    module = course.modules[-1]
    assert module.task_minutes == 165 and course.task_minutes == sum(
        m.task_minutes for m in course.modules
    )
    page = client.get(course.url).content.decode()
    assert f"ca. {course.estimated_minutes} min på skjerm + ca. " in page
    assert "oppgaver i enheten" in page
    assert (
        f"ca. {module.estimated_minutes} min på skjerm + ca. 2 t 45 min oppgave i enheten" in page
    )
    lesson = client.get(module.url).content.decode()
    assert (
        f"ca. {module.estimated_minutes} min på skjerm + ca. 2 t 45 min oppgave i enheten" in lesson
    )
    nynorsk = CoursePage.objects.get(
        slug="endringsledelse-for-mellomledere", locale__language_code="nn"
    )
    client.cookies["django_language"] = "nn"
    first = nynorsk.modules[0]
    expected = f"ca. {first.estimated_minutes} min på skjerm + ca. {first.task_minutes} min"
    assert f"{expected} oppgåve i eininga" in client.get(first.url).content.decode()
