"""One course, several languages. A nynorsk course is a Wagtail translation of its bokmål
course (same translation_key), module for module. Learning records count the course, not the
language: enrolments, progress, reflections and quiz attempts always point at the page in the
source language (LANGUAGE_CODE, bokmål), which `canonical` finds for any language version.
Learners are shown the version in their own language when there is one (`in_language`)."""

from django.conf import settings
from django.utils import translation
from wagtail.models import Page


def _source_language() -> str:
    return settings.LANGUAGE_CODE


def content_language(language: str | None = None) -> str:
    """A content language for an interface language: nn -> nn; nb, en and others -> nb."""
    language = language or translation.get_language() or _source_language()
    codes = {code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES}
    return language if language in codes else _source_language()


def canonical(page: Page) -> Page:
    """The source-language page of `page` (itself when it is one, or has no source)."""
    if page.locale.language_code == _source_language():
        return page
    source = (
        type(page)
        .objects.filter(
            translation_key=page.translation_key, locale__language_code=_source_language()
        )
        .first()
    )
    return source or page


def canonical_ids(pages: list[Page]) -> dict[int, int]:
    """Page id -> its source-language page's id, for many pages in one query."""
    keys = {page.translation_key for page in pages}
    sources = dict(
        Page.objects.filter(
            translation_key__in=keys, locale__language_code=_source_language()
        ).values_list("translation_key", "pk")
    )
    return {page.pk: sources.get(page.translation_key, page.pk) for page in pages}


def in_language(page: Page, language: str | None = None) -> Page:
    """The live version of `page` in `language` (default: the active language's content
    language), or `page` itself when there is none."""
    language = content_language(language)
    if page.locale.language_code == language:
        return page
    version = (
        type(page)
        .objects.live()
        .filter(translation_key=page.translation_key, locale__language_code=language)
        .first()
    )
    return version or page


def in_language_many(pages: list[Page], language: str | None = None) -> dict[int, Page]:
    """Page id -> its live version in `language` (or the page itself), in one query per page
    type."""
    language = content_language(language)
    found: dict[int, Page] = {}
    by_type: dict[type, list[Page]] = {}
    for page in pages:
        by_type.setdefault(type(page), []).append(page)
    for model, group in by_type.items():
        versions = {
            version.translation_key: version
            for version in model.objects.live().filter(
                translation_key__in={page.translation_key for page in group},
                locale__language_code=language,
            )
        }
        for page in group:
            found[page.pk] = versions.get(page.translation_key, page)
    return found


def languages(page: Page) -> list[dict]:
    """The live language versions of a page, source language first: code, name and page."""
    names = dict(settings.WAGTAIL_CONTENT_LANGUAGES)
    order = list(names)
    versions = list(
        type(page)
        .objects.live()
        .filter(translation_key=page.translation_key)
        .select_related("locale")
    )
    versions.sort(
        key=lambda v: order.index(v.locale.language_code) if v.locale.language_code in order else 99
    )
    return [
        {"code": v.locale.language_code, "name": names.get(v.locale.language_code, ""), "page": v}
        for v in versions
    ]


def languages_many(pages: list[Page]) -> dict[str, list[str]]:
    """translation_key -> language codes with a live version, for many pages in one query."""
    model = type(pages[0]) if pages else Page
    result: dict[str, list[str]] = {}
    rows = (
        model.objects.live()
        .filter(translation_key__in={page.translation_key for page in pages})
        .values_list("translation_key", "locale__language_code")
    )
    order = [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]
    for key, code in rows:
        result.setdefault(str(key), []).append(code)
    for codes in result.values():
        codes.sort(key=lambda c: order.index(c) if c in order else 99)
    return result


def canonical_id(page_id: int) -> int:
    """The id of the source-language page of page `page_id` (itself when it is one)."""
    row = (
        Page.objects.filter(pk=page_id)
        .values_list("translation_key", "locale__language_code")
        .first()
    )
    if row is None or row[1] == _source_language():
        return page_id
    source = (
        Page.objects.filter(translation_key=row[0], locale__language_code=_source_language())
        .values_list("pk", flat=True)
        .first()
    )
    return source or page_id


def source_pages(queryset):
    """Only the source-language pages of `queryset`: one row per course, e.g. in HR's lists."""
    return queryset.filter(locale__language_code=_source_language())
