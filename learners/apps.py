import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


def _queue_certificate(sender, *, enrolment_id: int, **kwargs) -> None:
    """A completed course gets its certificate in the background (the signal is sent after
    the completion has committed, so the task always finds it)."""
    from .tasks import certificate_issue_task

    try:
        certificate_issue_task.delay(enrolment_id)
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
