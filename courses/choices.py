"""Choice lists of course pages, in a module of their own so anything may import them."""

from django.utils.translation import gettext_lazy as _

LEVELS = [
    ("intro", _("Introduction")),
    ("intermediate", _("Intermediate")),
    ("advanced", _("Advanced")),
]
DURATIONS = {  # catalogue filter buckets, in minutes
    "short": (0, 60),
    "medium": (61, 120),
    "long": (121, 10_000),
}
