"""Request middleware of learners."""

from urllib.parse import quote

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation

from .permissions import needs_mfa
from .selectors.org import preferred_language

# The signed-in person's language, resolved once per sign-in (see PreferredLanguageMiddleware).
LANGUAGE_SESSION_KEY = "endra_language"


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
