"""Choice lists of course pages, in a module of their own so anything may import them."""

from django.utils.translation import gettext_lazy as _

from courses import grading

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
ANSWERS_SHOWN = [
    (grading.REVEAL_AFTER_SUCCESS_OR_END, _("After a pass or when no attempt is left")),
    (grading.REVEAL_AFTER_SUCCESS, _("Only after a pass")),
    (grading.REVEAL_AT_END, _("Only when no attempt is left")),
    (grading.REVEAL_NEVER, _("Never")),
]
