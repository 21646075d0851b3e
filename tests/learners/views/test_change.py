"""Change in practice through the browser: a manager writes a plan, records two follow-ups and
sees the chart and table; foreign ids are 404; HR sees aggregates of their own municipality
only, with the reason when a group is too small; the export is safe from formulas."""

import datetime as dt

import pytest
from django.urls import reverse

from courses.models import CoursePage
from courses.services import SEED_DIR, TRANSLATION_LANGUAGES
from learners.models import ActionPlan, ChangeAgent, Enrolment
from learners.services.change import ChangeError, change_agent_set
from learners.services.learning import enrolment_create
from tests.learners.change_support import BENEFIT, completed, manager, plan_course, plan_for
from tests.learners.hr_support import complete_course, person, totp_for, unit

pytestmark = pytest.mark.django_db
THRESHOLD_TEXT = "groups of at least five people"


def _plan_post(**extra):
    data = {
        "title": "Digitalt tilsyn om natten",
        "change": "Nattevakten bruker sensorer i stedet for runder.",
        "involve_employees": "Alle på natt",
        "involve_union": "Hovedtillitsvalgt",
        "involve_agents": "Kari",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-0-text": "Informere",
        "steps-0-due_date": "2026-02-01",
        "benefits-TOTAL_FORMS": "1",
        "benefits-INITIAL_FORMS": "0",
    }
    for key, value in BENEFIT.items():
        data[f"benefits-0-{key}"] = str(value)
    return {**data, **extra}


def test_a_manager_writes_a_plan_records_two_follow_ups_and_sees_the_chart(client, bergen):
    user = manager(bergen, unit(bergen, "Helse"))
    course = plan_course()
    completed(user, course)
    client.force_login(user)
    panel = client.get(course.url).content.decode()
    create_url = reverse("learners:change_plan_create", args=[course.pk])
    assert create_url in panel
    response = client.post(create_url, _plan_post())
    plan = ActionPlan.objects.get(user=user)
    assert response.status_code == 302 and response.url == f"/endring/planer/{plan.pk}/"
    benefit = plan.benefits.get()
    for check_in, value in zip(plan.check_ins.all()[:2], ("17.5", "14"), strict=True):
        url = reverse("learners:change_check_in", args=[plan.pk, check_in.pk])
        prefix = f"b{benefit.pk}"
        posted = client.post(
            url,
            {f"{prefix}-value": value, f"{prefix}-status": "on_track", f"{prefix}-note": "Bra"},
        )
        assert posted.status_code == 302
    page = client.get(f"/endring/planer/{plan.pk}/").content.decode()
    assert page.count('class="endra-chart__point"') == 2
    assert "<table" in page and "17,5" in page and "14" in page and "20" in page
    assert "I rute" in page or "On track" in page
    assert client.get(reverse("learners:my_learning")).content.decode().count(plan.title) >= 1


