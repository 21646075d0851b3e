from django.urls import path
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem

from courses import translations
from courses.models import CoursePage, ModulePage
from learners.selectors.learning import module_enrolment
from learners.services.learning import module_visit
from learners.views.quiz_stats import quiz_statistics_view


@hooks.register("before_serve_page")
def remember_where_the_learner_is(page, request, serve_args, serve_kwargs):
    """Opening a module remembers it, so «continue» brings the learner back here."""
    if isinstance(page, ModulePage) and request.user.is_authenticated:
        enrolment = module_enrolment(user=request.user, module=page)
        # The page's template reads the same enrolment: kept on the request, read once.
        request.module_enrolments = {page.pk: enrolment}
        if enrolment is not None:
            source = page.course.outline.sources.get(page.pk)
            module_visit(enrolment=enrolment, module=source or translations.canonical(page))


@hooks.register("register_admin_urls")
def quiz_statistics_urls():
    return [
        path(
            "quiz-statistikk/<int:page_id>/",
            quiz_statistics_view,
            name="learners_quiz_statistics",
        )
    ]


class QuizStatisticsButton(PageMenuItem):
    label = gettext_lazy("Quiz statistics")
    icon_name = "table"
    url_name = "learners_quiz_statistics"

    def is_shown(self, user):
        return getattr(self.page.specific_deferred, "has_quiz", False) and (
            self.page.permissions_for_user(user).can_edit()
        )


@hooks.register("register_page_header_buttons")
def quiz_statistics_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, CoursePage | ModulePage):
        yield QuizStatisticsButton(page=page, priority=80)
