"""Request middleware of learners."""

from urllib.parse import quote

from django.http import HttpResponseRedirect
from django.urls import reverse

from .permissions import needs_mfa


class MFARequiredMiddleware:
    """Send HR users and staff without two-factor authentication to set it up first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_mfa(user=request.user, path=request.path):
            return HttpResponseRedirect(
                f"{reverse('mfa_activate_totp')}?next={quote(request.get_full_path())}"
            )
        return self.get_response(request)