def test_an_invalid_plan_shows_errors_and_saves_nothing(client, bergen):
    user = manager(bergen, unit(bergen, "Helse"))
    course = plan_course()
    completed(user, course)
    client.force_login(user)
    response = client.post(
        reverse("learners:change_plan_create", args=[course.pk]),
        _plan_post(**{"benefits-0-target_date": "2025-01-01"}),
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ActionPlan.objects.filter(user=user).exists()


def test_someone_elses_plan_and_check_ins_are_404(client, bergen, oslo):
    plan = plan_for(manager(bergen, unit(bergen, "Helse")), plan_course())
    check_in = plan.check_ins.first()
    for intruder in (manager(bergen, None, 7), manager(oslo, None, 8)):
        client.force_login(intruder)
        for url in (
            reverse("learners:change_plan", args=[plan.pk]),
            reverse("learners:change_plan_edit", args=[plan.pk]),
            reverse("learners:change_check_in", args=[plan.pk, check_in.pk]),
        ):
            assert client.get(url).status_code == 404
            assert client.post(url, {}).status_code == 404


def test_plan_needs_a_completed_course_with_plans_enabled(client, bergen):
    user = manager(bergen, unit(bergen, "Helse"))
    course = plan_course()
    client.force_login(user)
    assert client.get(reverse("learners:change_plan_create", args=[course.pk])).status_code == 404


def test_readiness_form_has_a_radio_group_per_statement_with_legends(client, bergen):
    user = manager(bergen, unit(bergen, "Helse"))
    course = plan_course()
    enrolment_create(user=user, course=course)
    client.force_login(user)
    url = reverse("learners:change_readiness", args=[course.pk])
    assert url in client.get(reverse("learners:my_learning")).content.decode()
    page = client.get(url).content.decode()
    assert (
        page.count("<legend") - client.get("/min-laering/").content.decode().count("<legend") == 11
        and page.count('type="radio"') == 50
    )
    answers = dict.fromkeys(("why", "goal", "involved", "union", "time"), "4")
    answers |= dict.fromkeys(("support", "skills", "try", "mistakes", "benefits"), "2")
    assert client.post(url, answers).status_code == 302
    page = client.get(url).content.decode()
    assert 'name="why"' not in page  # answered once: the form is gone, the table is there
    assert "<td>4</td>" in page and "<td>2</td>" in page and "<td>3</td>" in page


def test_change_agents_are_visible_only_inside_the_municipality(client, bergen, oslo):
    agent = person(bergen, name="Ada Agent")
    client.force_login(agent)
    client.post(reverse("learners:change_volunteer"), {"works_on": "Velferdsteknologi"})
    assert ChangeAgent.objects.filter(user=agent, source="volunteer").exists()
    client.force_login(person(bergen, name="Berit Bergen"))
    assert "Velferdsteknologi" in client.get(reverse("learners:change_agents")).content.decode()
    client.force_login(person(oslo, name="Ola Oslo"))
    assert "Velferdsteknologi" not in client.get(reverse("learners:change_agents")).content.decode()


def _hr(municipality, name="Hanne HR"):
    hr = person(municipality, name=name, is_hr=True)
    totp_for(hr)
    return hr


def test_hr_sees_the_threshold_reason_and_figures_only_from_five(client, bergen):
    helse = unit(bergen, "Helse")
    course = plan_course()
    for i in range(4):
        plan_for(manager(bergen, helse, i), course)
    client.force_login(_hr(bergen))
    page = client.get(reverse("hr:change")).content.decode()
    assert THRESHOLD_TEXT in page or "minst fem personer" in page
    assert "Hidden" in page or "Skjult" in page
    plan_for(manager(bergen, helse, 9), course)
    page = client.get(reverse("hr:change")).content.decode()
    assert "<td>5</td>" in page
    assert "Digitalt tilsyn" not in page  # never a plan's own words


def test_hr_of_another_municipality_sees_nothing_of_it(client, bergen, oslo):
    helse = unit(bergen, "Helse")
    course = plan_course()
    for i in range(6):
        plan_for(manager(bergen, helse, i), course)
    client.force_login(_hr(oslo, "Oda Oslo"))
    page = client.get(reverse("hr:change")).content.decode()
    assert "Helse" not in page and "<td>6</td>" not in page
    assert client.get(reverse("hr:change_unit", args=[helse.pk])).status_code == 404
    agent = ChangeAgent.objects.create(
        user=manager(bergen, helse, 99), municipality=bergen, works_on="x", source="hr"
    )
    url = reverse("hr:change_agent_remove", args=[agent.pk])
    assert client.post(url).status_code == 404


def test_learners_cannot_open_the_hr_view(client, bergen):
    client.force_login(manager(bergen, unit(bergen, "Helse")))
    assert client.get(reverse("hr:change")).status_code == 404


def test_export_is_aggregated_and_safe_from_formulas(client, bergen):
    evil = unit(bergen, '=HYPERLINK("http://x")')
    course = plan_course()
    for i in range(5):
        plan_for(manager(bergen, evil, i), course)
    client.force_login(_hr(bergen))
    response = client.get(reverse("hr:change") + "?format=csv")
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body
    assert "Endringsplaner" in body and "Digitalt tilsyn" not in body and "Bra" not in body
    xlsx = client.get(reverse("hr:change") + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd")


def test_hr_designates_a_change_agent_of_their_own_municipality_only(client, bergen, oslo):
    client.force_login(_hr(bergen))
    own = person(bergen, name="Eva Egen", email="eva@bergen.example")
    person(oslo, name="Ola Fremmed", email="ola@oslo.example")
    url = reverse("hr:change_agents")
    client.post(url, {"email": "eva@bergen.example", "works_on": "Ny journal"})
    assert ChangeAgent.objects.get(user=own).source == "hr"
    response = client.post(url, {"email": "ola@oslo.example", "works_on": "Ny journal"})
    assert response.status_code == 200 and ChangeAgent.objects.count() == 1


def test_change_agent_set_refuses_a_membership_of_someone_else(bergen):
    a, b = person(bergen, name="A A"), person(bergen, name="B B")
    with pytest.raises(ChangeError):
        change_agent_set(user=a, membership=b.memberships.get(), works_on="x", source="hr", actor=a)


def test_check_in_dates_are_plain(bergen):
    plan = plan_for(manager(bergen, unit(bergen, "Helse")), plan_course())
    assert all(isinstance(c.due_on, dt.date) for c in plan.check_ins.all())


# Every seed course, in bokmål and in each language it is translated into.
SEED_VERSIONS = [(path.stem, "nb") for path in sorted(SEED_DIR.glob("*.json"))] + [
    (path.stem, language)
    for language in TRANSLATION_LANGUAGES
    for path in sorted((SEED_DIR / language).glob("*.json"))
]


@pytest.mark.parametrize(("slug", "language"), SEED_VERSIONS)
def test_the_last_task_in_the_unit_of_every_course_starts_a_plan_with_what_the_learner_wrote(
    client, bergen, slug, language
):
    course = CoursePage.objects.get(slug=slug, locale__language_code=language)
    last = course.last_unit_task_module()
    assert last is not None and last.pk == course.modules[-1].pk
    reflection_id = next(iter(last.reflection_prompts()))
    user = manager(bergen, unit(bergen, "Helse"))
    client.force_login(user)
    client.post(reverse("learners:enrol", args=[course.pk]))
    wrote = f"Vi skal prøve tavlemøter to ganger i uka ({slug}, {language})."
    saved = client.post(
        reverse("learners:reflection", args=[last.pk, reflection_id]),
        {f"{reflection_id}-text": wrote},
    )
    assert saved.status_code == 302
    create_url = reverse("learners:change_plan_create", args=[course.pk])
    # Before the course is completed the task says what comes, without a dead link.
    before = client.get(last.url).content.decode()
    assert 'id="task-offer-heading"' in before and create_url not in before
    assert 'id="task-offer-heading"' not in client.get(course.modules[0].url).content.decode()

    source = CoursePage.objects.get(
        translation_key=course.translation_key, locale__language_code="nb"
    )
    complete_course(user, source)
    page = client.get(last.url).content.decode()
    offer = page[page.index('id="task-offer-heading"') :]
    assert create_url in offer
    form = client.get(create_url)
    assert form.status_code == 200
    html = form.content.decode()
    change_field = html[html.index('name="change"') :]
    assert change_field[change_field.index(">") + 1 :].lstrip().startswith(wrote)
    # Says where the text came from, in the learner's language (here bokmål).
    assert source.last_unit_task_module().title in html

    posted = client.post(create_url, _plan_post(change=wrote + " Og evaluere etter fire uker."))
    assert posted.status_code == 302
    plan = ActionPlan.objects.get(enrolment=Enrolment.objects.get(user=user, course=source))
    assert plan.change.startswith(wrote)
    after = client.get(last.url).content.decode()
    assert reverse("learners:change_plan", args=[plan.pk]) in after and create_url not in after


def test_a_plan_started_without_a_reflection_starts_empty(client, bergen):
    course = CoursePage.objects.get(slug="lean-i-kommunale-tjenester", locale__language_code="nb")
    user = manager(bergen, unit(bergen, "Helse"))
    enrolment_create(user=user, course=course)
    complete_course(user, course)
    client.force_login(user)
    html = client.get(reverse("learners:change_plan_create", args=[course.pk])).content.decode()
    change_field = html[html.index('name="change"') :]
    assert change_field[change_field.index(">") + 1 :].lstrip().startswith("</textarea>")
    assert 'data-color="info"' not in html
