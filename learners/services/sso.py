"""Who a single sign-on through a municipality's identity provider signs in as. The account
side goes through learners.services.ownership, so SSO follows the same rule as the import and
SCIM: a municipality's provider creates accounts and updates its own people, and any other
account (another municipality's, staff) is never renamed or attached: its owner proves the
password first and then gets an invitation to join, which they accept themselves."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from learners.lib.secretbox import seal, unseal
from learners.models import EndedMembership, IdentityProvider, Membership, OrgUnit, User
from learners.services.ownership import (
    Outcome,
    PersonPlan,
    account_may_join,
    person_bring_into_municipality,
    person_plan,
)


def idp_secret_set(idp: IdentityProvider, secret: str) -> None:
    """Store `secret` encrypted on `idp` (saved by the caller); it is never shown again."""
    idp.client_secret_encrypted = seal(secret)


def idp_secret(idp: IdentityProvider) -> str:
    """The client secret: from the named environment variable, or unsealed ("" when it was
    sealed under another SECRET_KEY)."""
    if idp.client_secret_env:
        return os.environ.get(idp.client_secret_env, "")
    return unseal(idp.client_secret_encrypted)


def idp_discover(idp: IdentityProvider) -> None:
    """Read `idp`'s discovery document: its issuer must be the configured one, and the origin
    of its authorization endpoint is kept (the sign-in form is sent on there). ValueError
    with the reason otherwise."""
    url = idp.issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=10)
        response.raise_for_status()
        config = response.json()
    except (requests.RequestException, ValueError) as e:
        raise ValueError(f"The discovery document at {url} could not be read.") from e
    if config.get("issuer") != idp.issuer:
        raise ValueError(f"The discovery document names another issuer: {config.get('issuer')}")
    parts = urlsplit(config.get("authorization_endpoint", ""))
    idp.authorization_origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def sso_form_origins() -> list[str]:
    """Every enabled provider's origins, for the form-action policy of the start page."""
    origins: set[str] = set()
    for idp in IdentityProvider.objects.filter(enabled=True):
        origins |= idp.form_origins()
    return sorted(origins)


class SSORefused(Exception):
    """A sign-in Endra refuses; `reason` is a key of learners.sso.errors.MESSAGES."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SSOClaims:
    """What the provider says about the person (never `pid`: the pairwise `sub` is the key)."""

    sub: str
    email: str
    email_verified: bool
    first_name: str
    last_name: str
    unit_name: str = ""
    roles: tuple[str, ...] = field(default_factory=tuple)


def _as_bool(value) -> bool:
    return value is True or str(value).strip().lower() == "true"


def _as_list(value) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return (str(value),)


def sso_claims_read(*, idp: IdentityProvider, id_token: dict, userinfo: dict) -> SSOClaims:
    """Claims from the ID token and userinfo (userinfo wins), read through `idp`'s mapping."""
    merged = {**id_token, **userinfo}
    first, last = merged.get("given_name") or "", merged.get("family_name") or ""
    if not (first or last) and merged.get("name"):
        first, _, last = str(merged["name"]).rpartition(" ")
        first, last = (first, last) if first else (last, "")
    unit = merged.get(idp.unit_claim) if idp.unit_claim else ""
    if isinstance(unit, list):
        unit = unit[0] if unit else ""
    return SSOClaims(
        sub=str(merged.get("sub", "")),
        email=str(merged.get("email") or "").strip().lower(),
        email_verified=_as_bool(merged.get("email_verified")),
        first_name=str(first)[:150],
        last_name=str(last)[:150],
        unit_name=str(unit or "").strip(),
        roles=_as_list(merged.get(idp.role_claim)) if idp.role_claim else (),
    )


def sso_unit_find(*, idp: IdentityProvider, name: str) -> OrgUnit | None:
    """The unit of `idp`'s municipality with this name (any level), if there is one."""
    if not name:
        return None
    return (
        OrgUnit.objects.filter(municipality_id=idp.municipality_id, name__iexact=name)
        .order_by("path")
        .first()
    )


def sso_role(*, idp: IdentityProvider, claims: SSOClaims) -> str:
    if idp.hr_role_value and idp.hr_role_value in claims.roles:
        return "hr"
    if idp.manager_role_value and idp.manager_role_value in claims.roles:
        return "manager"
    return "learner"


@dataclass
class SSODecision:
    """`kind`: "login" (the linked account), "link" (link the municipality's own account
    with this address), "prove" (the account must prove its password first), "create"
    (no account: create one in the municipality) or "ask_email" (the provider gave no
    address: the person gives and confirms their work address first)."""

    kind: str
    user: User | None = None


def _ended_here(user: User, idp: IdentityProvider) -> bool:
    municipality_id = idp.municipality_id
    return (
        EndedMembership.objects.filter(user=user, municipality_id=municipality_id).exists()
        and not Membership.objects.filter(user=user, municipality_id=municipality_id).exists()
    )


def sso_account_resolve(
    *, idp: IdentityProvider, claims: SSOClaims, linked_user: User | None
) -> SSODecision:
    """Which account a sign-in through `idp` with `claims` is for. Refuses (SSORefused) an
    address outside the municipality's domains, and a person whose membership there ended
    (a provider sign-in never undoes what HR or SCIM ended)."""
    if linked_user is not None and not claims.email:
        # ID-porten sends no address: the subject it signed in before is enough.
        if _ended_here(linked_user, idp):
            raise SSORefused("ended")
        return SSODecision("login", linked_user)
    if not claims.email:
        # No address and no linked account (ID-porten's first sign-in): the person gives their
        # work address and proves it before any account is created or linked.
        return SSODecision("ask_email")
    if not idp.allows_email(claims.email):
        raise SSORefused("domain")
    if linked_user is not None:
        if _ended_here(linked_user, idp):
            raise SSORefused("ended")
        return SSODecision("login", linked_user)
    user = User.objects.filter(email=claims.email).first()
    if user is None:
        return SSODecision("create")
    if _ended_here(user, idp):
        raise SSORefused("ended")
    if claims.email_verified and account_may_join(user=user, municipality=idp.municipality):
        return SSODecision("link", user)
    return SSODecision("prove", user)


def sso_person_bring(*, idp: IdentityProvider, claims: SSOClaims, user: User | None) -> PersonPlan:
    """Bring the signed-in person into `idp`'s municipality through the ownership rule: a new
    account with its membership, an update of the municipality's own member, or (for an
    account that is not the municipality's) an invitation only."""
    person: dict[str, Any] = {
        "municipality": idp.municipality,
        "email": claims.email if user is None else user.email,
        "first_name": claims.first_name,
        "last_name": claims.last_name,
        "org_unit": sso_unit_find(idp=idp, name=claims.unit_name),
        "role": sso_role(idp=idp, claims=claims),
        "user": user,
    }
    if user is not None:
        plan = person_plan(**person)
        if plan.outcome == Outcome.UNCHANGED:  # the usual sign-in: nothing to write
            return plan
    # A new account's address is in the municipality's own domain and comes from its own
    # provider: the municipality vouches for it, as its import does (Entra ID sends no
    # email_verified). Linking an existing account still needs the provider's word.
    return person_bring_into_municipality(**person, source="sso", email_verified=True)


def sso_membership_without_unit(*, user: User, municipality_id: int) -> Membership | None:
    return Membership.objects.filter(
        user=user, municipality_id=municipality_id, org_unit__isnull=True
    ).first()
