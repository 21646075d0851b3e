"""Learner state on course pages. Courses know nothing about learners; these tags, in the
learners app, add the learner's own progress to the course templates."""

from django import template
from django.conf import settings

from learners.forms.learning import ReflectionForm
from learners.selectors.learning import course_state as _course_state
from learners.selectors.learning import module_state as _module_state

register = template.Library()


@register.simple_tag(takes_context=True)
def course_state(context, course):
    return _course_state(user=context["request"].user, course=course)


@register.simple_tag(takes_context=True)
def module_state(context, module):
    request = context["request"]
    # The enrolment the page hook already read for this page (see wagtail_hooks), if any.
    read = getattr(request, "module_enrolments", {})
    if module.pk in read:
        state = _module_state(user=request.user, module=module, enrolment=read[module.pk])
    else:
        state = _module_state(user=request.user, module=module)
    context["state"] = state
    return state


@register.simple_tag
def scorm_player_context():
    """How the package frame is sandboxed: in its own opaque origin, or (with a separate
    SCORM origin) in that origin, where the package's frames may reach each other."""
    sandbox = "allow-scripts allow-forms allow-popups allow-modals allow-downloads"
    origin = settings.SCORM_CONTENT_ORIGIN
    return {
        "sandbox": f"{sandbox} allow-same-origin" if origin else sandbox,
        "content_origin": origin or "null",
    }


@register.inclusion_tag("learners/includes/reflection_form.html", takes_context=True)
def reflection_form(context, module, block_id):
    state = context.get("state") or {}
    answer = (state.get("reflections") or {}).get(block_id)
    return {
        "request": context["request"],
        "enrolled": bool(state.get("enrolment")),
        "module": module,
        "block_id": block_id,
        "answer": answer,
        "form": ReflectionForm(initial={"text": answer.text if answer else ""}, prefix=block_id),
    }
