"""Labels for the readable copy of a person's data (Norwegian through gettext)."""

import datetime as dt

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

register = template.Library()

FIELD_LABELS = {
    "id": _("Id"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "email": _("E-mail address"),
    "date_joined": _("Registered"),
    "last_login": _("Last login"),
    "municipality__name": _("Municipality"),
    "org_unit__name": _("Unit"),
    "is_learner": _("Learner"),
    "is_hr": _("HR"),
    "created_at": _("Created"),
    "updated_at": _("Updated"),
    "course__title": _("Course"),
    "enrolment__course__title": _("Course"),
    "module__title": _("Module"),
    "source": _("How"),
    "status": _("Status"),
    "completed_at": _("Completed"),
    "done_at": _("Done"),
    "prompt": _("Question"),
    "text": _("Text"),
    "quiz_page__title": _("Quiz"),
    "number": _("Attempt"),
    "answers": _("Answers"),
    "score": _("Score"),
    "passed": _("Passed"),
    "started_at": _("Started"),
    "submitted_at": _("Submitted"),
    "code": _("Certificate code"),
    "learner_name": _("Name"),
    "title": _("Title"),
    "municipality_name": _("Municipality"),
    "issued_at": _("Issued"),
    "revoked_at": _("Revoked"),
    "assignment__course__title": _("Course"),
    "assignment__learning_path__title": _("Learning path"),
    "due_date": _("Due"),
    "added_at": _("Assigned"),
    "expires_on": _("Expires"),
    "works_on": _("What you work on"),
    "phase": _("Phase"),
    "mean": _("Average"),
}


@register.filter
def field_label(key: str) -> str:
    return str(FIELD_LABELS.get(key, key.replace("__", " ").replace("_", " ")))


@register.filter
def plain_value(value) -> str:
    """Dates in the local short format, yes/no, lists and nested rows as plain text."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, list):
        return "; ".join(plain_value(v) for v in value) or "–"
    if isinstance(value, dict):
        return ", ".join(f"{field_label(k)}: {plain_value(v)}" for k, v in value.items())
    return str(value)
