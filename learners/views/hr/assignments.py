"""HR assignments: make one, see who it reaches, end it, take a person off it."""

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from learners.access import access_assigned, access_assignment
from learners.forms.hr import AssignmentForm
from learners.models import Assignment, AssignmentJob
from learners.permissions import hr_view
from learners.selectors.assignments import assigned_already, assignment_list, assignment_people
from learners.services.assignments import (
    assigned_due_date_change,
    assignment_end,
    assignment_job_retry,
    assignment_person_remove,
    assignment_start,
    members_reached,
)
from learners.services.hr import HRError

# How many of the people who already have it the page names; the rest are counted.
ALREADY_SHOWN = 50
KEEP, CHANGE = "keep", "change"


def _new_due_date(data) -> dt.date | None:
    if data.get("due_date"):
        return data["due_date"]
    if data.get("due_days"):
        return timezone.localdate() + dt.timedelta(days=data["due_days"])
    return None


def _reached(scope, data) -> list:
    draft = Assignment(
        municipality=scope.municipality,
        target=data["target"],
        org_unit=data.get("org_unit"),
        include_subunits=data["include_subunits"],
        role=data.get("role") or "",
    )
    return members_reached(assignment=draft, people=data.get("people") or [])


def _start(request, scope, data) -> AssignmentJob:
    return assignment_start(
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


@hr_view(edit=True)
def assignments(request):
    """Assign a path or course. When some of the people reached have it already, say who
    and by when, and let HR keep or change their due date before anything is made."""
    scope = request.hr_scope
    form = AssignmentForm(request.POST or None, municipality=scope.municipality)
    overlap = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reached = _reached(scope, data)
            already = list(
                assigned_already(
                    municipality=scope.municipality,
                    learning_path_id=data["learning_path"] and data["learning_path"].pk,
                    course_id=data["course"] and data["course"].pk,
                    users=reached,
                )
            )
            choice = request.POST.get("already")
            others = len(reached) - len(already)
            new_due = _new_due_date(data)
            if already and not (choice == KEEP and others) and not (choice == CHANGE and new_due):
                overlap = {
                    "shown": already[:ALREADY_SHOWN],
                    "count": len(already),
                    "others": others,
                    "new_due": new_due,
                }
            else:
                return _assign(request, scope, data, already, choice, others, new_due)
        except HRError as error:
            form.add_error(
                None, _("The assignment could not be made (%(code)s).") % {"code": error.code}
            )
    existing = assignment_list(municipality=scope.municipality)
    return render(
        request,
        "learners/hr/assignments.html",
        {"form": form, "assignments": existing, "overlap": overlap},
    )


def _assign(request, scope, data, already, choice, others, new_due):
    notes = []
    if already and choice == CHANGE:
        changed = assigned_due_date_change(
            municipality=scope.municipality, actor=request.user, assigned=already, due_date=new_due
        )
        notes.append(
            ngettext(
                "%(n)s person who already had it now has the due date %(date)s.",
                "%(n)s people who already had it now have the due date %(date)s.",
                changed,
            )
            % {"n": changed, "date": formats.date_format(new_due, "SHORT_DATE_FORMAT")}
        )
    elif already:
        notes.append(
            ngettext(
                "%(n)s person already had it and keeps their due date.",
                "%(n)s people already had it and keep their due date.",
                len(already),
            )
            % {"n": len(already)}
        )
    if already and not others:
        messages.success(request, " ".join(notes))
        return redirect("hr:assignments")
    job = _start(request, scope, data)
    job.refresh_from_db(fields=["state", "added"])  # done already when tasks run in-process
    if job.state == AssignmentJob.State.DONE:
        n = job.added
        done = ngettext("Assigned to %(n)s person.", "Assigned to %(n)s people.", n) % {"n": n}
    else:
        done = ngettext(
            "Assigning it to %(n)s person. You can follow the progress here.",
            "Assigning it to %(n)s people. You can follow the progress here.",
            others,
        ) % {"n": others}
    messages.success(request, " ".join([done, *notes]))
    return redirect("hr:assignment", assignment_id=job.assignment_id)


def _job(assignment: Assignment) -> AssignmentJob | None:
    return AssignmentJob.objects.defer("user_ids").filter(assignment=assignment).first()


@hr_view(edit=True)
def assignment(request, assignment_id):
    found = access_assignment(scope=request.hr_scope, pk=assignment_id)
    assigned = assignment_people(assignment=found)
    page = Paginator(assigned, 100).get_page(request.GET.get("side"))
    return render(
        request,
        "learners/hr/assignment.html",
        {"assignment": found, "page": page, "job": _job(found)},
    )


@hr_view(edit=True)
def assignment_progress(request, assignment_id):
    """How far the assignment's background job has come: the fragment the assignment page
    polls while it runs."""
    found = access_assignment(scope=request.hr_scope, pk=assignment_id)
    response = render(
        request,
        "learners/hr/_assignment_job.html",
        {"assignment": found, "job": _job(found)},
    )
    response["Cache-Control"] = "no-store"
    return response


@hr_view(edit=True)
@require_POST
def assignment_job_retry_view(request, assignment_id):
    found = access_assignment(scope=request.hr_scope, pk=assignment_id)
    job = _job(found)
    if job is not None and assignment_job_retry(job=job):
        messages.success(request, _("The assignment is being made again from where it stopped."))
    return redirect("hr:assignment", assignment_id=found.pk)


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
