"""Request middleware of learners."""

from urllib.parse import quote

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation

from .permissions import MFARequired, needs_mfa, sso_mfa_done
from .selectors.org import preferred_language

# The signed-in person's language, resolved once per sign-in (see PreferredLanguageMiddleware).
LANGUAGE_SESSION_KEY = "endra_language"


class MFARequiredMiddleware:
    """Send HR users and staff without two-factor authentication to set it up first (a
    sign-in through the municipality's provider with multi-factor counts as two-factor)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_mfa(user=request.user, path=request.path, sso_mfa=sso_mfa_done(request)):
            return self._to_setup(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        """A view outside /hr/ that found HR or staff data for this user (a colleague's
        certificate PDF, say) raises MFARequired: the same way to two-factor as /hr/."""
        if isinstance(exception, MFARequired):
            return self._to_setup(request)
        return None

    @staticmethod
    def _to_setup(request):
        return HttpResponseRedirect(
            f"{reverse('mfa_activate_totp')}?next={quote(request.get_full_path())}"
        )


class PreferredLanguageMiddleware:
    """Speak to a signed-in person in their own language: the one they picked, else their
    municipality's written standard (bokmål or nynorsk). Visitors keep the language switch's
    cookie (LocaleMiddleware). The municipality's choice is looked up once per sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            language = user.language
            if not language:
                language = request.session.get(LANGUAGE_SESSION_KEY)
                if language is None:
                    language = preferred_language(user=user)
                    request.session[LANGUAGE_SESSION_KEY] = language
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
