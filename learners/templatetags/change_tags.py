"""Change in practice on pages owned by others: the section on «Min læring», the links in the
course panel, the way on from a course's last task in the unit, and the benefit chart."""

from django import template

from learners.lib.charts import benefit_chart as _benefit_chart
from learners.lib.charts import number
from learners.models import ActionPlan, ReadinessResponse
from learners.selectors.change import my_change, readiness_phase_due

register = template.Library()


@register.inclusion_tag("learners/change/_my_learning.html", takes_context=True)
def my_change_section(context):
    return {"request": context["request"], **my_change(user=context["request"].user)}


@register.inclusion_tag("learners/change/_course_panel.html", takes_context=True)
def change_panel_links(context, course, enrolment):
    """«Lag endringsplan» when the course is completed, and the readiness invitation."""
    if enrolment is None or enrolment.status == "left" or not course.action_plan_enabled:
        return {"show": False}
    plan = ActionPlan.objects.filter(enrolment=enrolment).only("pk").first()
    answered = set(
        ReadinessResponse.objects.filter(enrolment=enrolment).values_list("phase", flat=True)
    )
    return {
        "show": True,
        "course": course,
        "enrolment": enrolment,
        "plan": plan,
        "readiness_phase": readiness_phase_due(enrolment=enrolment, answered=answered),
        "readiness_answered": bool(answered),
    }


@register.inclusion_tag("learners/change/_task_offer.html", takes_context=True)
def task_plan_offer(context, module, state):
    """Under the course's last task in the unit: go on to an action plan that starts from
    what the learner wrote (once the course is completed; before that, what comes)."""
    enrolment = state.get("enrolment")
    course = state["course"]
    if enrolment is None or enrolment.status == "left":
        return {"show": False}
    if not course.outline.source.action_plan_enabled:
        return {"show": False}
    if not module.holds_last_unit_task(course):
        return {"show": False}
    return {
        "show": True,
        "course": course,
        "enrolment": enrolment,
        "plan_id": (
            enrolment.action_plan_id
            if hasattr(enrolment, "action_plan_id")  # read with the page's enrolment
            else ActionPlan.objects.filter(enrolment=enrolment).values_list("pk", flat=True).first()
        ),
        "wrote": any(answer.text.strip() for answer in state.get("reflections", {}).values()),
    }


@register.simple_tag
def benefit_chart(benefit, index):
    return _benefit_chart(benefit=benefit, chart_id=f"chart-{benefit.pk}-{index}")


@register.filter
def num(value):
    return "" if value is None else number(value)
