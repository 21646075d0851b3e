"""HR assignments: make one, see who it reaches, end it, take a person off it."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learners.access import access_assigned, access_assignment
from learners.forms.hr import AssignmentForm
from learners.permissions import hr_view
from learners.selectors.assignments import assignment_list, assignment_people
from learners.services.assignments import (
    assignment_create,
    assignment_end,
    assignment_person_remove,
)
from learners.services.hr import HRError


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
    existing = assignment_list(municipality=scope.municipality)
    return render(request, "learners/hr/assignments.html", {"form": form, "assignments": existing})


@hr_view(edit=True)
def assignment(request, assignment_id):
    found = access_assignment(scope=request.hr_scope, pk=assignment_id)
    assigned = assignment_people(assignment=found)
    page = Paginator(assigned, 100).get_page(request.GET.get("side"))
    return render(request, "learners/hr/assignment.html", {"assignment": found, "page": page})


@hr_view(edit=True)
@require_POST
def assignment_end_view(request, assignment_id):
    found = access_assignment(scope=request.hr_scope, pk=assignment_id)
    assignment_end(assignment=found, actor=request.user)
    messages.success(request, _("The assignment has been ended."))
    return redirect("hr:assignment", assignment_id=found.pk)


@hr_view(edit=True)
@require_POST
def assignment_person_remove_view(request, assignment_id, user_id):
    assigned = access_assigned(scope=request.hr_scope, assignment_pk=assignment_id, user_pk=user_id)
    assignment_person_remove(assigned=assigned, actor=request.user)
    messages.success(request, _("The person has been unassigned."))
    return redirect("hr:assignment", assignment_id=assignment_id)
