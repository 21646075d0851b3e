"""Change in practice, HR's side: figures per unit (hidden below five people) with their
export, and the change agents HR designates and removes."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learners.access import access_change_agent, access_org_unit
from learners.forms.change import ChangeAgentDesignateForm
from learners.models import ChangeAgent
from learners.permissions import hr_view
from learners.selectors import change as sel
from learners.selectors.org import member_by_email
from learners.services.change import change_agent_remove, change_agent_set

from ._export import hr_export, wants_export


def _export_header() -> list[str]:
    return [
        _("Unit"),
        _("Action plans"),
        _("Benefits on track"),
        _("Benefits at risk"),
        _("Benefits realised"),
        _("Benefits dropped"),
        _("Benefits not followed up"),
        _("Readiness before (average 1–5)"),
        _("Readiness after (average 1–5)"),
    ]


def _hidden() -> str:
    return _("hidden (fewer than 5)")


def _export_row(row) -> list:
    plans = row.plans
    cells = [row.label]
    if plans.hidden:
        cells += [_hidden()] * 6
    else:
        b = plans.benefits
        cells += [plans.plans, b["on_track"], b["at_risk"], b["done"], b["dropped"], b[""]]
    for phase in (row.before, row.after):
        cells.append(_hidden() if phase.hidden else (phase.average if phase.average else ""))
    return cells


@hr_view()
def report(request, unit_id: int | None = None):
    scope = request.hr_scope
    unit = access_org_unit(scope=scope, pk=unit_id) if unit_id else None
    if unit is None and scope.unit_paths:
        unit = scope.units().filter(path=scope.unit_paths[0]).first()  # a manager's own unit
    report = sel.change_report(scope=scope, base=unit)
    if wants_export(request):
        rows = [_export_row(row) for row in [*report["rows"], report["total"]]]
        data = {
            "report": "change",
            "format": request.GET.get("format"),
            "unit_id": unit.pk if unit else None,
        }
        return hr_export(request, name="gevinster", header=_export_header(), rows=rows, data=data)
    ancestors = [u for u in (unit.get_ancestors() if unit else []) if scope.covers(u)]
    return render(request, "learners/hr/change_report.html", {**report, "ancestors": ancestors})


@hr_view(edit=True)
def agents(request):
    municipality = request.hr_scope.municipality
    form = ChangeAgentDesignateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        membership = member_by_email(municipality=municipality, email=form.cleaned_data["email"])
        if membership is None:
            form.add_error("email", _("Nobody with that address belongs to your municipality."))
        else:
            change_agent_set(
                user=membership.user,
                membership=membership,
                works_on=form.cleaned_data["works_on"],
                source=ChangeAgent.Source.HR,
                actor=request.user,
            )
            messages.success(request, _("The change agent is added."))
            return redirect("hr:change_agents")
    return render(
        request,
        "learners/hr/change_agents.html",
        {
            "form": form,
            "agents": sel.change_agent_directory(municipality_id=municipality.pk),
        },
    )


@hr_view(edit=True)
@require_POST
def agent_remove(request, pk: int):
    agent = access_change_agent(scope=request.hr_scope, pk=pk)
    change_agent_remove(agent=agent, actor=request.user)
    messages.success(request, _("The change agent is removed from the directory."))
    return redirect("hr:change_agents")
