"""The Wagtail admin speaks Norwegian to editors: the strings Wagtail's own catalogue lacks
are filled in Endra's, in the page editor and in the admin's JavaScript."""

import html
import re

import pytest
from allauth.mfa.models import Authenticator

from courses.models import ModulePage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, demo):
    editor = UserFactory(is_staff=True, is_superuser=True)
    Authenticator.objects.create(
        user=editor, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    client.force_login(editor)
    return client


def test_the_page_editor_is_norwegian_where_wagtail_left_english(editor_client):
    module = ModulePage.objects.live().first()
    html = editor_client.get(f"/admin/pages/{module.pk}/edit/").content.decode()
    assert "Tittelen på siden slik den vises offentlig" in html
    assert "Tiittel" not in html
    assert "Velg hvem som kan se den publiserte siden" in html
    assert "Choose who can view the live version of this page" not in html
    assert "Hjelp" in html and ">Help<" not in html
    assert "Lesbarhet" in html and "Readability" not in html


def test_the_admins_javascript_texts_are_norwegian(editor_client):
    js = editor_client.get("/admin/jsi18n/").content.decode()
    for text in ("Sett inn en blokk", "Lukk alle", "Endringene er lagret automatisk."):
        assert text in js


def test_the_review_task_has_the_workflows_name(editor_client):
    module = ModulePage.objects.live().first()
    html = editor_client.get(f"/admin/pages/{module.pk}/edit/").content.decode()
    assert "Faglig vurdering" not in html


# English that Wagtail shows where its own Norwegian catalogue has no text; Endra's has.
ENGLISH = [
    "Exploring",
    "Privacy and access",
    "Request changes",
    "Approve with comment",
    "Collapse all",
    "Insert a block",
    "Go to the first error",
    "Autosave is paused",
    "No other translations",
    "Translate this page",
    "Has child pages",
    "Move selected pages",
    "Search all pages",
    "This data explained",
    "To be created by",
    "Show keyboard shortcuts",
    "Toggle sidebar",
    "Save changes",
    "Preview in mobile size",
    "Insert or edit a link",
    "Paste without formatting",
    "There is one matching page",
    "How we calculate our metrics",
    "Choose who can view the live version",
    "hasn't been submitted for moderation yet",
    "instructions how to enable JavaScript",
]


def _screen(client, url: str, data=None) -> str:
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def _english_in(text: str) -> list[str]:
    found = [phrase for phrase in ENGLISH if phrase in text]
    return found + ([">Help<"] if re.search(r">\s*Help\s*<", text) else [])


def test_the_editors_and_reviewers_main_screens_have_no_english(client, demo):
    from django.contrib.auth.models import Group

    from cms.editorial import EDITORS, REVIEWERS
    from courses.models import CoursePage

    course = CoursePage.objects.get(slug="lean-i-kommunale-tjenester", locale__language_code="nb")
    module = course.modules[0]
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    reviewer = UserFactory(is_staff=True)
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    for user in (editor, reviewer):
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
        )
    client.force_login(editor)
    add = f"/admin/pages/add/courses/modulepage/{course.pk}/"
    screens = {
        "dashboard": _screen(client, "/admin/"),
        "catalogue": _screen(client, f"/admin/pages/{course.get_parent().pk}/"),
        "course": _screen(client, f"/admin/pages/{course.pk}/"),
        "search": _screen(client, "/admin/pages/search/?q=lean"),
        "edit": _screen(client, f"/admin/pages/{module.pk}/edit/"),
        "history": _screen(client, f"/admin/pages/{module.pk}/history/"),
        "workflow history": _screen(client, f"/admin/pages/{module.pk}/workflow_history/"),
        "add": _screen(client, add),
        "add, failed": _screen(
            client, add, {"title": "", "action-submit": "1", "body-count": "0", "quiz-count": "0"}
        ),
        "images": _screen(client, "/admin/images/"),
    }
    # A module sent for review, as the reviewer sees it.
    module.save_revision(user=editor)
    from wagtail.models import Workflow

    Workflow.objects.get(name="Faglig godkjenning").start(module, editor)
    client.force_login(reviewer)
    screens["review"] = _screen(client, f"/admin/pages/{module.pk}/edit/")
    screens["reviewer dashboard"] = _screen(client, "/admin/")
    assert "Be om endringer" in screens["review"] or "endringer" in screens["review"]
    found = {name: _english_in(text) for name, text in screens.items()}
    assert not any(found.values()), {name: words for name, words in found.items() if words}
