"""Learning records to the municipality's Learning Record Store, as xAPI 1.0.3 statements.

Each event (module started or completed, question answered, quiz passed or failed, course
completed, certificate earned, SCORM module completed with its score) becomes an XapiStatement
row in the event's own transaction,
with an id derived from the event: recording or sending it again makes no duplicate, here or in
the LRS. Delivery runs in the background (a task through the outbox after the commit, and a
beat task every minute for what is due), in batches, with exponential backoff while the LRS
fails; nothing is dropped. Only municipalities with an active LrsConnection get statements.

Privacy: the actor is an opaque per-municipality account id unless the municipality chose
e-mail; no free text (reflections, plans) is ever part of a statement.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass

import requests
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from wagtail.models import Page

from courses.models import CoursePage, ModulePage
from learners.lib.secretbox import unseal
from learners.models import (
    Certificate,
    Enrolment,
    LrsConnection,
    QuizAttempt,
    ScormAttempt,
    User,
    XapiStatement,
)
from learners.services.outbox import outbox_enqueue

logger = logging.getLogger(__name__)

DELIVER_TASK = "learners.tasks.xapi_deliver_task"  # tasks import services, not back
XAPI_VERSION = "1.0.3"
BATCH = 100
TIMEOUT = (2, 10)  # seconds: connect, read
MAX_BACKOFF = dt.timedelta(hours=1)
NAMESPACE = uuid.UUID("5b0c8f62-8f1c-4f0e-9a43-6e2d4bb1c0de")  # Endra's statement ids

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "attempted": (ADL + "attempted", "attempted", "startet"),
    "completed": (ADL + "completed", "completed", "fullførte"),
    "answered": (ADL + "answered", "answered", "svarte på"),
    "passed": (ADL + "passed", "passed", "bestod"),
    "failed": (ADL + "failed", "failed", "bestod ikke"),
    # ADL has no verb for earning a credential; the xAPI registry's is the common choice.
    "earned": ("http://id.tincanapi.com/verb/earned", "earned", "fikk"),
}
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "certificate": "https://w3id.org/xapi/tla/activity-types/credential",
}


@dataclass(frozen=True)
class Activity:
    kind: str  # a key of ACTIVITY_TYPES
    path: str  # stable: built from database ids, never from titles or slugs
    title: str


def _site() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def activity_iri(activity: Activity) -> str:
    return f"{_site()}/xapi/{activity.path}"


def course_activity(course: CoursePage) -> Activity:
    return Activity("course", f"course/{course.pk}", course.title)


def module_activity(module: ModulePage) -> Activity:
    return Activity("module", f"module/{module.pk}", module.title)


def quiz_activity(page) -> Activity:
    return Activity("quiz", f"quiz/{page.pk}", page.title)


def actor_for(*, user: User, municipality_id: int, send_email: bool) -> dict:
    """The person as the LRS sees them: an opaque id per municipality (the same person gets a
    different id in each municipality), or their e-mail when the municipality chose that."""
    if send_email and user.email:
        return {"objectType": "Agent", "mbox": f"mailto:{user.email}"}
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"xapi:{municipality_id}:{user.pk}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return {"objectType": "Agent", "account": {"homePage": _site(), "name": digest}}


def statement_build(
    *,
    key: str,
    actor: dict,
    verb: str,
    activity: Activity,
    parent: Activity | None = None,
    result: dict | None = None,
    timestamp: dt.datetime | None = None,
) -> dict:
    """One xAPI statement. `key` names the event; the statement id is derived from it."""
    verb_iri, verb_en, verb_nb = VERBS[verb]
    statement: dict = {
        "id": str(uuid.uuid5(NAMESPACE, key)),
        "actor": actor,
        "verb": {"id": verb_iri, "display": {"en-US": verb_en, "nb-NO": verb_nb}},
        "object": {
            "objectType": "Activity",
            "id": activity_iri(activity),
            "definition": {
                "type": ACTIVITY_TYPES[activity.kind],
                "name": {"nb-NO": activity.title or activity.path},
            },
        },
        "context": {"platform": "Endra", "language": "nb-NO"},
        "timestamp": (timestamp or timezone.now()).isoformat(),
        "version": XAPI_VERSION,
    }
    if parent is not None:
        statement["context"]["contextActivities"] = {"parent": [{"id": activity_iri(parent)}]}
    if result:
        statement["result"] = result
    return statement


def _connection_for(municipality_id: int) -> LrsConnection | None:
    return LrsConnection.objects.filter(municipality_id=municipality_id, active=True).first()


def _record(*, enrolment: Enrolment, events: list[dict]) -> int:
    """Store statements for `enrolment`'s municipality (when it has an LRS) and have them
    delivered after the commit. Each event: key, verb, activity and optional parent/result."""
    lrs = _connection_for(enrolment.municipality_id)
    if lrs is None or not events:
        return 0
    actor = actor_for(
        user=enrolment.user, municipality_id=enrolment.municipality_id, send_email=lrs.send_email
    )
    now = timezone.now()
    wait = lrs.retry_after if lrs.retry_after and lrs.retry_after > now else None
    rows = []
    for event in events:
        statement = statement_build(actor=actor, timestamp=now, **event)
        rows.append(
            XapiStatement(
                municipality_id=enrolment.municipality_id,
                statement_id=uuid.UUID(statement["id"]),
                statement=statement,
                next_attempt_at=wait,
            )
        )
    XapiStatement.objects.bulk_create(rows, ignore_conflicts=True)
    if wait is None:
        outbox_enqueue(DELIVER_TASK, municipality_id=enrolment.municipality_id)
    return len(rows)


# The events. Keys are built from ids, so the same event always gives the same statement.


def _module_event(*, enrolment: Enrolment, module: ModulePage, key: str, verb: str, result=None):
    course = CoursePage.objects.get(pk=enrolment.course_id)
    event = {
        "key": f"{key}:{enrolment.pk}:{module.pk}",
        "verb": verb,
        "activity": module_activity(module),
        "parent": course_activity(course),
    }
    if result:
        event["result"] = result
    return _record(enrolment=enrolment, events=[event])


def xapi_module_started(*, enrolment: Enrolment, module: ModulePage) -> int:
    return _module_event(enrolment=enrolment, module=module, key="module-started", verb="attempted")


def xapi_module_completed(*, enrolment: Enrolment, module: ModulePage) -> int:
    return _module_event(
        enrolment=enrolment,
        module=module,
        key="module-completed",
        verb="completed",
        result={"completion": True},
    )


def xapi_scorm_completed(*, attempt: ScormAttempt, module: ModulePage) -> int:
    """A SCORM module completed, with the package's score and pass when it reported them."""
    result: dict = {"completion": True}
    if attempt.success_status in ("passed", "failed"):
        result["success"] = attempt.success_status == "passed"
    score: dict = {}
    if attempt.score_scaled is not None and -1 <= attempt.score_scaled <= 1:
        score["scaled"] = round(attempt.score_scaled, 4)
    elif attempt.score_percent is not None and 0 <= attempt.score_percent <= 100:
        score["scaled"] = round(attempt.score_percent / 100, 4)
    if attempt.score_raw is not None:
        score["raw"] = attempt.score_raw
        low, high = attempt.score_min, attempt.score_max
        if low is not None and low <= attempt.score_raw:
            score["min"] = low
        if high is not None and high >= attempt.score_raw and high > (low or 0):
            score["max"] = high
    if score:
        result["score"] = score
    return _module_event(
        enrolment=attempt.enrolment,
        module=module,
        key=f"scorm-completed:{attempt.number}",
        verb="completed",
        result=result,
    )


