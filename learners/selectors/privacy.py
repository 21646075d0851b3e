"""Privacy reads: everything Endra keeps about one person, and who is due for anonymisation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import DateTimeField, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest

from learners.lib.dates import add_months
from learners.models import Membership, Municipality, MunicipalitySettings, User
from learners.privacy_areas import AREAS, ERASED_EMAIL_DOMAIN


@dataclass(frozen=True)
class RetentionResult:
    """What retention_anonymise did (or would do, in a dry run), per municipality."""

    municipality: Municipality
    months: int
    cutoff: dt.datetime
    people: list[dict]


DEFAULT_RETENTION_MONTHS = MunicipalitySettings._meta.get_field("retention_months").default


def personal_data_export(*, user: User) -> list[dict]:
    """All data about `user` (any municipality), one section per privacy area, for the person
    themselves."""
    return [
        {"key": area.key, "title": str(area.title), "rows": area.export(user)} for area in AREAS
    ]


def _activity_expression():
    """The latest moment anything happened for a user, from every area's activity sources
    (date_joined as the floor, so a missing source never makes it NULL)."""
    parts = []
    for model, lookup, field in (source for area in AREAS for source in area.activity):
        if model is User:
            parts.append(Coalesce(F(field), F("date_joined")))
            continue
        latest = (
            model.objects.filter(**{lookup: OuterRef("pk")})
            .order_by()
            .values(lookup)
            .annotate(latest=Max(field))
            .values("latest")
        )
        parts.append(Coalesce(Subquery(latest, output_field=DateTimeField()), F("date_joined")))
    return Greatest(*parts) if len(parts) > 1 else parts[0]


def _months_before(now: dt.datetime, months: int) -> dt.datetime:
    return dt.datetime.combine(add_months(now.date(), -months), now.timetz())


def retention_due(*, now: dt.datetime) -> list[RetentionResult]:
    """Per municipality, the people whose last activity is older than its retention period
    (all municipalities). Someone in several municipalities waits for the longest period.
    Platform staff and people already erased are never included. Three queries."""
    months_by_municipality = dict(
        MunicipalitySettings.objects.values_list("municipality_id", "retention_months")
    )
    shortest = min([DEFAULT_RETENTION_MONTHS, *months_by_municipality.values()])
    candidates = {
        user.pk: user
        for user in User.objects.filter(
            is_staff=False, is_superuser=False, memberships__isnull=False
        )
        .exclude(email__endswith=f"@{ERASED_EMAIL_DOMAIN}")
        .distinct()
        .annotate(last_activity=_activity_expression())
        .filter(Q(last_activity__lt=_months_before(now, shortest)))
    }
    memberships = defaultdict(list)
    for user_id, municipality_id in Membership.objects.filter(user_id__in=candidates).values_list(
        "user_id", "municipality_id"
    ):
        memberships[user_id].append(municipality_id)
    due: dict[int, list[dict]] = defaultdict(list)
    for user_id, municipality_ids in memberships.items():
        user = candidates[user_id]
        months = max(
            months_by_municipality.get(m, DEFAULT_RETENTION_MONTHS) for m in municipality_ids
        )
        if user.last_activity >= _months_before(now, months):
            continue
        person = {
            "id": user.pk,
            "name": user.get_full_name(),
            "email": user.email,
            "last_activity": user.last_activity,
        }
        for municipality_id in municipality_ids:
            due[municipality_id].append(person)
    municipalities = Municipality.objects.in_bulk(list(due))
    return [
        RetentionResult(
            municipality=municipalities[m_id],
            months=months_by_municipality.get(m_id, DEFAULT_RETENTION_MONTHS),
            cutoff=_months_before(now, months_by_municipality.get(m_id, DEFAULT_RETENTION_MONTHS)),
            people=sorted(people, key=lambda p: p["id"]),
        )
        for m_id, people in sorted(due.items(), key=lambda item: municipalities[item[0]].name)
    ]
