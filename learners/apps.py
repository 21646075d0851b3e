from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearnersConfig(AppConfig):
    name = "learners"
    verbose_name = _("Learners and municipalities")

    def ready(self):
        # Imported here, as Django requires: models are ready only now.
        from allauth.account.signals import user_logged_in as allauth_logged_in
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save, pre_delete

        from courses.models import LearningPathCourse

        from . import receivers
        from .lib.prepared import Prepared
        from .models import OrgUnit, User
        from .models.org import UserManager
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
        # HR's roll-up follows changes made outside the learners services.
        pre_delete.connect(
            receivers.rollup_note_people_of_deleted_unit,
            sender=OrgUnit,
            dispatch_uid="learners.rollup_unit_people",
        )
        post_delete.connect(
            receivers.rollup_refresh_after_unit_deleted,
            sender=OrgUnit,
            dispatch_uid="learners.rollup_unit_deleted",
        )
        for signal in (post_save, post_delete):
            signal.connect(
                receivers.rollup_refresh_on_path_courses_changed,
                sender=LearningPathCourse,
                dispatch_uid=f"learners.rollup_path_courses_{signal is post_save}",
            )
        # allauth's own signal: it says whether the login came through a provider.
        allauth_logged_in.connect(
            lambda sender, request, user, **kw: sso_login_record(request, user, **kw),
            dispatch_uid="learners.sso_login_record",
            weak=False,
        )
        # The signed-in person, read on every request by the authentication backends.
        UserManager.by_pk = Prepared(lambda pk: User.objects.filter(pk=pk).order_by()[:1], int)
