from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearnersConfig(AppConfig):
    name = "learners"
    verbose_name = _("Learners and municipalities")

    def ready(self):
        # Imported here, as Django requires: models are ready only now.
        from django.contrib.auth.signals import user_logged_in

        from . import receivers
        from .signals import course_completed

        course_completed.connect(
            receivers.certificate_queue_on_course_completed,
            dispatch_uid="learners.certificate_issue",
        )
        course_completed.connect(
            receivers.assignment_progress_on_course_completed, dispatch_uid="learners.hr_progress"
        )
        user_logged_in.connect(
            receivers.preferred_language_forget_on_login, dispatch_uid="learners.language"
        )
