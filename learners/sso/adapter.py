"""allauth's socialaccount adapter for municipalities' providers: one app per
IdentityProvider, the account decided by learners.services.sso, and refusals explained in
Norwegian."""

from __future__ import annotations

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from requests import RequestException

from learners.models import IdentityProvider
from learners.permissions import SSO_MFA_SESSION_KEY as MFA_SESSION_KEY
from learners.services.sso import (
    SSORefused,
    idp_secret,
    sso_account_resolve,
    sso_claims_read,
    sso_membership_without_unit,
    sso_person_bring,
)

from .errors import TokenRefused, refusal_message
from .tokens import says_mfa

logger = logging.getLogger(__name__)

PROVIDER_PREFIX = "kommune-"
PENDING_LINK_KEY = "endra_sso_pending_link"
PENDING_EMAIL_KEY = "endra_sso_pending_email"


def idp_for(provider_id: str | None) -> IdentityProvider | None:
    if not provider_id or not provider_id.startswith(PROVIDER_PREFIX):
        return None
    number = provider_id.removeprefix(PROVIDER_PREFIX)
    return (
        IdentityProvider.objects.select_related("municipality")
        .filter(municipality__number=number, enabled=True)
        .first()
    )


def idp_app(idp: IdentityProvider) -> SocialApp:
    """An unsaved allauth app for `idp` (the secret is decrypted only here, when used)."""
    return SocialApp(
        provider="openid_connect",
        provider_id=idp.provider_id,
        name=idp.municipality.name,
        client_id=idp.client_id,
        secret=idp_secret(idp),
        settings={
            "server_url": idp.issuer,
            "issuer": idp.issuer,
            "oauth_pkce_enabled": True,
            # ID-porten has no e-mail scope (it knows no addresses) and refuses unknown ones.
            "scope": ["openid", "profile"]
            if idp.kind == "idporten"
            else ["openid", "profile", "email"],
        },
    )


def refusal_response(request, reason: str, municipality=None, status: int = 403):
    logger.info("Single sign-on refused: %s (%s)", reason, municipality or "-")
    return render(
        request,
        "learners/sso/refused.html",
        {"message": refusal_message(reason, municipality), "reason": reason},
        status=status,
    )


class MunicipalitySocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        if provider and provider.startswith(PROVIDER_PREFIX):
            idp = idp_for(provider)
            if idp is None:
                return []
            app = idp_app(idp)
            if not app.secret:
                logger.error("No readable client secret for %s.", idp.provider_id)
                return []
            return [app]
        # No provider list on the login page: people pick their municipality instead.
        return []

    def is_open_for_signup(self, request, sociallogin):
        return False  # accounts are created in pre_social_login, in the municipality

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        extra_context = extra_context or {}
        if isinstance(exception, TokenRefused):
            reason = exception.reason
        elif (
            exception is None
            and "callback_view" in extra_context
            and not extra_context.get("state")
        ):
            reason = "state"
        elif error == AuthError.CANCELLED:
            reason = "cancelled"
        elif isinstance(exception, RequestException):
            reason = "unavailable"
        else:
            reason = "invalid"
        municipality = getattr(getattr(provider, "app", None), "name", None)
        raise ImmediateHttpResponse(refusal_response(request, reason, municipality))

    def pre_social_login(self, request, sociallogin):
        idp = idp_for(sociallogin.account.provider)
        if idp is None:
            raise ImmediateHttpResponse(refusal_response(request, "no_provider"))
        data = sociallogin.account.extra_data
        claims = sso_claims_read(
            idp=idp, id_token=data.get("id_token") or {}, userinfo=data.get("userinfo") or {}
        )
        linked = sociallogin.user if sociallogin.is_existing else None
        try:
            decision = sso_account_resolve(idp=idp, claims=claims, linked_user=linked)
        except SSORefused as e:
            raise ImmediateHttpResponse(
                refusal_response(request, e.reason, idp.municipality)
            ) from e
        if decision.kind == "ask_email":
            # Kept in the session until the address is confirmed; `pid` was dropped already.
            request.session[PENDING_EMAIL_KEY] = {
                "uid": sociallogin.account.uid,
                "extra_data": sociallogin.account.extra_data,
                "next": sociallogin.state.get("next") or "/",
                "provider_id": idp.provider_id,
            }
            raise ImmediateHttpResponse(redirect("sso_email"))
        if decision.kind == "prove":
            request.session[PENDING_LINK_KEY] = {
                "uid": sociallogin.account.uid,
                "extra_data": sociallogin.account.extra_data,
                "next": sociallogin.state.get("next") or "/",
                "user_id": decision.user.pk,
                "provider_id": idp.provider_id,
            }
            raise ImmediateHttpResponse(redirect("sso_link"))
        plan = sso_person_bring(idp=idp, claims=claims, user=decision.user)
        user = decision.user or plan.created_user
        if decision.kind in ("link", "create"):
            sociallogin.connect(request, user)
        unit_step(request, sociallogin, user=user, idp=idp)


def provider_did_mfa(sociallogin) -> bool:
    """Whether `sociallogin` came through a municipality's provider whose ID token says
    multi-factor."""
    if sociallogin is None:
        return False
    idp = idp_for(sociallogin.account.provider)
    id_token = (sociallogin.account.extra_data or {}).get("id_token") or {}
    return idp is not None and says_mfa(id_token, idp.acr_values())


def sso_login_record(request, user, sociallogin=None, **kwargs) -> None:
    """On every login (allauth's user_logged_in): remember in the session whether this login
    came through a municipality's provider whose ID token says multi-factor."""
    if provider_did_mfa(sociallogin):
        request.session[MFA_SESSION_KEY] = user.pk
    else:
        request.session.pop(MFA_SESSION_KEY, None)


def unit_step(request, sociallogin, *, user, idp) -> None:
    """Send a member with no unit to "velg enheten din" after the sign-in."""
    if sso_membership_without_unit(user=user, municipality_id=idp.municipality_id) is None:
        return
    after = sociallogin.state.get("next") or "/"
    sociallogin.state["next"] = f"{reverse('sso_unit')}?{urlencode({'next': after})}"
