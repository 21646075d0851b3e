"""Published content kept in each process until an editor changes it.

Serving a page costs Wagtail a query per level of the page tree to route its URL, one for the
site, one for the locale and two for the page's view restrictions; a course page reads its
outline, every page the footer's links. For every learner the answers are the same until an
editor publishes, unpublishes, moves or restricts a page. Each process keeps them, under the
content stamp: one row whose value every such change sets anew inside its own transaction
(`stamp_renew`, connected in cms.apps). A request reads the stamp (one query) and uses what the
process holds for that value, so every process on every machine sees a change as soon as it is
committed, with no shared cache to keep in step.

Page objects are copied for each request; what hangs off them (the parent course, its outline)
is shared and only read. A URL that finds no page is never kept, and the process keeps at most
`MAX_ENTRIES` answers (the oldest goes first)."""

import copy
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.db import connection
from django.http.request import split_domain_port
from django.utils import translation
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult

MAX_ENTRIES = 2000
STAMP_TABLE = "courses_contentstamp"

# Page fields an editor's draft or lock changes; saving only these changes nothing served.
DRAFT_FIELDS = frozenset(
    {
        "draft_title",
        "has_unpublished_changes",
        "latest_revision",
        "latest_revision_created_at",
        "locked",
        "locked_at",
        "locked_by",
        "wagtail_admin_comments",
    }
)


def stamp_read() -> int | None:
    """The content stamp now, or None before any content exists (nothing is kept then)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {STAMP_TABLE} WHERE id = 1")  # noqa: S608  # nosec B608
        row = cursor.fetchone()
    return row[0] if row else None


def stamp_renew() -> None:
    """Give the stamp a new value, in the caller's transaction: the processes drop what they
    keep once the change is committed. A random value, so a rolled-back change never leaves
    a value that a later state could share."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {STAMP_TABLE} (id, value) VALUES (1, %s) "  # noqa: S608  # nosec B608
            "ON CONFLICT (id) DO UPDATE SET value = excluded.value",
            [secrets.randbits(62)],
        )


class _Kept:
    """What this process keeps for one stamp value: key -> answer, least recently used
    first, at most MAX_ENTRIES."""

    def __init__(self):
        self._lock = threading.Lock()
        self._stamp: int | None = None
        self._entries: OrderedDict = OrderedDict()

    def get(self, stamp: int, key):
        with self._lock:
            if stamp != self._stamp:
                return None
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, stamp: int, key, value) -> None:
        with self._lock:
            if stamp != self._stamp:
                self._stamp, self._entries = stamp, OrderedDict()
            self._entries[key] = value
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._stamp, self._entries = None, OrderedDict()


_kept = _Kept()


def forget_all() -> None:
    """Drop everything this process keeps (tests start from nothing)."""
    _kept.clear()


def request_stamp(request) -> int | None:
    """The stamp, read once per request."""
    if not hasattr(request, "_endra_content_stamp"):
        request._endra_content_stamp = stamp_read()
    return request._endra_content_stamp


def kept(request, key: tuple, build: Callable[[], object]):
    """`build()`'s answer for `key`, kept while the content does not change. `build` must
    depend on published content only (never on the person asking); None is not kept."""
    stamp = request_stamp(request)
    if stamp is None:
        return build()
    value = _kept.get(stamp, key)
    if value is None:
        value = build()
        if value is not None:
            _kept.put(stamp, key, value)
    return value


def _host_key(request) -> tuple:
    return split_domain_port(request._get_raw_host())[0], request.get_port()


def site_for_request(request) -> Site | None:
    """Wagtail's site for the request, from what the process keeps (Wagtail asks the
    database on every request); kept on the request as Wagtail does."""
    if not hasattr(request, "_wagtail_site"):
        request._wagtail_site = kept(
            request, ("site", *_host_key(request)), lambda: Site._find_for_request(request)
        )
    return request._wagtail_site


def route_for_request(request, path: str, language: str) -> RouteResult | None:
    """Wagtail's route for a page URL in the content language `language`, with the page's
    view restrictions read, kept between requests; on the request as Wagtail keeps it."""
    if hasattr(request, "_wagtail_route_for_request"):
        return request._wagtail_route_for_request
    request._endra_served_page = True  # the URLs its pages link to may be kept
    site_for_request(request)
    answer = kept(
        request,
        ("route", *_host_key(request), language, path),
        lambda: _route(request, path, language),
    )
    if answer is None:
        request._wagtail_route_for_request = None
        return None
    page, args, kwargs = answer
    request._wagtail_route_for_request = RouteResult(copy.copy(page), list(args), dict(kwargs))
    return request._wagtail_route_for_request


def _route(request, path: str, language: str):
    with translation.override(language):
        Page.route_for_request(request, path)
    result = request._wagtail_route_for_request
    del request._wagtail_route_for_request
    if result is None:
        return None
    page, args, kwargs = result
    page = copy.copy(page)  # the kept original: requests get copies of it
    page.view_restrictions_read = list(Page.get_view_restrictions(page))
    return page, tuple(args), dict(kwargs)


class KeptPageMixin:
    """For page models. The view restrictions read when the page was kept, if it was (Wagtail
    reads them with two queries each time a page is served); Wagtail's admin reads its pages
    from the database, so it always sees them as they are. And on pages served from what is
    kept, each page's URL parts per site are kept too (a link costs Wagtail a reverse() in
    the page's language). A preview never keeps a URL: its page may hold a slug not yet
    published."""

    def get_view_restrictions(self):
        restrictions = getattr(self, "view_restrictions_read", None)
        if restrictions is not None:
            return restrictions
        return super().get_view_restrictions()

    def get_url_parts(self, request=None):
        if request is None or not getattr(request, "_endra_served_page", False):
            return super().get_url_parts(request)  # the admin, a preview, no request
        site = Site.find_for_request(request)
        return kept(
            request,
            ("url", self.pk, site.pk if site else None),
            lambda: super(KeptPageMixin, self).get_url_parts(request),
        )


def page_saved(sender, instance, update_fields=None, **kwargs):
    if isinstance(instance, Page) and not (update_fields and set(update_fields) <= DRAFT_FIELDS):
        stamp_renew()


def page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        stamp_renew()


def content_changed(sender, **kwargs):
    stamp_renew()
