"""What HR sees of its municipality's learning-record delivery."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db.models import Count, Q

from learners.models import LrsConnection, Municipality, XapiStatement


@dataclass(frozen=True)
class LrsDeliveryState:
    host: str
    active: bool
    sent: int
    waiting: int
    failing: int
    last_success_at: dt.datetime | None
    last_error: str
    retry_after: dt.datetime | None


def lrs_delivery_state(*, municipality: Municipality) -> LrsDeliveryState | None:
    """Sent, waiting and failing statements, and the last error, or None without an LRS."""
    lrs = LrsConnection.objects.filter(municipality=municipality).first()
    if lrs is None:
        return None
    counts = XapiStatement.objects.filter(municipality=municipality).aggregate(
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        waiting=Count("pk", filter=Q(sent_at__isnull=True, attempts=0)),
        failing=Count("pk", filter=Q(sent_at__isnull=True, attempts__gt=0)),
    )
    return LrsDeliveryState(
        host=urlsplit(lrs.endpoint).netloc,
        active=lrs.active,
        last_success_at=lrs.last_success_at,
        last_error=lrs.last_error,
        retry_after=lrs.retry_after,
        **counts,
    )
