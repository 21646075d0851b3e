"""Single sign-on through the municipality's own identity provider, against a real OpenID
Connect provider (oidc-provider on loopback): who it signs in as, what it creates, and what it
refuses. Two municipalities (Bergen 4601 and Trondheim 5001 from the seed)."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from learners.models import (
    AuditLog,
    EndedMembership,
    IdentityProvider,
    Membership,
    MembershipInvitation,
    Municipality,
    UnitManager,
    User,
)
from learners.services.memberships import membership_create
from learners.services.ownership import membership_end
from learners.services.sso import idp_secret, idp_secret_set
from tests.factories import PASSWORD, MembershipFactory, OrgUnitFactory, UserFactory
from tests.oidc_peer import OIDCPeer

pytestmark = pytest.mark.django_db

CALLBACK_BASE = "http://testserver/konto/kommune/"
PID = "24079012345"  # a made-up national identity number, never to be stored


def _account(email, *, verified=True, department="", roles=(), amr=("pwd",), acr=None, **extra):
    claims = {
        "email": email,
        "email_verified": verified,
        "given_name": extra.pop("given_name", "Kari"),
        "family_name": extra.pop("family_name", "Fjell"),
        "pid": PID,
        **extra,
    }
    if department:
        claims["department"] = department
    if roles:
        claims["roles"] = list(roles)
    return {"claims": claims, "amr": list(amr), "acr": acr}


ACCOUNTS = {
    "ny-leder": _account("ny.leder@bergen.kommune.no", department="SSO Årstad sykehjem",
                         roles=["manager"]),
    "uten-enhet": _account("uten.enhet@bergen.kommune.no"),
    "eksisterende": _account("eksisterende@bergen.kommune.no", given_name="Eks"),
    "uverifisert": _account("uverifisert@bergen.kommune.no", verified=False),
    "ny-uverifisert": _account("ny.uverifisert@bergen.kommune.no", verified=False),
    "utenlands": _account("kari@gmail.com"),
    "avsluttet": _account("avsluttet@bergen.kommune.no"),
    "hr-mfa": _account("hr.mfa@bergen.kommune.no", amr=["pwd", "mfa"]),
    "hr-pwd": _account("hr.pwd@bergen.kommune.no"),
    "hr-acr": _account("hr.acr@bergen.kommune.no", acr="idporten-loa-substantial"),
    # Trondheim's provider, an address of Trondheim's domain, but the account is Bergen's.
    "trd-bergensk": _account("flyttet@trondheim.kommune.no", given_name="Angriper",
                             family_name="Trondheim"),
    "trd-stab": _account("stab@trondheim.kommune.no", given_name="Angriper"),
    # ID-porten: no e-mail claim at all, only the pairwise subject, the name and `pid`.
    "idporten": {"claims": {"given_name": "Ida", "family_name": "Porten", "pid": PID},
                 "amr": ["BankID"], "acr": "idporten-loa-high"},
}  # fmt: skip


def _client(client_id, secret):
    return {
        "client_id": client_id,
        "client_secret": secret,
        "redirect_uris": [
            f"{CALLBACK_BASE}kommune-4601/login/callback/",
            f"{CALLBACK_BASE}kommune-5001/login/callback/",
        ],
        "token_endpoint_auth_method": "client_secret_post",
        "subject_type": "pairwise",
    }


@pytest.fixture(scope="module")
def peer():
    provider = OIDCPeer(
        clients=[_client("endra-bergen", "bergen-hemmelig"),
                 _client("endra-trondheim", "trondheim-hemmelig")],
        accounts=ACCOUNTS,
    )  # fmt: skip
    yield provider
    provider.stop()


def _idp(peer, number, client_id, secret, domains, kind="entra"):
    idp = IdentityProvider(
        municipality=Municipality.objects.get(number=number),
        issuer=peer.issuer,
        client_id=client_id,
        email_domains=domains,
        kind=kind,
    )
    idp_secret_set(idp, secret)
    idp.save()
    return idp


@pytest.fixture
def bergen_idp(peer):
    return _idp(peer, "4601", "endra-bergen", "bergen-hemmelig", "bergen.kommune.no")


@pytest.fixture
def trondheim_idp(peer):
    return _idp(peer, "5001", "endra-trondheim", "trondheim-hemmelig", "trondheim.kommune.no")


@pytest.fixture
def unit(bergen):
    return OrgUnitFactory(municipality=bergen, name="SSO Årstad sykehjem")


def sso(client, peer, login, *, number="4601", email=None, next_url=None):
    """Sign in through the municipality's provider as `login`; Endra's answer to the callback."""
    data = {"email": email} if email else {"municipality": number}
    if next_url:
        data["next"] = next_url
    start = client.post(reverse("sso_start"), data)
    assert start.status_code == 302, start.content.decode()
    assert start["Location"].startswith(peer.issuer)
    callback = peer.sign_in(start["Location"], login, stop_at=CALLBACK_BASE)
    return client.get(callback.removeprefix("http://testserver"))


def signed_in_as(client):
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


# --- New people, just in time ---------------------------------------------------------------


def test_a_new_manager_is_created_in_the_municipality_with_the_unit_from_the_claim(
    client, peer, bergen_idp, unit, bergen
):
    response = sso(client, peer, "ny-leder")
    assert response.status_code == 302
    user = signed_in_as(client)
    assert user.email == "ny.leder@bergen.kommune.no"
    assert (user.first_name, user.last_name) == ("Kari", "Fjell")
    membership = Membership.objects.get(user=user)
    assert membership.municipality == bergen and membership.org_unit == unit
    assert UnitManager.objects.filter(user=user, org_unit=unit).exists()
    assert EmailAddress.objects.get(user=user).verified
    account = SocialAccount.objects.get(user=user)
    assert account.provider == "kommune-4601"
    assert account.uid != "ny-leder"  # the pairwise subject, not the provider's account id
    assert AuditLog.objects.filter(action="person.create", data__source="sso").exists()


def test_the_national_identity_number_is_never_stored(client, peer, bergen_idp, unit):
    sso(client, peer, "ny-leder")
    account = SocialAccount.objects.get(user=signed_in_as(client))
    assert "pid" not in account.extra_data["id_token"]
    assert "pid" not in account.extra_data["userinfo"]
    assert PID not in json.dumps(account.extra_data)
    assert PID not in json.dumps(list(AuditLog.objects.values("data")))


def test_without_a_unit_claim_the_person_chooses_the_unit_after_signing_in(
    client, peer, bergen_idp, unit
):
    response = sso(client, peer, "uten-enhet", next_url="/min-laering/")
    assert response["Location"].startswith(reverse("sso_unit"))
    page = client.get(response["Location"])
    assert "Velg enheten din" in page.content.decode()
    saved = client.post(response["Location"], {"org_unit": unit.pk, "next": "/min-laering/"})
    assert saved["Location"] == "/min-laering/"
    assert Membership.objects.get(user=signed_in_as(client)).org_unit == unit


def test_a_new_person_without_email_verified_is_signed_in_at_once(client, peer, bergen_idp):
    # Entra ID sends no email_verified: the address is the municipality's own domain.
    sso(client, peer, "ny-uverifisert")
    user = signed_in_as(client)
    assert user is not None and user.email == "ny.uverifisert@bergen.kommune.no"
    assert EmailAddress.objects.get(user=user).verified


def test_the_person_is_routed_to_the_provider_by_the_e_mail_domain(client, peer, bergen_idp):
    start = client.post(reverse("sso_start"), {"email": "noen@Bergen.Kommune.no"})
    assert start.status_code == 302 and start["Location"].startswith(peer.issuer)
    assert "nonce=" in start["Location"] and "code_challenge=" in start["Location"]


# --- Existing accounts ------------------------------------------------------------------------


def test_the_municipality_s_own_password_account_is_linked_when_the_e_mail_is_verified(
    client, peer, bergen_idp, bergen, unit
):
    user = MembershipFactory(
        municipality=bergen, org_unit=unit, user__email="eksisterende@bergen.kommune.no"
    ).user
    sso(client, peer, "eksisterende")
    assert signed_in_as(client) == user
    assert SocialAccount.objects.filter(user=user, provider="kommune-4601").exists()
    assert User.objects.filter(email="eksisterende@bergen.kommune.no").count() == 1
    # Next time the provider's subject finds the account, not the address.
    client.logout()
    sso(client, peer, "eksisterende")
    assert signed_in_as(client) == user


def test_an_unverified_address_links_only_after_the_old_password(client, peer, bergen_idp, bergen):
    user = MembershipFactory(municipality=bergen, user__email="uverifisert@bergen.kommune.no").user
    response = sso(client, peer, "uverifisert")
    assert response["Location"] == reverse("sso_link")
    assert signed_in_as(client) is None
    wrong = client.post(reverse("sso_link"), {"password": "feil-passord"})
    assert wrong.status_code == 200 and "Passordet er ikke riktig" in wrong.content.decode()
    assert not SocialAccount.objects.filter(user=user).exists()
    client.post(reverse("sso_link"), {"password": PASSWORD})
    assert signed_in_as(client) == user
    assert SocialAccount.objects.filter(user=user, provider="kommune-4601").exists()


# --- The ownership rule: another municipality's provider never renames or attaches ----------


def test_trondheim_s_provider_never_renames_or_attaches_a_bergen_only_account(
    client, peer, trondheim_idp, bergen, unit
):
    user = MembershipFactory(
        municipality=bergen, org_unit=unit, user__email="flyttet@trondheim.kommune.no",
        user__first_name="Berit", user__last_name="Bergen",
    ).user  # fmt: skip
    response = sso(client, peer, "trd-bergensk", number="5001")
    # Verified address in Trondheim's domain, yet not Trondheim's account: prove it first.
    assert response["Location"] == reverse("sso_link")
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Berit", "Bergen")
    assert not Membership.objects.filter(user=user, municipality__number="5001").exists()
    assert not SocialAccount.objects.filter(user=user).exists()
    # The owner proves the password: signed in, linked, and Trondheim only invites.
    client.post(reverse("sso_link"), {"password": PASSWORD})
    assert signed_in_as(client) == user
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Berit", "Bergen")
    assert list(
        Membership.objects.filter(user=user).values_list("municipality__number", flat=True)
    ) == ["4601"]
    invitation = MembershipInvitation.objects.get(user=user, municipality__number="5001")
    assert invitation.answered_at is None
    # Signing in again through Trondheim still changes nothing of Bergen's account.
    client.logout()
    sso(client, peer, "trd-bergensk", number="5001")
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Berit", "Bergen")
    assert Membership.objects.filter(user=user).count() == 1


def test_trondheim_s_provider_never_renames_or_attaches_a_staff_account(
    client, peer, trondheim_idp
):
    staff = UserFactory(
        email="stab@trondheim.kommune.no", first_name="Stab", last_name="Redaktør", is_staff=True
    )
    response = sso(client, peer, "trd-stab", number="5001")
    assert response["Location"] == reverse("sso_link")
    client.post(reverse("sso_link"), {"password": PASSWORD})
    staff.refresh_from_db()
    assert (staff.first_name, staff.last_name) == ("Stab", "Redaktør")
    assert not Membership.objects.filter(user=staff).exists()
    assert MembershipInvitation.objects.filter(user=staff, municipality__number="5001").exists()


def test_a_membership_the_municipality_ended_is_not_restored_by_signing_in(
    client, peer, bergen_idp, bergen
):
    membership = MembershipFactory(municipality=bergen, user__email="avsluttet@bergen.kommune.no")
    user = membership.user
    membership_end(membership=membership)
    response = sso(client, peer, "avsluttet")
    assert response.status_code == 403
    assert "avsluttet" in response.content.decode()
    assert signed_in_as(client) is None
    assert not Membership.objects.filter(user=user).exists()
    assert EndedMembership.objects.filter(user=user, municipality=bergen).exists()


# --- Refusals ---------------------------------------------------------------------------------


def test_an_address_outside_the_municipality_s_domains_is_refused(client, peer, bergen_idp):
    response = sso(client, peer, "utenlands")
    assert response.status_code == 403
    assert "ikke i et domene Bergen har godkjent" in response.content.decode()
    assert not User.objects.filter(email="kari@gmail.com").exists()
    assert signed_in_as(client) is None


def test_a_municipality_with_no_provider_says_so(client, peer, bergen_idp):
    response = client.post(reverse("sso_start"), {"municipality": "0301"})
    assert response.status_code == 404
    assert "Oslo har ikke koblet Endra til en identitetstjeneste" in response.content.decode()
    unknown = client.post(reverse("sso_start"), {"email": "kari@ukjent.example"})
    assert "Ingen kommune har koblet til domenet" in unknown.content.decode()


def test_an_unknown_state_is_refused(client, peer, bergen_idp):
    response = client.get(
        reverse("sso_callback", kwargs={"provider_id": "kommune-4601"}),
        {"state": "forfalsket", "code": "x"},
    )
    assert response.status_code == 403
    assert "feil state" in response.content.decode()


def test_a_replayed_callback_is_refused(client, peer, bergen_idp, unit):
    start = client.post(reverse("sso_start"), {"municipality": "4601"})
    callback = peer.sign_in(start["Location"], "ny-leder", stop_at=CALLBACK_BASE)
    client.get(callback.removeprefix("http://testserver"))
    client.logout()
    again = client.get(callback.removeprefix("http://testserver"))
    assert again.status_code == 403 and signed_in_as(client) is None


# --- Two-factor: the provider's multi-factor counts, anything else still needs TOTP ---------


def _hr(bergen, email):
    user = UserFactory(email=email)
    membership_create(user=user, municipality=bergen, is_hr=True)
    return user


@pytest.mark.parametrize("login", ["hr-mfa", "hr-acr"])
def test_hr_signed_in_with_multi_factor_enters_hr_without_endra_s_totp(
    client, peer, bergen_idp, bergen, login
):
    user = _hr(bergen, ACCOUNTS[login]["claims"]["email"])
    sso(client, peer, login)
    assert signed_in_as(client) == user
    assert client.get("/hr/").status_code == 200
    assert not Authenticator.objects.filter(user=user).exists()


def test_hr_with_totp_set_up_is_not_asked_for_the_code_after_provider_multi_factor(
    client, peer, bergen_idp, bergen
):
    user = _hr(bergen, "hr.mfa@bergen.kommune.no")
    TOTP.activate(user, generate_totp_secret())
    sso(client, peer, "hr-mfa")
    assert signed_in_as(client) == user
    assert client.get("/hr/").status_code == 200


def test_hr_with_totp_set_up_is_asked_for_the_code_without_provider_multi_factor(
    client, peer, bergen_idp, bergen
):
    user = _hr(bergen, "hr.pwd@bergen.kommune.no")
    TOTP.activate(user, generate_totp_secret())
    response = sso(client, peer, "hr-pwd")
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_as(client) is None


def test_hr_signed_in_without_multi_factor_is_asked_for_totp(client, peer, bergen_idp, bergen):
    _hr(bergen, "hr.pwd@bergen.kommune.no")
    sso(client, peer, "hr-pwd")
    response = client.get("/hr/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_a_password_login_after_a_multi_factor_sign_in_needs_totp_again(
    client, peer, bergen_idp, bergen
):
    user = _hr(bergen, "hr.mfa@bergen.kommune.no")
    sso(client, peer, "hr-mfa")
    client.logout()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert signed_in_as(client) == user
    assert client.get("/hr/")["Location"].startswith(reverse("mfa_activate_totp"))


# --- The provider's settings: secret encrypted, platform admins only -------------------------


def test_the_client_secret_is_stored_encrypted_and_never_shown_again(
    admin_client, admin_user, peer
):
    Authenticator.objects.create(user=admin_user, type=Authenticator.Type.TOTP, data={})
    response = admin_client.post(
        reverse("admin:learners_identityprovider_add"),
        {
            "municipality": Municipality.objects.get(number="4601").pk,
            "kind": "entra", "issuer": peer.issuer, "client_id": "endra-bergen",
            "client_secret": "svært-hemmelig-verdi", "client_secret_env": "",
            "email_domains": "bergen.kommune.no", "unit_claim": "department",
            "role_claim": "roles", "hr_role_value": "hr", "manager_role_value": "manager",
            "mfa_acr_values": "", "enabled": "on",
        },
    )  # fmt: skip
    assert response["Location"] == reverse("admin:learners_identityprovider_changelist")
    idp = IdentityProvider.objects.get()
    assert "svært-hemmelig-verdi" not in idp.client_secret_encrypted
    assert idp_secret(idp) == "svært-hemmelig-verdi"
    page = admin_client.get(reverse("admin:learners_identityprovider_change", args=[idp.pk]))
    assert "svært-hemmelig-verdi" not in page.content.decode()
    assert idp.client_secret_encrypted not in page.content.decode()
    assert "svært-hemmelig-verdi" not in json.dumps(_admin_log())
    # Saving without a new secret keeps the stored one.
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"municipality": idp.municipality_id, "enabled": "on", "client_secret": ""})
    admin_client.post(reverse("admin:learners_identityprovider_change", args=[idp.pk]), data)
    idp.refresh_from_db()
    assert idp_secret(idp) == "svært-hemmelig-verdi"


def _admin_log():
    from django.contrib.admin.models import LogEntry

    return list(LogEntry.objects.values_list("change_message", flat=True))


def test_only_platform_admins_manage_identity_providers(client, bergen):
    hr = _hr(bergen, "hr.admin@bergen.kommune.no")
    hr.is_staff = True
    hr.save()
    Authenticator.objects.create(user=hr, type=Authenticator.Type.TOTP, data={})
    client.force_login(hr)
    assert client.get(reverse("admin:learners_identityprovider_changelist")).status_code == 403


def test_the_secret_can_come_from_the_environment(monkeypatch, peer, bergen):
    monkeypatch.setenv("ENDRA_IDP_SECRET_4601", "fra-miljoet")
    idp = IdentityProvider(municipality=bergen, client_secret_env="ENDRA_IDP_SECRET_4601")
    assert idp_secret(idp) == "fra-miljoet"


def test_the_start_page_lets_its_form_go_on_to_the_providers(client, peer, bergen_idp):
    policy = client.get(reverse("sso_start"))["Content-Security-Policy"]
    form_action = next(p for p in policy.split(";") if p.strip().startswith("form-action"))
    assert peer.issuer in form_action and "'self'" in form_action


def test_the_admin_refuses_an_issuer_whose_discovery_names_another(admin_client, admin_user):
    from learners.admin import IdentityProviderForm

    form = IdentityProviderForm(
        data={
            "municipality": Municipality.objects.get(number="4601").pk, "kind": "entra",
            "issuer": "http://127.0.0.1:9/", "client_id": "x", "client_secret": "y",
            "email_domains": "bergen.kommune.no", "hr_role_value": "hr",
            "manager_role_value": "manager",
        }
    )  # fmt: skip
    assert not form.is_valid()
    assert "discovery" in str(form.errors["issuer"])


# --- ID-porten: no e-mail claim -------------------------------------------------------------


@pytest.fixture
def idporten_idp(peer):
    return _idp(peer, "4601", "endra-bergen", "bergen-hemmelig", "bergen.kommune.no", "idporten")


def _mailed_code(message) -> str:
    """The code in the confirmation mail: the one line that is a code alone."""
    lines = [line.strip() for line in message.body.splitlines()]
    codes = [
        line
        for line in lines
        if 4 <= len(line) <= 16 and line.replace("-", "").isalnum() and line.upper() == line
    ]
    assert len(codes) == 1, message.body
    return codes[0]


def test_id_porten_asks_for_the_work_address_and_confirms_it_before_any_account_exists(
    client, peer, idporten_idp, bergen, mailoutbox
):
    response = sso(client, peer, "idporten")
    assert response.status_code == 302 and response["Location"] == reverse("sso_email")
    assert User.objects.filter(first_name="Ida", last_name="Porten").count() == 0
    page = client.get(reverse("sso_email"))
    assert page.status_code == 200 and "ID-porten" in page.content.decode()
    # An address outside the municipality's domains is refused, and nothing is sent.
    refused = client.post(reverse("sso_email"), {"email": "ida@gmail.com"})
    assert refused.status_code == 200 and "bergen.kommune.no" in refused.content.decode()
    assert mailoutbox == []
    sent = client.post(reverse("sso_email"), {"email": "Ida.Porten@bergen.kommune.no"})
    assert sent.status_code == 200 and len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ida.porten@bergen.kommune.no"]
    assert not User.objects.filter(email="ida.porten@bergen.kommune.no").exists()
    wrong = client.post(reverse("sso_email"), {"code": "WRONG1"})
    assert wrong.status_code == 200 and signed_in_as(client) is None
    # Typed as people do: lower case, without the dash.
    typed = _mailed_code(mailoutbox[0]).replace("-", "").lower()
    done = client.post(reverse("sso_email"), {"code": typed})
    assert done.status_code == 302
    user = signed_in_as(client)
    assert (user.email, user.first_name, user.last_name) == (
        "ida.porten@bergen.kommune.no", "Ida", "Porten",
    )  # fmt: skip
    assert Membership.objects.get(user=user).municipality == bergen
    assert EmailAddress.objects.get(user=user).verified
    account = SocialAccount.objects.get(user=user)
    assert account.provider == "kommune-4601" and account.uid != "idporten"
    # The next sign-in is recognised by the pairwise subject: no address asked again.
    client.logout()
    again = sso(client, peer, "idporten")
    assert again.status_code == 302 and again["Location"] != reverse("sso_email")
    assert signed_in_as(client) == user and len(mailoutbox) == 1


def test_id_porten_links_the_municipalitys_own_account_once_the_address_is_confirmed(
    client, peer, idporten_idp, bergen, mailoutbox
):
    own = UserFactory(email="ida.porten@bergen.kommune.no")
    MembershipFactory(user=own, municipality=bergen)
    sso(client, peer, "idporten")
    client.post(reverse("sso_email"), {"email": "ida.porten@bergen.kommune.no"})
    done = client.post(reverse("sso_email"), {"code": _mailed_code(mailoutbox[0])})
    assert done.status_code == 302 and signed_in_as(client) == own
    assert SocialAccount.objects.get(user=own).provider == "kommune-4601"


def test_no_stored_field_anywhere_holds_the_id_porten_pid(client, peer, idporten_idp, mailoutbox):
    from django.contrib.sessions.models import Session
    from django.db import connection

    sso(client, peer, "idporten")
    client.post(reverse("sso_email"), {"email": "ida.porten@bergen.kommune.no"})
    client.post(reverse("sso_email"), {"code": _mailed_code(mailoutbox[0])})
    assert signed_in_as(client) is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        holding = []
        for table in tables:
            # Every column of every row, as text.
            cursor.execute(
                f'SELECT count(*) FROM "{table}" AS t WHERE t::text LIKE %s',  # noqa: S608
                [f"%{PID}%"],
            )
            if cursor.fetchone()[0]:
                holding.append(table)
    assert len(tables) > 50 and holding == []
    # Session data is stored encoded: read it back.
    for session in Session.objects.all():
        assert PID not in json.dumps(session.get_decoded())
