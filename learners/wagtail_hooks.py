from wagtail import hooks

from courses import translations
from courses.models import ModulePage
from learners.selectors.learning import enrolment_for
from learners.services.learning import module_visit


@hooks.register("before_serve_page")
def remember_where_the_learner_is(page, request, serve_args, serve_kwargs):
    """Opening a module remembers it, so «continue» brings the learner back here."""
    if isinstance(page, ModulePage) and request.user.is_authenticated:
        enrolment = enrolment_for(user=request.user, course_id=page.get_parent().pk)
        if enrolment is not None:
            module_visit(enrolment=enrolment, module=translations.canonical(page))
