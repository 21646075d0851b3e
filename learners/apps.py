import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


def _queue_certificate(sender, *, enrolment_id: int, **kwargs) -> None:
    """A completed course gets its certificate in the background, through the outbox (the
    completion already queued it in its own transaction; this adds nothing then)."""
    from .models import Enrolment
    from .services.outbox import certificate_issue_enqueue

    try:
        completed_at = Enrolment.objects.values_list("completed_at", flat=True).get(pk=enrolment_id)
        if completed_at is not None:
            certificate_issue_enqueue(enrolment_id=enrolment_id, completed_at=completed_at)
    except Exception:  # a certificate problem must never undo or fail the completion itself
        logger.exception("Could not queue the certificate for enrolment %s", enrolment_id)


class LearnersConfig(AppConfig):
    name = "learners"
    verbose_name = _("Learners and municipalities")

    def ready(self):
        from .signals import course_completed

        course_completed.connect(_queue_certificate, dispatch_uid="learners.certificate_issue")
        from .services.hr import assignment_progress_on_course_completed

        course_completed.connect(
            assignment_progress_on_course_completed, dispatch_uid="learners.hr_progress"
        )
