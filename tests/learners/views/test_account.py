"""Account: where people land after logging in, and the first two-factor set-up as one flow
that keeps the page the person was going to."""

import datetime as dt
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import PASSWORD, MunicipalityFactory, UserFactory
from tests.learners.hr_support import person, totp_for, unit

pytestmark = pytest.mark.django_db

ACTIVATE = "/konto/2fa/totp/activate/"
CODES = "/konto/2fa/recovery-codes/"


@pytest.fixture
def kommune(db):
    return MunicipalityFactory(name="Fjordvik")


def log_in(client, user, next_url: str = ""):
    data = {"login": user.email, "password": PASSWORD}
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def current_code(client) -> str:
    secret = client.session["mfa.totp.secret"]
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_a_learner_lands_on_my_learning_after_logging_in(client, kommune):
    learner = person(kommune, unit(kommune, "Skole"), name="Lise Lærer")
    response = log_in(client, learner)
    assert response["Location"] == reverse("learners:my_learning")


def test_hr_lands_on_the_hr_overview_after_logging_in(client, kommune):
    hr = person(kommune, name="Hanne HR", is_hr=True)
    assert log_in(client, hr)["Location"] == reverse("hr:dashboard")


def test_an_editor_without_a_municipality_lands_in_the_admin(client):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    assert log_in(client, editor)["Location"] == reverse("wagtailadmin_home")


def test_an_explicit_next_wins_over_the_landing_page(client, kommune):
    learner = person(kommune, name="Lise Lærer")
    assert log_in(client, learner, "/kurs/")["Location"] == "/kurs/"


def test_first_two_factor_set_up_goes_from_login_to_the_page_asked_for(client, kommune):
    hr = person(kommune, name="Hanne HR", is_hr=True)
    log_in(client, hr, "/hr/")
    response = client.get("/hr/")
    assert response["Location"] == f"{ACTIVATE}?next=/hr/"

    # No second password prompt seconds after the login: the set-up page opens at once.
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Slå på innlogging i to trinn" in text
    assert "Autentiseringshemmelighet" not in text
    assert f'action="{ACTIVATE}?next=/hr/"' in text

    response = client.post(f"{ACTIVATE}?next=/hr/", {"code": current_code(client)})
    assert response.status_code == 302
    assert response["Location"] == f"{CODES}?next=%2Fhr%2F"
    assert Authenticator.objects.filter(user=hr, type=Authenticator.Type.TOTP).exists()

    codes = client.get(response["Location"])
    assert codes.status_code == 200
    text = codes.content.decode()
    assert "Ta vare på reservekodene" in text
    assert 'href="/hr/"' in text
    assert "Jeg har tatt vare på kodene – fortsett" in text
    assert client.get("/hr/").status_code == 200


def test_the_flow_drops_a_next_that_leads_off_the_site(client, kommune):
    hr = person(kommune, name="Hanne HR", is_hr=True)
    log_in(client, hr)
    page = client.get(f"{ACTIVATE}?next=https://evil.example/")
    assert page.status_code == 200
    assert f'action="{ACTIVATE}"' in page.content.decode()
    response = client.post(f"{ACTIVATE}?next=https://evil.example/", {"code": current_code(client)})
    assert response["Location"] == CODES


def test_set_up_long_after_the_login_asks_for_the_password_first(client, kommune):
    hr = person(kommune, name="Hanne HR", is_hr=True)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) - dt.timedelta(minutes=20)):
        log_in(client, hr)
    response = client.get(f"{ACTIVATE}?next=/hr/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    page = client.get(response["Location"])
    assert "Bekreft at det er deg" in page.content.decode()


def test_an_authenticator_from_before_the_login_still_needs_the_password_again(client, kommune):
    hr = person(kommune, name="Hanne HR", is_hr=True)
    totp_for(hr)
    Authenticator.objects.create(
        user=hr, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00" * 20}
    )
    client.force_login(hr)
    log_in(client, hr)
    response = client.get(CODES)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_account_pages_speak_plain_norwegian_not_allauths_translation(client, kommune):
    login_page = client.get(reverse("account_login")).content.decode()
    assert "Glemt passordet?" in login_page and "Glemt ditt passord?" not in login_page
    assert "Har du ikke konto ennå?" in login_page and "enda" not in login_page
    signup_page = client.get(reverse("account_signup")).content.decode()
    assert "Har du allerede konto?" in signup_page and "Vennligst" not in signup_page
    reset_page = client.get(reverse("account_reset_password")).content.decode()
    assert "så sender vi deg en lenke" in reset_page

    user = UserFactory(email="ny.leder@fjordvik.example")
    user.emailaddress_set.update(verified=False)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    page = client.get(response["Location"]).content.decode()
    assert "Vi har sendt en e-post med bekreftelseslenke til ny.leder@fjordvik.example." in page
    assert "Bekreftelsese-post" not in page and "Vennligst" not in page


def test_the_first_visit_flow_speaks_nynorsk_too(client, kommune):
    from django.utils import translation

    with translation.override("nn"):
        assert translation.gettext("Set up two-step login") == "Slå på innlogging i to steg"
        assert translation.gettext("Forgot your password?") == "Gløymt passordet?"
        assert translation.gettext("Authenticator code") == "Koden frå appen"
