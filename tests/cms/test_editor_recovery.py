"""Editors' errors in the page editor are recoverable, and a reviewer's approval is
confirmed: a module whose first save failed, and that autosave then kept as a draft, is saved
on the next try with the same slug; a reviewer who approves is told so."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group

from cms.editorial import EDITORS, REVIEWERS
from courses.models import CoursePage, ModulePage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SLUG = "gevinster-i-egen-enhet"


def _staff(group: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    return user


def _module_form(**extra) -> dict:
    """The add screen's form as the browser sends it for a module without blocks."""
    data = {
        "title": "Gevinster du kan se i egen enhet",
        "slug": SLUG,
        "intro": "En kort modul om gevinster i hverdagen.",
        "estimated_minutes": "10",
        "task_minutes": "30",
        "required": "on",
        "completion": "manual",
        "body-count": "0",
        "quiz-count": "0",
        "pass_mark": "80",
        "max_attempts": "3",
        "wait_minutes": "0",
        "show_answers": "pass_or_last",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }
    return {**data, **extra}


@pytest.fixture
def course(demo):
    return CoursePage.objects.get(slug="lean-i-kommunale-tjenester", locale__language_code="nb")


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_a_failed_first_save_then_autosave_then_a_second_try_with_the_same_slug_succeeds(
    client, course
):
    client.force_login(_staff(EDITORS))
    add_url = f"/admin/pages/add/courses/modulepage/{course.pk}/"
    assert client.get(add_url).status_code == 200
    failed = client.post(add_url, _module_form(completion="quiz", **{"action-submit": "1"}))
    assert failed.status_code == 200
    assert "completion" in failed.context["form"].errors
    assert not ModulePage.objects.filter(slug=SLUG).exists()  # the failed try left nothing
    # Still on the add screen, autosave keeps the work as a draft in the background.
    autosaved = client.post(add_url, _module_form(), HTTP_ACCEPT="application/json")
    assert autosaved.status_code == 200 and autosaved.json()["success"]
    draft = ModulePage.objects.get(slug=SLUG)
    # The editor's next try from the same screen continues that draft, slug and all.
    again = client.post(add_url, _module_form(**{"action-submit": "1"}), follow=True)
    assert again.status_code == 200
    html = again.content.decode()
    assert "allerede i bruk" not in html
    assert "var allerede lagret som utkast" in html
    assert ModulePage.objects.filter(slug=SLUG).count() == 1
    draft.refresh_from_db()
    assert draft.current_workflow_state is not None
    assert draft.current_workflow_state.status == "in_progress"


def test_someone_elses_draft_with_the_slug_is_not_taken_over(client, course):
    other = _staff(EDITORS)
    client.force_login(other)
    add_url = f"/admin/pages/add/courses/modulepage/{course.pk}/"
    client.post(add_url, _module_form(), HTTP_ACCEPT="application/json")
    client.force_login(_staff(EDITORS))
    response = client.post(add_url, _module_form(**{"action-submit": "1"}))
    assert response.status_code == 200
    assert "slug" in response.context["form"].errors
    assert ModulePage.objects.get(slug=SLUG).owner == other


def test_autosave_on_the_add_screen_saves_a_draft_of_a_new_module(client, course):
    client.force_login(_staff(EDITORS))
    add_url = f"/admin/pages/add/courses/modulepage/{course.pk}/"
    response = client.post(add_url, _module_form(), HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["url"] == f"/admin/pages/{ModulePage.objects.get(slug=SLUG).pk}/edit/"


def _submitted_module(client, course) -> ModulePage:
    client.force_login(_staff(EDITORS))
    add_url = f"/admin/pages/add/courses/modulepage/{course.pk}/"
    assert client.post(add_url, _module_form(**{"action-submit": "1"})).status_code == 302
    module = ModulePage.objects.get(slug=SLUG)
    assert module.current_workflow_state.status == "in_progress"
    return module


def test_a_reviewer_who_approves_in_the_page_editor_is_told_it_is_published(client, course):
    module = _submitted_module(client, course)
    client.force_login(_staff(REVIEWERS))
    response = client.post(
        f"/admin/pages/{module.pk}/edit/",
        _module_form(**{"action-workflow-action": "1", "workflow-action-name": "approve"}),
        follow=True,
    )
    module.refresh_from_db()
    assert module.live
    assert f"Du godkjente «{module.title}». Den er publisert" in _messages(response)


def test_a_reviewer_who_approves_from_the_dashboard_is_told_so(client, course):
    module = _submitted_module(client, course)
    client.force_login(_staff(REVIEWERS))
    dashboard = client.get("/admin/").content.decode()
    task_state = module.current_workflow_task_state
    action = f"/admin/pages/workflow/action/{module.pk}/approve/{task_state.pk}/"
    assert action in dashboard
    response = client.post(action, follow=True)
    module.refresh_from_db()
    assert module.live
    assert "Du godkjente" in _messages(response)
    assert not re.search(r"Du godkjente", _messages(client.get("/admin/")))  # said once
