"""Writes for SCORM modules: open (or resume) an attempt, and save what the package commits.

The package's runtime data arrives as scorm-again's flattened CMI ({"cmi.core.lesson_status":
"passed", ...}), in full at every commit. It is checked (only `cmi.` elements, bounded sizes),
kept whole for resuming, and its statuses, score, location and times are copied to columns
for the learner's page and HR's reports. The package's completion (and its pass, when the
module asks for that) completes the module like any other module.
"""

from django.db import transaction
from django.utils import timezone

from courses.models import ModulePage, ScormPackage
from learners.models import Enrolment, ScormAttempt
from learners.services.learning import LearningError, enrolment_complete_if_done, module_mark_done
from learners.services.xapi import xapi_scorm_completed

MAX_ELEMENTS = 5000
MAX_VALUE = 64_000  # SCORM 2004's suspend_data may hold 64,000 characters
# Elements a package writes but must never read back (write-only), and the LMS's own.
NOT_RESUMED = {
    "cmi.core.session_time",
    "cmi.session_time",
    "cmi.core.exit",
    "cmi.exit",
    "cmi.core.entry",
    "cmi.entry",
    "cmi.core.student_id",
    "cmi.core.student_name",
    "cmi.learner_id",
    "cmi.learner_name",
    "cmi.core.credit",
    "cmi.credit",
    "cmi.mode",
    "cmi.core.lesson_mode",
}
COMPLETED_12 = {"completed", "passed"}


class ScormDataError(Exception):
    """A commit that is not runtime data Endra stores."""


def _latest(*, enrolment: Enrolment, module: ModulePage) -> ScormAttempt | None:
    return (
        ScormAttempt.objects.filter(enrolment=enrolment, module=module)
        .select_related("package")
        .order_by("-number")
        .first()
    )


@transaction.atomic
def scorm_attempt_open(
    *, enrolment: Enrolment, module: ModulePage, package: ScormPackage, restart: bool = False
) -> ScormAttempt:
    """The attempt the learner continues: their latest, on the version it started with; or,
    when there is none or they start over, a new one on `package` (the module's current)."""
    if module.get_parent().pk != enrolment.course_id:
        raise LearningError("wrong_course")
    if enrolment.status == Enrolment.Status.LEFT:
        raise LearningError("left")
    # One open at a time per enrolment and module: concurrent opens wait for each other.
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
    latest = _latest(enrolment=enrolment, module=module)
    if latest is not None and not restart:
        return latest
    return ScormAttempt.objects.create(
        enrolment=enrolment,
        module=module,
        package=package,
        number=(latest.number + 1) if latest else 1,
    )


