"""Bokmål, nynorsk and English: the catalogues are complete, a municipality's målform is its
people's default, and a person's own choice follows their account."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from learners.models import MunicipalitySettings
from tests.factories import MembershipFactory, OrgUnitFactory
from tests.learners.hr_support import totp_for

LOCALE = Path(settings.BASE_DIR) / "locale"


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_every_interface_string_is_translated_and_none_is_fuzzy(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert missing == [], f"{language}: not translated: {missing[:10]}"
    assert fuzzy == [], f"{language}: fuzzy (shown in English): {fuzzy[:10]}"


def test_the_compiled_nynorsk_catalogue_is_up_to_date():
    source = polib.pofile(str(LOCALE / "nn" / "LC_MESSAGES" / "django.po"))
    compiled = polib.mofile(str(LOCALE / "nn" / "LC_MESSAGES" / "django.mo"))
    assert {e.msgid for e in source.translated_entries()} <= {e.msgid for e in compiled}


def _person(municipality, *, language=""):
    unit = OrgUnitFactory(municipality=municipality, name="Skule")
    user = MembershipFactory(municipality=municipality, org_unit=unit).user
    if language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def _written_standard(municipality, language):
    MunicipalitySettings.objects.update_or_create(
        municipality=municipality, defaults={"language": language}
    )


def _page_language(client, url="/min-laering/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.headers["Content-Language"], response.content.decode()


def test_a_nynorsk_municipality_speaks_nynorsk_to_its_people(client, bergen):
    _written_standard(bergen, "nn")
    client.force_login(_person(bergen))
    language, html = _page_language(client)
    assert language == "nn"
    assert "Mi læring" in html and 'lang="nn"' in html


def test_a_bokmal_municipality_speaks_bokmal(client, bergen):
    _written_standard(bergen, "nb")
    client.force_login(_person(bergen))
    language, html = _page_language(client)
    assert language == "nb"
    assert "Min læring" in html


def test_the_persons_own_choice_wins_and_is_saved_on_the_account(client, bergen):
    _written_standard(bergen, "nn")
    user = _person(bergen)
    client.force_login(user)
    response = client.post(reverse("learners:language"), {"language": "nb", "next": "/profil/"})
    assert response.status_code == 302 and response.headers["Location"] == "/profil/"
    user.refresh_from_db()
    assert user.language == "nb"
    assert _page_language(client)[0] == "nb"
    # On another device (no cookie), the choice follows the account.
    client.cookies.clear()
    client.force_login(user)
    assert _page_language(client)[0] == "nb"


def test_going_back_to_the_municipalitys_language(client, bergen):
    _written_standard(bergen, "nn")
    user = _person(bergen, language="en")
    client.force_login(user)
    assert _page_language(client)[0] == "en"
    response = client.post(reverse("learners:language"), {"language": "", "next": "/profil/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == ""
    assert _page_language(client)[0] == "nn"


def test_a_visitor_picks_a_language_with_the_switch(client, demo):
    assert _page_language(client, "/kurs/")[0] == "nb"
    client.post(reverse("learners:language"), {"language": "nn", "next": "/kurs/"})
    language, html = _page_language(client, "/kurs/")
    assert language == "nn"
    assert "Logg inn" in html and "Registrer deg" in html
    assert 'lang="nn" aria-pressed="true">Nynorsk' in html


def test_the_switch_refuses_unknown_languages_and_foreign_redirects(client, demo):
    response = client.post(
        reverse("learners:language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert not response.headers["Location"].startswith("https://evil.example")
    assert _page_language(client, "/kurs/")[0] == "nb"


def test_hr_sets_the_municipalitys_written_standard(client, bergen):
    hr = _person(bergen)
    membership = hr.memberships.get()
    membership.is_hr = True
    membership.save()
    totp_for(hr)
    client.force_login(hr)
    response = client.post(
        reverse("hr:settings"),
        {
            "language": "nn",
            "reminders_enabled": "on",
            "remind_days_before": 7,
            "overdue_reminders": "on",
            "hr_digest": "on",
            "retention_months": 36,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert MunicipalitySettings.objects.get(municipality=bergen).language == "nn"
    # People of Bergen see nynorsk from their next sign-in.
    client.logout()
    client.force_login(_person(bergen))
    assert _page_language(client)[0] == "nn"
