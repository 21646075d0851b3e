"""Request middleware of learners."""

from urllib.parse import quote

from django.http import HttpResponseRedirect
from django.urls import reverse

from .permissions import needs_mfa
from .sso.adapter import sso_mfa_done


class MFARequiredMiddleware:
    """Send HR users and staff without two-factor authentication to set it up first (a
    sign-in through the municipality's provider with multi-factor counts as two-factor)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_mfa(user=request.user, path=request.path, sso_mfa=sso_mfa_done(request)):
            return HttpResponseRedirect(
                f"{reverse('mfa_activate_totp')}?next={quote(request.get_full_path())}"
            )
        return self.get_response(request)
