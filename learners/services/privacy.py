"""Privacy writes: erase a person, anonymise by retention period.

Erasure keeps the rows that aggregates count (memberships with their unit, enrolments,
progress, attempts, assignments) linked to an anonymous, disabled account, and removes or
blanks everything that says who the person was: name, e-mail, login, reflections, the free
text of action plans. Certificates stay verifiable with the name replaced (see README,
"Privacy"). Audit-log rows are append-only and are never edited."""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.utils import timezone

from learners.models import AuditAction, Municipality, User
from learners.privacy_areas import AREAS, ERASED_EMAIL_DOMAIN
from learners.selectors.privacy import RetentionResult, retention_due

from .audit import audit_log_write
from .ownership import account_belongs_to_alone
from .rollups import rollup_refresh


class ErasureRefused(Exception):
    """The person cannot be erased by this actor; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def is_erased(user: User) -> bool:
    return user.email.endswith(f"@{ERASED_EMAIL_DOMAIN}")


def erasure_check(*, user: User, actor: User | None, municipality: Municipality | None) -> None:
    """Raise ErasureRefused unless `actor` (platform admin, or HR of `municipality`) may
    erase `user`. HR may erase only people who belong to their municipality alone."""
    if is_erased(user):
        raise ErasureRefused("already_erased")
    if actor is not None and actor.pk == user.pk:
        raise ErasureRefused("self")
    if actor is not None and actor.is_superuser:
        return
    if user.is_staff or user.is_superuser:
        raise ErasureRefused("staff")
    if municipality is None or not account_belongs_to_alone(user=user, municipality=municipality):
        raise ErasureRefused("other_municipality")


def _account_anonymise(user: User) -> None:
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.first_name = ""
    user.last_name = ""
    user.email = f"slettet-{user.pk}@{ERASED_EMAIL_DOMAIN}"
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    # A new password hash also ends every session the person still has.
    user.set_unusable_password()
    user.save()


@transaction.atomic
def person_erase(
    *,
    user: User,
    actor: User | None,
    municipality: Municipality | None = None,
    reason: str = "request",
) -> dict[str, int]:
    """Erase `user`'s personal data (checked by erasure_check for `actor`, HR of
    `municipality` or a platform admin; actor None is the retention task). Returns rows
    touched per area."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if actor is not None:
        erasure_check(user=user, actor=actor, municipality=municipality)
    elif is_erased(user):
        raise ErasureRefused("already_erased")
    touched = {area.key: area.erase(user) for area in AREAS if area.erase is not None}
    _account_anonymise(user)
    rollup_refresh(user_ids=[user.pk])
    municipalities: list[Municipality | None] = list(
        Municipality.objects.filter(memberships__user=user).distinct().order_by("pk")
    )
    for where in municipalities or [None]:
        # Only the id: the audit log must not bring back what was just erased.
        audit_log_write(
            action=AuditAction.PERSON_ERASE,
            actor=actor,
            municipality=where,
            target=user,
            data={"user_id": user.pk, "reason": reason},
        )
    return touched


# --- Retention ------------------------------------------------------------------------------


def retention_anonymise(
    *, dry_run: bool = False, now: dt.datetime | None = None
) -> list[RetentionResult]:
    """Anonymise everyone whose last activity is older than their municipality's retention
    period (all municipalities; a dry run changes nothing)."""
    results = retention_due(now=now or timezone.now())
    if not dry_run:
        for result in results:
            for person in result.people:
                user = User.objects.get(pk=person["id"])
                if not is_erased(user):
                    person_erase(user=user, actor=None, reason="retention")
    return results
