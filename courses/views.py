"""Package files of SCORM modules, served so a package's script cannot reach Endra.

Every response carries its own Content-Security-Policy with `sandbox`: without
`allow-same-origin` (the default, package files on Endra's own origin) each document runs in
an opaque origin, so it cannot read Endra's cookies, its pages or a CSRF token, and cannot
navigate the page around it. With SCORM_CONTENT_ORIGIN (a separate origin for packages) the
package keeps that origin, so its frames can talk to each other, and Endra's origin stays out
of its reach. HTML documents get two script tags at the top of <head>: scorm-again's
CrossFrameAPI and static/js/scorm-content.js, which give the package `API` / `API_1484_11` in
its own window and pass every call to the module page by postMessage.
"""

import mimetypes
import posixpath
import re
from urllib.parse import urlsplit

from csp.decorators import csp_exempt
from django.conf import settings
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpResponse
from django.templatetags.static import static
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from courses.models import ScormPackage
from courses.scorm import ScormPackageError, safe_member_path

HTML_TYPES = {"text/html", "application/xhtml+xml"}
_HEAD = re.compile(rb"<head(?:\s[^>]*)?>", re.IGNORECASE)
_DOCTYPE = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!doctype[^>]*>)?", re.IGNORECASE)


def on_content_origin(request) -> bool:
    """True when the request came to the separate SCORM origin (never to Endra's own)."""
    origin = settings.SCORM_CONTENT_ORIGIN
    return bool(origin) and request.get_host() == urlsplit(origin).netloc


def content_policy(*, separate_origin: bool = False) -> str:
    """The package responses' policy. `allow-same-origin` only on the separate SCORM origin:
    the same file asked for on Endra's own origin stays in an opaque origin."""
    sandbox = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads"
    ancestors = "'self'"
    if separate_origin:
        sandbox += " allow-same-origin"
        ancestors = " ".join(["'self'", *settings.CSRF_TRUSTED_ORIGINS]) or "'self'"
    return (
        f"{sandbox}; default-src 'self' data: blob: 'unsafe-inline' 'unsafe-eval'; "
        f"img-src * data: blob:; media-src * data: blob:; object-src 'none'; "
        f"base-uri 'self'; frame-ancestors {ancestors}"
    )


def bootstrap_tags() -> bytes:
    api = static("scorm-again/cross-frame-api.min.js")
    runtime = static("js/scorm-content.js")
    return f'<script src="{api}"></script><script src="{runtime}"></script>'.encode()


def inject_bootstrap(html: bytes) -> bytes:
    """The two script tags first thing in <head> (or at the top of a document without one),
    so they run before the package's own scripts look for the API."""
    tags = bootstrap_tags()
    head = _HEAD.search(html)
    if head:
        return html[: head.end()] + tags + html[head.end() :]
    start = _DOCTYPE.match(html)
    cut = start.end() if start else 0
    return html[:cut] + tags + html[cut:]


@require_safe
@csp_exempt()
@xframe_options_exempt
def scorm_file(request, key, path: str):
    """One file of a package, by the package's unguessable key (course content is public,
    like the module pages themselves)."""
    try:
        relative = safe_member_path(path)
    except ScormPackageError:
        raise Http404 from None
    package = ScormPackage.objects.filter(key=key).only("key").first()
    if package is None or not relative:
        raise Http404
    name = package.storage_prefix + relative
    try:
        handle = storages["scorm"].open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type = mimetypes.guess_type(posixpath.basename(relative))[0]
    content_type = content_type or "application/octet-stream"
    if content_type in HTML_TYPES:
        with handle:
            body = inject_bootstrap(handle.read())
        response: HttpResponse = HttpResponse(body, content_type=f"{content_type}")
    else:
        response = FileResponse(handle, content_type=content_type)
    response["Content-Security-Policy"] = content_policy(separate_origin=on_content_origin(request))
    response["Cache-Control"] = "private, max-age=3600"
    response["Referrer-Policy"] = "same-origin"
    return response