def scorm_resume_data(*, attempt: ScormAttempt, learner_name: str) -> dict[str, str]:
    """The flattened CMI the player loads before the package initialises: what the package
    stored, minus write-only elements, plus entry, credit and the learner's name."""
    data = {k: v for k, v in attempt.cmi.items() if k not in NOT_RESUMED}
    data = {k: v for k, v in data.items() if not k.startswith("cmi.interactions.")}
    resumed = bool(attempt.cmi.get("cmi.suspend_data") or attempt.location)
    learner_id = f"endra-{attempt.enrolment_id}"
    if attempt.package.is_2004:
        data.update(
            {
                "cmi.entry": "resume" if resumed else "ab-initio",
                "cmi.learner_id": learner_id,
                "cmi.learner_name": learner_name,
                "cmi.credit": "credit",
            }
        )
        if attempt.total_time:
            data["cmi.total_time"] = attempt.total_time
    else:
        data.update(
            {
                "cmi.core.entry": "resume" if resumed else "ab-initio",
                "cmi.core.student_id": learner_id,
                "cmi.core.student_name": learner_name,
                "cmi.core.credit": "credit",
            }
        )
        if attempt.total_time:
            data["cmi.core.total_time"] = attempt.total_time
        if attempt.package.mastery_score is not None:
            data["cmi.student_data.mastery_score"] = _number_text(attempt.package.mastery_score)
    return {k: str(v) for k, v in data.items()}


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _clean(data) -> dict[str, str]:
    if not isinstance(data, dict):
        raise ScormDataError("not an object")
    if len(data) > MAX_ELEMENTS:
        raise ScormDataError("too many elements")
    cleaned: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str) or len(key) > 255:
            raise ScormDataError(f"not a runtime data element: {str(key)[:60]}")
        if not key.startswith("cmi."):
            continue  # e.g. SCORM 2004's adl.nav.request: navigation, not data to keep
        if isinstance(value, list | dict):
            if value:
                raise ScormDataError(f"not a plain value: {key}")
            continue  # an empty collection (no interactions yet): nothing to keep
        if isinstance(value, bool):
            value = "true" if value else "false"
        text = "" if value is None else str(value)
        if len(text) > MAX_VALUE:
            raise ScormDataError(f"too long: {key}")
        cleaned[key] = text
    return cleaned


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _fields(data: dict[str, str], *, is_2004: bool) -> dict:
    if is_2004:
        return {
            "completion_status": data.get("cmi.completion_status", "unknown")[:20],
            "success_status": data.get("cmi.success_status", "unknown")[:20],
            "score_raw": _float(data.get("cmi.score.raw")),
            "score_min": _float(data.get("cmi.score.min")),
            "score_max": _float(data.get("cmi.score.max")),
            "score_scaled": _float(data.get("cmi.score.scaled")),
            "location": data.get("cmi.location", "")[:1000],
            "session_time": data.get("cmi.session_time", "")[:40],
        }
    status = data.get("cmi.core.lesson_status", "not attempted")[:20]
    return {
        "completion_status": status,
        "success_status": status if status in ("passed", "failed") else "unknown",
        "score_raw": _float(data.get("cmi.core.score.raw")),
        "score_min": _float(data.get("cmi.core.score.min")),
        "score_max": _float(data.get("cmi.core.score.max")),
        "score_scaled": None,
        "location": data.get("cmi.core.lesson_location", "")[:1000],
        "session_time": data.get("cmi.core.session_time", "")[:40],
    }


def scorm_is_complete(*, attempt: ScormAttempt, require_pass: bool) -> bool:
    if attempt.package.is_2004:
        completed = attempt.completion_status == "completed"
        passed = attempt.success_status == "passed"
    else:
        completed = attempt.completion_status in COMPLETED_12
        passed = attempt.completion_status == "passed"
    return completed and (passed or not require_pass)


@transaction.atomic
def scorm_attempt_commit(*, attempt_id: int, data) -> tuple[ScormAttempt, bool]:
    """Store one commit of runtime data. Returns the attempt and whether the module became
    done by it (and with it, perhaps, the course)."""
    cleaned = _clean(data)
    attempt = (
        ScormAttempt.objects.select_for_update()
        .select_related("package", "enrolment", "enrolment__user")
        .get(pk=attempt_id)
    )
    if attempt.enrolment.status == Enrolment.Status.LEFT:
        raise LearningError("left")
    fields = _fields(cleaned, is_2004=attempt.package.is_2004)
    total_key = "cmi.total_time" if attempt.package.is_2004 else "cmi.core.total_time"
    if cleaned.get(total_key):
        fields["total_time"] = cleaned[total_key][:40]
    for name, value in fields.items():
        setattr(attempt, name, value)
    attempt.cmi = cleaned
    attempt.commits += 1
    module = ModulePage.objects.get(pk=attempt.module_id)
    became_done = False
    if (
        attempt.completed_at is None
        and module.completion in ModulePage.SCORM_COMPLETIONS
        and scorm_is_complete(attempt=attempt, require_pass=module.completion == "scorm_pass")
    ):
        attempt.completed_at = timezone.now()
        became_done = True
    attempt.save()
    if became_done:
        xapi_scorm_completed(attempt=attempt, module=module)
        module_mark_done(enrolment=attempt.enrolment, module=module)
        enrolment_complete_if_done(enrolment_id=attempt.enrolment_id)
    return attempt, became_done
