"""What learners does when a signal of learners.signals is sent. Connected in
LearnersConfig.ready(); each receiver calls one service."""

import logging

from learners.middleware import LANGUAGE_SESSION_KEY
from learners.models import Enrolment, Membership
from learners.services.assignments import assignment_progress_sync
from learners.services.outbox import certificate_issue_enqueue
from learners.services.rollups import rollup_refresh, rollup_refresh_path

logger = logging.getLogger(__name__)


def certificate_queue_on_course_completed(sender, *, enrolment_id: int, **kwargs) -> None:
    """A completed course gets its certificate in the background, through the outbox (the
    completion already queued it in its own transaction; this adds nothing then)."""
    try:
        completed_at = Enrolment.objects.values_list("completed_at", flat=True).get(pk=enrolment_id)
        if completed_at is not None:
            certificate_issue_enqueue(enrolment_id=enrolment_id, completed_at=completed_at)
    except Exception:  # a certificate problem must never undo or fail the completion itself
        logger.exception("Could not queue the certificate for enrolment %s", enrolment_id)


def assignment_progress_on_course_completed(sender, *, enrolment_id: int, **kwargs) -> None:
    """Receiver of learners.signals.course_completed (sent after commit): bring the learner's
    assignments up to date at once, so HR's numbers move as the learner completes."""
    enrolment = Enrolment.objects.select_related("user").get(pk=enrolment_id)
    assignment_progress_sync(user=enrolment.user)


def preferred_language_forget_on_login(sender, *, request, user, **kwargs) -> None:
    """Receiver of user_logged_in: resolve the person's language afresh at each sign-in, so a
    municipality's new written standard reaches its people from their next sign-in."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(LANGUAGE_SESSION_KEY, None)


def rollup_note_people_of_deleted_unit(sender, *, instance, **kwargs) -> None:
    """pre_delete of an OrgUnit: remember who is placed in it (they become people without a
    unit once it is gone)."""
    instance._rollup_user_ids = list(
        Membership.objects.filter(org_unit=instance).values_list("user_id", flat=True)
    )


def rollup_refresh_after_unit_deleted(sender, *, instance, **kwargs) -> None:
    """post_delete of an OrgUnit, in the same transaction: HR's numbers follow."""
    rollup_refresh(user_ids=getattr(instance, "_rollup_user_ids", []))


def rollup_refresh_on_path_courses_changed(sender, *, instance, **kwargs) -> None:
    """post_save and post_delete of a LearningPathCourse: who has started the path may
    change."""
    rollup_refresh_path(learning_path_id=instance.path_id)
