"""Signing in with the municipality's own identity provider, in a real browser, against a real
OpenID Connect provider (oidc-provider on loopback): a new Bergen manager is created in Bergen
with the unit from the claim, an existing account is linked after its password, an HR adviser
whose provider did multi-factor enters /hr/ without Endra's TOTP, and one whose provider did
not is asked for TOTP."""

import re

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import expect

from learners.models import IdentityProvider, Membership, Municipality, UnitManager
from learners.services.org import org_unit_ensure_path
from learners.services.sso import idp_secret_set
from tests.e2e.conftest import DEMO_PASSWORD, member_create
from tests.oidc_peer import OIDCPeer

pytestmark = pytest.mark.e2e

UNIT = ("Helse og omsorg", "Hjemmetjenesten Fana")


def _account(email, *, verified=True, amr=("pwd",), **claims):
    return {
        "claims": {"email": email, "email_verified": verified, "given_name": "Kari",
                   "family_name": "Fjell", "pid": "24079012345", **claims},
        "amr": list(amr),
    }  # fmt: skip


ACCOUNTS = {
    "ny-leder": _account("ny.leder@bergen.kommune.no", department=UNIT[-1], roles=["manager"]),
    "eksisterende": _account("eksisterende@bergen.kommune.no", verified=False),
    "hr-mfa": _account("hr.mfa@bergen.kommune.no", amr=["pwd", "mfa"]),
    "hr-pwd": _account("hr.pwd@bergen.kommune.no"),
}


@pytest.fixture(scope="module")
def peer(live_server):
    provider = OIDCPeer(
        clients=[
            {
                "client_id": "endra-bergen",
                "client_secret": "bergen-hemmelig",
                "redirect_uris": [f"{live_server.url}/konto/kommune/kommune-4601/login/callback/"],
                "token_endpoint_auth_method": "client_secret_post",
                "subject_type": "pairwise",
            }
        ],
        accounts=ACCOUNTS,
    )
    yield provider
    provider.stop()


def sign_in_at_provider(page, login):
    expect(page.get_by_role("heading", name="Kommunens innlogging")).to_be_visible()
    page.get_by_label("Brukernavn").fill(login)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state()


def start_by_municipality(page, visit, step):
    page.context.clear_cookies()  # a new person at the same computer
    page.goto("/konto/login/")
    page.get_by_role("link", name="Logg inn med kommunen din").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logg inn med kommunen din")
    visit(step)
    page.get_by_label("Søk etter kommune").fill("Bergen")
    page.get_by_role("button", name="Gå videre til kommunens innlogging").click()


def test_people_sign_in_with_bergen_s_identity_provider(page, visit, site, peer):
    bergen = Municipality.objects.get(number="4601")
    idp = IdentityProvider(
        municipality=bergen, kind="entra", issuer=peer.issuer, client_id="endra-bergen",
        email_domains="bergen.kommune.no",
    )  # fmt: skip
    idp_secret_set(idp, "bergen-hemmelig")
    idp.save()
    unit = org_unit_ensure_path(municipality=bergen, names=list(UNIT))

    # 1. A new manager, routed by the e-mail domain: created in Bergen, unit from the claim.
    page.goto("/konto/kommune/")
    page.get_by_label("Eller e-postadressen din på jobb").fill("ny.leder@bergen.kommune.no")
    page.get_by_role("button", name="Gå videre til kommunens innlogging").click()
    sign_in_at_provider(page, "ny-leder")
    expect(page).to_have_url(re.compile(r"^" + re.escape(site.url) + r"/"))
    membership = Membership.objects.get(user__email="ny.leder@bergen.kommune.no")
    assert membership.municipality == bergen and membership.org_unit == unit
    assert UnitManager.objects.filter(user=membership.user, org_unit=unit).exists()
    page.goto("/profil/")
    expect(page.get_by_role("main")).to_contain_text("Hjemmetjenesten Fana")
    visit("new-manager-profile")

    # 2. An existing password account: the provider does not vouch for the address, so the
    # person gives the Endra password once; then the provider is linked.
    existing = member_create("eksisterende@bergen.kommune.no")
    start_by_municipality(page, visit, "start")
    sign_in_at_provider(page, "eksisterende")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekreft med passordet ditt")
    visit("link-password")
    page.get_by_label("Passordet ditt i Endra").fill("feil-passord")
    page.get_by_role("button", name="Bekreft og logg inn").click()
    expect(page.get_by_text("Passordet er ikke riktig.")).to_be_visible()
    page.get_by_label("Passordet ditt i Endra").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Bekreft og logg inn").click()
    page.wait_for_load_state()
    assert SocialAccount.objects.filter(user=existing, provider="kommune-4601").exists()
    page.goto("/profil/")
    expect(page.get_by_role("main")).to_contain_text("Bergen")

    # 3. HR whose provider did multi-factor: straight into /hr/, no Endra TOTP.
    member_create("hr.mfa@bergen.kommune.no", is_hr=True)
    start_by_municipality(page, visit, "start-again")
    sign_in_at_provider(page, "hr-mfa")
    page.goto("/hr/")
    expect(page).to_have_url(re.compile(r"/hr/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bergen")
    visit("hr-without-totp")

    # 4. HR whose provider did not: asked to set up Endra's TOTP before /hr/.
    member_create("hr.pwd@bergen.kommune.no", is_hr=True)
    start_by_municipality(page, visit, "start-hr")
    sign_in_at_provider(page, "hr-pwd")
    page.goto("/hr/")
    expect(page).to_have_url(re.compile(r"/konto/(reauthenticate|2fa/totp/activate)/"))
    visit("hr-asked-for-totp")
