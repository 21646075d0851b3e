"""HR pages: dashboard, people, assignments, import, settings and the audit log. Thin: they
read through learners.reports and write through learners.services.hr*."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import reports
from .exports import export_response
from .forms_hr import (
    AssignmentForm,
    EmployeeImportForm,
    MunicipalitySettingsForm,
    ReportFilterForm,
)
from .models import Assignment, AssignmentPerson, AuditLog
from .permissions import (
    access_assigned,
    access_assignment,
    access_member,
    access_org_unit,
    hr_view,
)
from .services.hr import (
    HRError,
    assignment_create,
    assignment_end,
    assignment_person_remove,
    municipality_settings_update,
)
from .services.hr_import import employee_import
from .services.org import audit_log_write
from .services.reminders import settings_for

STATUS_NO = {
    "completed": "Fullført",
    "expiring_soon": "Utløper snart",
    "in_progress": "Pågår",
    "not_started": "Ikke startet",
    "overdue": "Forfalt",
}
EXPORT_FORMATS = {"csv", "xlsx"}
# What the HR log shows: HR's own actions and what follows from them, not every learner click.
HR_ACTIONS = (
    "assignment.",
    "employees.",
    "report.",
    "certificate.revoke",
    "settings.",
    "unit_manager.",
)


def _filters(request, unit_id=None):
    scope = request.hr_scope
    units = list(scope.units().order_by("path"))
    form = ReportFilterForm(
        request.GET or None, units=units, items=reports.item_choices(scope=scope)
    )
    data = form.cleaned_data if form.is_valid() else {}
    unit_pk = unit_id or data.get("unit")
    unit = access_org_unit(scope=scope, pk=unit_pk) if unit_pk else None
    if unit is None and scope.unit_paths:
        unit = next(u for u in units if u.path == scope.unit_paths[0])  # a manager's own unit
    filters = reports.Filters(
        unit=unit,
        item=data.get("item") or "",
        status=data.get("status") or "",
        due_before=data.get("due_before"),
    )
    return form, filters


def _export(request, *, name: str, header: list[str], rows):
    fmt = request.GET.get("format")
    audit_log_write(
        action="report.export",
        actor=request.user,
        municipality=request.hr_scope.municipality,
        data={"report": name, "format": fmt, "query": request.GET.urlencode()},
    )
    stamp = timezone.localdate().isoformat()
    return export_response(fmt=fmt, filename=f"endra-{name}-{stamp}", header=header, rows=rows)


@hr_view()
def dashboard(request, unit_id=None):
    form, filters = _filters(request, unit_id)
    report = reports.dashboard(scope=request.hr_scope, filters=filters)
    if request.GET.get("format") in EXPORT_FORMATS:
        header = ["Læringsløp/kurs", "Enhet", *STATUS_NO.values(), "Totalt"]
        rows = [
            [item.title, str(row.label), *row.counts.cells(), row.counts.total]
            for item in report["items"]
            for row in [
                *item.rows,
                reports.UnitRow(label="Sum", unit=None, kind="sum", counts=item.total),
            ]
        ]
        return _export(request, name="oversikt", header=header, rows=rows)
    ancestors = list(filters.unit.get_ancestors()) if filters.unit else []
    visible_ancestors = [u for u in ancestors if request.hr_scope.covers(u)]
    return render(
        request,
        "learners/hr/dashboard.html",
        {
            **report,
            "form": form,
            "statuses": reports.STATUSES,
            "ancestors": visible_ancestors,
            "query": request.GET.urlencode(),
        },
    )


def _person_row(row: dict) -> list:
    completed = row["completed_at"]
    return [
        row["full_name"].strip(),
        row["user__email"],
        row["unit_name"],
        row["item_title"],
        STATUS_NO[row["status"]],
        row["due_date"],
        timezone.localtime(completed).date() if completed else None,
        row["expires_on"],
    ]


@hr_view()
def people(request, unit_id=None):
    form, filters = _filters(request, unit_id)
    rows = reports.people(scope=request.hr_scope, filters=filters)
    if request.GET.get("format") in EXPORT_FORMATS:
        header = [
            "Navn",
            "E-post",
            "Enhet",
            "Læringsløp/kurs",
            "Status",
            "Frist",
            "Fullført",
            "Utløper",
        ]
        return _export(
            request,
            name="personer",
            header=header,
            rows=(_person_row(row) for row in rows.iterator(chunk_size=2000)),
        )
    page = Paginator(rows, 100).get_page(request.GET.get("side"))
    return render(
        request,
        "learners/hr/people.html",
        {
            "form": form,
            "page": page,
            "unit": filters.unit,
            "statuses": reports.STATUSES,
            "query": request.GET.urlencode(),
        },
    )


@hr_view()
def person(request, user_id):
    membership = access_member(scope=request.hr_scope, pk=user_id)
    rows = reports.people(scope=request.hr_scope, filters=reports.Filters()).filter(user_id=user_id)
    return render(
        request,
        "learners/hr/person.html",
        {"membership": membership, "rows": list(rows), "statuses": reports.STATUSES},
    )


@hr_view(edit=True)
def assignments(request):
    scope = request.hr_scope
    form = AssignmentForm(request.POST or None, municipality=scope.municipality)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = assignment_create(
                municipality=scope.municipality,
                actor=request.user,
                target=data["target"],
                learning_path=data["learning_path"],
                course=data["course"],
                people=data.get("people") or [],
                org_unit=data.get("org_unit"),
                include_subunits=data["include_subunits"],
                role=data.get("role") or "",
                due_date=data.get("due_date"),
                due_days=data.get("due_days"),
            )
        except HRError as error:
            form.add_error(
                None, _("The assignment could not be made (%(code)s).") % {"code": error.code}
            )
        else:
            messages.success(
                request, _("Assigned to %(n)s people.") % {"n": assignment.people.count()}
            )
            return redirect("hr:assignment", assignment_id=assignment.pk)
    existing = (
        Assignment.objects.filter(municipality=scope.municipality)
        .select_related("learning_path", "course", "org_unit", "created_by")
        .order_by("-created_at")
    )
    return render(request, "learners/hr/assignments.html", {"form": form, "assignments": existing})


@hr_view(edit=True)
def assignment(request, assignment_id):
    found = access_assignment(scope=request.hr_scope, pk=assignment_id)
    assigned = AssignmentPerson.objects.filter(assignment=found).select_related("user")
    page = Paginator(assigned.order_by("user__last_name", "user_id"), 100).get_page(
        request.GET.get("side")
    )
    return render(request, "learners/hr/assignment.html", {"assignment": found, "page": page})


@require_POST
@hr_view(edit=True)
def assignment_end_view(request, assignment_id):
    found = access_assignment(scope=request.hr_scope, pk=assignment_id)
    assignment_end(assignment=found, actor=request.user)
    messages.success(request, _("The assignment has been ended."))
    return redirect("hr:assignment", assignment_id=found.pk)


@require_POST
@hr_view(edit=True)
def assignment_person_remove_view(request, assignment_id, user_id):
    assigned = access_assigned(scope=request.hr_scope, assignment_pk=assignment_id, user_pk=user_id)
    assignment_person_remove(assigned=assigned, actor=request.user)
    messages.success(request, _("The person has been unassigned."))
    return redirect("hr:assignment", assignment_id=assignment_id)


@hr_view(edit=True)
def import_employees(request):
    scope = request.hr_scope
    form = EmployeeImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        confirm = bool(data.get("confirm")) and not data.get("file")
        result = employee_import(
            municipality=scope.municipality,
            text=data["csv_text"],
            actor=request.user,
            create_units=data["create_units"],
            dry_run=not confirm,
        )
        if confirm and not result.file_errors:
            messages.success(
                request,
                _("Imported: %(c)s created, %(u)s changed, %(r)s rejected, %(n)s unchanged.")
                % {
                    "c": result.count("create"),
                    "u": result.count("change"),
                    "r": result.count("reject"),
                    "n": result.count("unchanged"),
                },
            )
            return redirect("hr:import")
        form = EmployeeImportForm(
            initial={
                "csv_text": data["csv_text"],
                "create_units": data["create_units"],
                "confirm": True,
            }
        )
    return render(request, "learners/hr/import.html", {"form": form, "result": result})


@hr_view(edit=True)
def settings_view(request):
    scope = request.hr_scope
    current = settings_for(scope.municipality.pk)
    form = MunicipalitySettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        municipality_settings_update(
            municipality=scope.municipality, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("The reminder settings have been saved."))
        return redirect("hr:settings")
    return render(request, "learners/hr/settings.html", {"form": form})


@hr_view(edit=True)
def audit_log(request):
    hr_actions = Q()
    for prefix in HR_ACTIONS:
        hr_actions |= Q(action__startswith=prefix)
    entries = (
        AuditLog.objects.filter(hr_actions, municipality=request.hr_scope.municipality)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    page = Paginator(entries, 100).get_page(request.GET.get("side"))
    return render(request, "learners/hr/log.html", {"page": page})