def xapi_quiz_submitted(*, enrolment: Enrolment, attempt: QuizAttempt, correct: dict) -> int:
    """Each question answered (right or not, and which options by id; never free text), then
    the quiz passed or failed with its score. `correct` maps question id to True/False."""
    page = Page.objects.get(pk=attempt.quiz_page_id)  # a course's final quiz or a module's
    quiz = quiz_activity(page)
    events: list[dict] = []
    for question in attempt.snapshot:
        qid = question["id"]
        events.append(
            {
                "key": f"answered:{attempt.pk}:{qid}",
                "verb": "answered",
                "activity": Activity(
                    "question", f"quiz/{page.pk}/question/{qid}", question.get("text", "")[:200]
                ),
                "parent": quiz,
                "result": {
                    "success": bool(correct.get(qid)),
                    "response": "[,]".join(str(x) for x in attempt.answers.get(qid, [])),
                },
            }
        )
    score = attempt.score or 0
    events.append(
        {
            "key": f"quiz:{attempt.pk}",
            "verb": "passed" if attempt.passed else "failed",
            "activity": quiz,
            "result": {
                "success": bool(attempt.passed),
                "completion": True,
                "score": {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100},
            },
        }
    )
    return _record(enrolment=enrolment, events=events)


def xapi_course_completed(*, enrolment: Enrolment) -> int:
    course = CoursePage.objects.get(pk=enrolment.course_id)
    completed_at = enrolment.completed_at or timezone.now()
    return _record(
        enrolment=enrolment,
        events=[
            {
                "key": f"course-completed:{enrolment.pk}:{completed_at.isoformat()}",
                "verb": "completed",
                "activity": course_activity(course),
                "result": {"completion": True},
            }
        ],
    )


