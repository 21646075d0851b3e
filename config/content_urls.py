"""Page URLs by content language: bokmål pages at /kurs/..., nynorsk pages at /nn/kurs/...

The URL says which language version of a page is shown, whatever language the interface is
in (that is the person's own choice, learners.middleware). Django's i18n_patterns would tie
the two together and send every unprefixed URL to bokmål, so the prefix is matched here:
`/nn/` (any content language but the default) or none."""

import re

from django.conf import settings
from django.urls import re_path
from django.urls.resolvers import URLResolver
from django.utils import translation
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views

from courses import published


def _prefixed_languages() -> list[str]:
    default = settings.LANGUAGE_CODE
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES if code != default]


def content_language_of(path_info: str) -> str:
    """The content language a URL path asks for: its prefix, else the default language."""
    for code in _prefixed_languages():
        if path_info == f"/{code}/" or path_info.startswith(f"/{code}/"):
            return code
    return settings.LANGUAGE_CODE


class ContentLanguagePrefix:
    """A URL pattern that accepts `nn/` or no prefix, and reverses with `nn/` while nynorsk is
    active (Wagtail reverses a page's URL with its locale's language active)."""

    def __init__(self):
        self.converters = {}

    @property
    def language_prefix(self) -> str:
        language = translation.get_language() or settings.LANGUAGE_CODE
        return f"{language}/" if language in _prefixed_languages() else ""

    @property
    def regex(self):
        # Only used by reverse() and cached per active language in the resolver.
        return re.compile(re.escape(self.language_prefix))

    def match(self, path):
        for code in _prefixed_languages():
            if path.startswith(f"{code}/"):
                return path.removeprefix(f"{code}/"), (), {}
        return path, (), {}

    def check(self):
        return []

    def describe(self):
        return f"'{self}'"

    def __str__(self):
        return self.language_prefix


def serve(request, path):
    """Wagtail's page view, routed in the tree of the URL's language (Wagtail would follow
    the active interface language instead). The route is kept on the request, and in the
    process until the content changes (courses.published)."""
    published.route_for_request(request, path, content_language_of(request.path_info))
    return wagtail_views.serve(request, path)


_page_urls = [
    *[pattern for pattern in wagtail_urls.urlpatterns if pattern.name != "wagtail_serve"],
    re_path(wagtail_urls.serve_pattern, serve, name="wagtail_serve"),
]


def content_urlpatterns():
    """Wagtail's page URLs behind the content-language prefix; include last in ROOT_URLCONF."""
    return [URLResolver(ContentLanguagePrefix(), _page_urls)]
