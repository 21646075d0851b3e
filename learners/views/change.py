"""Change in practice, the learner's side: action plans, check-ins, the readiness
self-assessment and the change agent directory (HR's side is learners.views.hr.change).
Thin: objects are fetched through learners.access (a foreign id is a 404), writes go through
learners.services.change."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from learners import access
from learners.forms.change import (
    ActionPlanForm,
    BenefitFormSet,
    ChangeAgentForm,
    MeasurementForm,
    ReadinessForm,
    StepFormSet,
    benefit_initial,
)
from learners.models import ActionPlan, BenefitStatus, ChangeAgent
from learners.selectors import change as sel
from learners.services.change import (
    ChangeError,
    action_plan_create,
    action_plan_update,
    change_agent_remove,
    change_agent_set,
    check_in_record,
    readiness_submit,
)

ERRORS = {
    "no_benefit": gettext_lazy("Add at least one expected benefit."),
    "exists": gettext_lazy("You already have a plan for this course."),
    "too_late": gettext_lazy("The first self-assessment is taken before the course is completed."),
    "too_early": gettext_lazy("The second self-assessment opens three months after you completed."),
    "answered": gettext_lazy("You have already answered this self-assessment."),
    "incomplete": gettext_lazy("Answer every statement."),
}


def _formsets(request, plan: ActionPlan | None, initial: dict | None = None):
    data = request.POST if request.method == "POST" else None
    plan_form = ActionPlanForm(data, instance=plan, initial=initial)
    steps_initial = (
        [{"text": s.text, "due_date": s.due_date} for s in plan.steps.all()] if plan else None
    )
    steps = StepFormSet(data, initial=steps_initial, prefix="steps")
    benefits = BenefitFormSet(
        data, initial=benefit_initial(plan) if plan else None, prefix="benefits"
    )
    return plan_form, steps, benefits


def _cleaned(formset) -> list[dict]:
    return [form.cleaned_data for form in formset.forms if form.cleaned_data]


@login_required
def plan_create(request, course_id: int):
    enrolment = access.access_plan_enrolment(user=request.user, course_id=course_id)
    existing = sel.plan_for_enrolment(enrolment=enrolment)
    if existing is not None:
        return redirect("learners:change_plan", existing.pk)
    # A new plan starts from what the learner wrote at the course's last task in the unit.
    start = sel.plan_start(enrolment=enrolment) if request.method == "GET" else None
    return _plan_form(request, enrolment=enrolment, plan=None, start=start)


@login_required
def plan_edit(request, pk: int):
    plan = access.access_plan(user=request.user, pk=pk)
    return _plan_form(request, enrolment=plan.enrolment, plan=plan)


def _plan_form(request, *, enrolment, plan, start: dict | None = None):
    start = start or {"initial": {}, "module": None}
    plan_form, steps, benefits = _formsets(request, plan, start["initial"])
    if request.method == "POST" and all(f.is_valid() for f in (plan_form, steps, benefits)):
        args = {
            "data": plan_form.cleaned_data,
            "steps": _cleaned(steps),
            "benefits": _cleaned(benefits),
        }
        try:
            if plan is None:
                plan = action_plan_create(enrolment=enrolment, **args)
            else:
                plan = action_plan_update(plan=plan, **args)
        except ChangeError as error:
            messages.error(request, ERRORS.get(error.code, _("That did not work.")))
        else:
            messages.success(request, _("Your action plan is saved. Only you can see it."))
            return redirect("learners:change_plan", plan.pk)
    context = {
        "course": enrolment.course,
        "plan": plan,
        "form": plan_form,
        "steps": steps,
        "benefits": benefits,
        "started_from": start["module"],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "learners/change/plan_form.html", context, status=status)


@login_required
def plan_detail(request, pk: int):
    plan = access.access_plan(user=request.user, pk=pk)
    return render(request, "learners/change/plan_detail.html", sel.plan_detail(plan=plan))


@login_required
def check_in(request, plan_pk: int, pk: int):
    check_in = access.access_check_in(user=request.user, plan_pk=plan_pk, pk=pk)
    benefits = list(check_in.plan.benefits.all())
    recorded = {m.benefit_id: m for m in check_in.measurements.all()}
    data = request.POST if request.method == "POST" else None
    forms = [
        (
            benefit,
            MeasurementForm(
                data,
                prefix=f"b{benefit.pk}",
                initial=_measurement_initial(recorded.get(benefit.pk), benefit),
            ),
        )
        for benefit in benefits
    ]
    if data is not None and all(form.is_valid() for _b, form in forms):
        rows = [{"benefit_id": b.pk, **form.cleaned_data} for b, form in forms]
        check_in_record(check_in=check_in, rows=rows)
        messages.success(request, _("The follow-up is saved."))
        return redirect("learners:change_plan", check_in.plan_id)
    return render(
        request,
        "learners/change/check_in.html",
        {"check_in": check_in, "plan": check_in.plan, "forms": forms},
        status=400 if data is not None else 200,
    )


def _measurement_initial(measurement, benefit) -> dict:
    if measurement is not None:
        return {"value": measurement.value, "status": measurement.status, "note": measurement.note}
    return {"status": benefit.status or BenefitStatus.ON_TRACK}


@login_required
def readiness(request, course_id: int):
    enrolment = access.access_readiness_enrolment(user=request.user, course_id=course_id)
    answered = set(enrolment.readiness_responses.values_list("phase", flat=True))
    phase = sel.readiness_phase_due(enrolment=enrolment, answered=answered)
    form = ReadinessForm(request.POST or None) if phase else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                readiness_submit(enrolment=enrolment, phase=phase, answers=form.answers())
            except ChangeError as error:
                messages.error(request, ERRORS.get(error.code, _("That did not work.")))
            else:
                messages.success(request, _("Thank you. Only you can see your answers."))
            return redirect("learners:change_readiness", course_id)
    context = {
        "enrolment": enrolment,
        "course": enrolment.course,
        "phase": phase,
        "form": form,
        **sel.readiness_compare(enrolment=enrolment),
    }
    return render(request, "learners/change/readiness.html", context)


# --- Change agents ---------------------------------------------------------------------------


@login_required
def agents(request):
    memberships = sel.municipalities_of(user=request.user)
    if not memberships:
        raise Http404
    directories = [
        (m.municipality, list(sel.change_agent_directory(municipality_id=m.municipality_id)))
        for m in memberships
    ]
    mine = sel.change_agent_of(user=request.user)
    form = ChangeAgentForm(initial={"works_on": mine.works_on} if mine else None)
    return render(
        request,
        "learners/change/agents.html",
        {"directories": directories, "mine": mine, "form": form},
    )


@login_required
@require_POST
def agent_volunteer(request):
    membership = access.access_home_membership(user=request.user)
    form = ChangeAgentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write briefly what you work on."))
        return redirect("learners:change_agents")
    existing = sel.change_agent_of(user=request.user, municipality_id=membership.municipality_id)
    change_agent_set(
        user=request.user,
        membership=membership,
        works_on=form.cleaned_data["works_on"],
        source=existing.source if existing else ChangeAgent.Source.VOLUNTEER,
        actor=request.user,
    )
    messages.success(request, _("You are in the directory of change agents."))
    return redirect("learners:change_agents")


@login_required
@require_POST
def agent_withdraw(request):
    for agent in sel.change_agents_of(user=request.user):
        change_agent_remove(agent=agent, actor=request.user)
    messages.success(request, _("You are no longer in the directory of change agents."))
    return redirect("learners:change_agents")
