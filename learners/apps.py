from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearnersConfig(AppConfig):
    name = "learners"
    verbose_name = _("Learners and municipalities")

    def ready(self):
        # Imported here, as Django requires: models are ready only now.
        from allauth.account.signals import user_logged_in as allauth_logged_in
        from django.contrib.auth.signals import user_logged_in

        from . import receivers
        from .signals import course_completed
        from .sso.adapter import sso_login_record

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
        # allauth's own signal: it says whether the login came through a provider.
        allauth_logged_in.connect(
            lambda sender, request, user, **kw: sso_login_record(request, user, **kw),
            dispatch_uid="learners.sso_login_record",
            weak=False,
        )
