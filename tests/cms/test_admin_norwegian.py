"""The Wagtail admin speaks Norwegian to editors: the strings Wagtail's own catalogue lacks
are filled in Endra's, in the page editor and in the admin's JavaScript."""

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