def xapi_certificate_earned(*, certificate: Certificate) -> int:
    enrolment = certificate.enrolment  # the issuer's own object, user and course with it
    if enrolment is None:
        return 0
    return _record(
        enrolment=enrolment,
        events=[
            {
                "key": f"certificate:{certificate.pk}",
                "verb": "earned",
                "activity": Activity(
                    "certificate", f"certificate/{certificate.code}", certificate.title
                ),
                "parent": course_activity(enrolment.course),
            }
        ],
    )


# Delivery.


def _backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _post(lrs: LrsConnection, statements: list[dict]) -> None:
    response = requests.post(
        lrs.endpoint.rstrip("/") + "/statements",
        json=statements,
        auth=(lrs.username, unseal(lrs.password_sealed)),
        headers={"X-Experience-API-Version": XAPI_VERSION},
        timeout=TIMEOUT,
    )
    if response.status_code not in (200, 204):
        raise requests.HTTPError(f"{response.status_code}: {response.text[:300]}")


def xapi_deliver(*, municipality_id: int, now: dt.datetime | None = None) -> int:
    """Send the municipality's due statements in batches; returns how many were delivered.
    A failure leaves them waiting with a later next attempt (backoff), and records why."""
    lrs = _connection_for(municipality_id)
    if lrs is None:
        return 0
    now = now or timezone.now()
    delivered = 0
    for _batch in range(50):  # bounded: at most 5,000 statements per run
        with transaction.atomic():
            due = XapiStatement.objects.filter(
                municipality_id=municipality_id, sent_at__isnull=True
            ).exclude(next_attempt_at__gt=now)
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True)
            rows = list(due.order_by("pk")[:BATCH])
            if not rows:
                break
            try:
                _post(lrs, [row.statement for row in rows])
            except requests.RequestException as exc:
                error = f"{type(exc).__name__}: {exc}"[:2000]
                attempts = max(row.attempts for row in rows) + 1
                retry = timezone.now() + _backoff(attempts)
                XapiStatement.objects.filter(pk__in=[row.pk for row in rows]).update(
                    attempts=attempts, next_attempt_at=retry, last_error=error
                )
                LrsConnection.objects.filter(pk=lrs.pk).update(last_error=error, retry_after=retry)
                logger.warning("LRS of municipality %s failed: %s", municipality_id, error)
                return delivered
            sent = timezone.now()
            XapiStatement.objects.filter(pk__in=[row.pk for row in rows]).update(
                sent_at=sent, last_error=""
            )
            LrsConnection.objects.filter(pk=lrs.pk).update(
                last_success_at=sent, last_error="", retry_after=None
            )
            delivered += len(rows)
    return delivered


def xapi_deliver_due(*, now: dt.datetime | None = None) -> int:
    """Beat task's work: deliver what is due for every municipality with an LRS."""
    now = now or timezone.now()
    municipality_ids = (
        XapiStatement.objects.filter(sent_at__isnull=True)
        .exclude(next_attempt_at__gt=now)
        .values_list("municipality_id", flat=True)
        .distinct()
    )
    return sum(xapi_deliver(municipality_id=pk, now=now) for pk in list(municipality_ids))
