"""E-mail from HR to people: invitations, due-date reminders, overdue notices and the weekly
HR digest, each in the recipient's language (learners.services.mail). A reminder is recorded in
SentReminder in the same transaction as it is sent, and the table's unique constraint means
it can never go out twice."""

import datetime as dt
import logging

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from learners.models import (
    AssignmentPerson,
    AuditAction,
    AuditLog,
    Membership,
    Municipality,
    MunicipalitySettings,
    SentReminder,
    User,
)
from learners.selectors.org import preferred_language
from learners.services.audit import audit_log_write
from learners.services.mail import mail_send, site_url

logger = logging.getLogger(__name__)


@transaction.atomic
def invitation_send(*, user_id: int, municipality_id: int) -> None:
    """Invite an imported person once: a link to choose a password (allauth's reset-by-key).
    The audit row is the record that it went out; a redelivered task finds it and stops."""
    user = User.objects.select_for_update().get(pk=user_id)
    municipality = Municipality.objects.get(pk=municipality_id)
    already = AuditLog.objects.filter(
        action=AuditAction.INVITATION_SEND,
        municipality=municipality,
        target_type="User",
        target_id=str(user.pk),
    )
    if already.exists():
        return
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    mail_send(
        to=[user.email],
        template="invitation",
        context={"user": user, "municipality": municipality, "link": site_url(path)},
        language=preferred_language(user=user),
    )
    audit_log_write(
        action=AuditAction.INVITATION_SEND,
        municipality=municipality,
        target=user,
        data={"user_id": user.pk},
    )


def settings_for(municipality_id: int) -> MunicipalitySettings:
    """The municipality's reminder schedule; defaults when HR never changed it."""
    found = MunicipalitySettings.objects.filter(municipality_id=municipality_id).first()
    return found or MunicipalitySettings(municipality_id=municipality_id)


def _open_rows():
    # Only current members: a membership the municipality ended sends no more reminders.
    member = Membership.objects.filter(
        user_id=OuterRef("user_id"), municipality_id=OuterRef("assignment__municipality_id")
    )
    return AssignmentPerson.objects.filter(
        Exists(member),
        completed_at__isnull=True,
        due_date__isnull=False,
        assignment__ended_at__isnull=True,
    ).select_related(
        "user", "assignment__municipality", "assignment__learning_path", "assignment__course"
    )


def reminders_send(*, today: dt.date | None = None) -> int:
    """Send every due-soon and overdue reminder that is due today under each municipality's
    schedule, once each. Returns how many went out."""
    today = today or timezone.localdate()
    sent = 0
    municipality_ids = _open_rows().values_list("assignment__municipality_id", flat=True)
    for municipality_id in sorted(set(municipality_ids)):
        schedule = settings_for(municipality_id)
        if not schedule.reminders_enabled:
            continue
        rows = _open_rows().filter(assignment__municipality_id=municipality_id)
        soon = today + dt.timedelta(days=schedule.remind_days_before)
        for assigned in rows.filter(due_date__gte=today, due_date__lte=soon):
            sent += _remind(assigned, SentReminder.Kind.DUE_SOON, today)
        if schedule.overdue_reminders:
            for assigned in rows.filter(due_date__lt=today):
                sent += _remind(assigned, SentReminder.Kind.OVERDUE, today)
    return sent


def _title(assigned: AssignmentPerson) -> str:
    item = assigned.assignment.learning_path or assigned.assignment.course
    return item.title if item is not None else ""


def _remind(assigned: AssignmentPerson, kind: str, today: dt.date) -> int:
    due_date = assigned.due_date
    if due_date is None:  # only rows with a due date are reminded (see _open_rows)
        return 0
    try:
        with transaction.atomic():
            SentReminder.objects.create(assignment_person=assigned, kind=kind, due_date=due_date)
            # Sent inside the transaction: if sending fails, the row goes too and the next
            # run tries again; if the row exists, this reminder already went out.
            overdue = kind == SentReminder.Kind.OVERDUE
            mail_send(
                to=[assigned.user.email],
                template="reminder_overdue" if overdue else "reminder_due_soon",
                context={
                    "user": assigned.user,
                    "title": _title(assigned),
                    "due_date": assigned.due_date,
                    "days_left": (due_date - today).days,
                    "municipality": assigned.assignment.municipality,
                    "link": site_url("/"),
                },
                language=preferred_language(user=assigned.user),
            )
    except IntegrityError:
        return 0
    return 1


def hr_digest_send(*, today: dt.date | None = None) -> int:
    """Tell each municipality's HR, once, which assigned people became overdue since the last
    digest. Returns how many digests went out."""
    today = today or timezone.localdate()
    overdue = (
        _open_rows()
        .filter(due_date__lt=today)
        .exclude(reminders__kind=SentReminder.Kind.HR_DIGEST)
        .order_by("assignment__municipality_id", "due_date")
    )
    by_municipality: dict[int, list[AssignmentPerson]] = {}
    for assigned in overdue:
        by_municipality.setdefault(assigned.assignment.municipality_id, []).append(assigned)
    sent = 0
    for municipality_id, rows in by_municipality.items():
        if settings_for(municipality_id).hr_digest and _digest_one(municipality_id, rows):
            sent += 1
    return sent


def _digest_one(municipality_id: int, rows: list[AssignmentPerson]) -> bool:
    hr_emails = list(
        Membership.objects.filter(municipality_id=municipality_id, is_hr=True).values_list(
            "user__email", flat=True
        )
    )
    if not hr_emails:
        return False
    with transaction.atomic():
        SentReminder.objects.bulk_create(
            [
                SentReminder(
                    assignment_person=a, kind=SentReminder.Kind.HR_DIGEST, due_date=a.due_date
                )
                for a in rows
                if a.due_date is not None
            ],
            ignore_conflicts=True,
        )
        mail_send(
            to=hr_emails,
            template="hr_digest",
            context={
                "municipality": rows[0].assignment.municipality,
                "rows": [(a.user, _title(a), a.due_date) for a in rows],
                "link": site_url("/hr/"),
            },
            language=settings_for(municipality_id).language,
        )
    return True
