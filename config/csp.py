"""Content-Security-Policy: one strict policy everywhere, narrow additions for Wagtail's admin."""

import base64
import hashlib
import json
import re

from csp.constants import HEADER, NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

WAGTAIL_ADMIN_PREFIX = "/admin/"

# Wagtail's date and time widgets render one inline script each, e.g.
# <script>initDateChooser("id_go_live_at", {"format": "Y-m-d"});</script>. Only a call of one
# of these functions with a plain element id and a JSON object is allowed, by its hash.
_WIDGET_SCRIPT = re.compile(
    r"<script>(init(?:Date|Time|DateTime)Chooser\(\"([\w-]+)\", (\{[^<]*\})\);)</script>"
)


def _widget_script_hashes(html: str) -> list[str]:
    hashes = set()
    for match in _WIDGET_SCRIPT.finditer(html):
        try:
            json.loads(match.group(3))
        except ValueError:
            continue  # not pure data: leave it blocked
        digest = hashlib.sha256(match.group(1).encode()).digest()
        hashes.add(f"'sha256-{base64.b64encode(digest).decode()}'")
    return sorted(hashes)


class EndraCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the settings policy, relaxed only where Wagtail needs it.

    Under /admin/ (Wagtail's admin, for editors and admins only):
    - styles may be inline: Wagtail's own JavaScript (dropdowns, StreamField, the rich text
      editor) sets `style` attributes, and it breaks without. Scripts are not relaxed:
    - the date/time widgets' inline scripts are allowed one by one by their SHA-256 hash.
    Everywhere: Wagtail's live preview shows the page in an iframe of the editor; those
    responses say `X-Frame-Options: SAMEORIGIN` and the policy follows with
    `frame-ancestors 'self'`. Everything else stays `frame-ancestors 'none'`.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
        replace = dict(parts.replace or {})
        if request.path_info.startswith(WAGTAIL_ADMIN_PREFIX):
            replace.setdefault("style-src", [*directives["style-src"], UNSAFE_INLINE])
            hashes = self._inline_script_hashes(response)
            if hashes:
                replace.setdefault("script-src", [*directives["script-src"], *hashes])
        parts.replace = replace or None
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        # The preview is rendered through the middleware once already (as the page's own URL),
        # so the header may have been set before: adjust it rather than build a new one.
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN" and HEADER in response:
            response[HEADER] = response[HEADER].replace(
                f"frame-ancestors {NONE}", f"frame-ancestors {SELF}"
            )
        return response

    @staticmethod
    def _inline_script_hashes(response) -> list[str]:
        if response.streaming or "text/html" not in response.get("Content-Type", ""):
            return []
        return _widget_script_hashes(response.content.decode(response.charset or "utf-8"))
