"""Why a single sign-on was refused, with the message the person sees."""

from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "issuer": _(
        "The answer did not come from your municipality's identity provider (wrong issuer)."
    ),
    "audience": _("The sign-in ticket was not issued to Endra (wrong audience)."),
    "nonce": _(
        "The answer does not belong to this sign-in (wrong nonce). Start the sign-in again."
    ),
    "state": _(
        "The sign-in session is unknown or has expired (wrong state). Start the sign-in again."
    ),
    "expired": _("The sign-in ticket from the identity provider has expired. Try again."),
    "signature": _("The sign-in ticket is not validly signed."),
    "invalid": _("The sign-in ticket from the identity provider could not be accepted."),
    "domain": _("Your e-mail address is not in a domain %(municipality)s has approved."),
    "no_email": _("The identity provider did not give an e-mail address."),
    "no_provider": _(
        "%(municipality)s has not connected Endra to an identity provider. "
        "Sign in with e-mail and password."
    ),
    "ended": _("Your access in %(municipality)s has ended. Contact HR in your municipality."),
    "unavailable": _(
        "The identity provider did not answer. Try again in a moment, or sign in with "
        "e-mail and password."
    ),
    "cancelled": _("The sign-in was cancelled."),
}


class TokenRefused(OAuth2Error):
    """An ID token Endra does not accept; `reason` is a key of MESSAGES."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def refusal_message(reason: str, municipality=None) -> str:
    message = MESSAGES.get(reason, MESSAGES["invalid"])
    return str(message) % {"municipality": str(municipality or "")}
