"""Assignments: what HR gives a municipality's people to learn, who it reaches, their
progress and recertification. Every function is scoped to one municipality, runs in one
transaction and leaves an audit-log row."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from courses.models import CoursePage, LearningPath
from learners.lib.dates import add_months
from learners.models import (
    Assignment,
    AssignmentPerson,
    AuditAction,
    Enrolment,
    Membership,
    ModuleProgress,
    Municipality,
    OrgUnit,
    UnitManager,
    User,
)

from .audit import audit_log_write
from .certificates import certificate_issue_for_path
from .hr import ROLES, HRError
from .learning import enrolment_create

# A reopened assignment with a fixed date (or none) gets this many days to be done again.
REOPEN_DAYS = 30


def assignment_course_ids(assignment: Assignment) -> list[int]:
    """The courses a person must enrol in for `assignment` (all courses of a path)."""
    if assignment.course_id or assignment.learning_path is None:
        return [assignment.course_id] if assignment.course_id else []
    courses = assignment.learning_path.path_courses.order_by("sort_order")
    return list(courses.values_list("course_id", flat=True))


def _item_q(assignment: Assignment, prefix: str = "assignment__") -> Q:
    if assignment.learning_path_id:
        return Q(**{f"{prefix}learning_path_id": assignment.learning_path_id})
    return Q(**{f"{prefix}course_id": assignment.course_id})


def _first_due(assignment: Assignment, today: dt.date) -> dt.date | None:
    if assignment.due_date:
        return assignment.due_date
    if assignment.due_days is not None:
        return today + dt.timedelta(days=assignment.due_days)
    return None


def _validate(*, municipality, learning_path, course, target, org_unit, role, due_date, due_days):
    if (learning_path is None) == (course is None):
        raise HRError("path_xor_course")
    if due_date is not None and due_days is not None:
        raise HRError("due_fixed_xor_relative")
    if target == Assignment.Target.UNIT:
        if org_unit is None or org_unit.municipality_id != municipality.pk:
            raise HRError("unit")
    elif target == Assignment.Target.ROLE:
        if role not in ROLES:
            raise HRError("role")
    elif target != Assignment.Target.PEOPLE:
        raise HRError("target")


def members_reached(*, assignment: Assignment, people: Iterable[User] = ()) -> list[User]:
    """Everyone in the assignment's municipality its target reaches today."""
    members = Membership.objects.filter(municipality_id=assignment.municipality_id)
    if assignment.target == Assignment.Target.PEOPLE:
        ids = {user.pk for user in people}
        found = set(members.filter(user_id__in=ids).values_list("user_id", flat=True))
        if found != ids:
            raise HRError("not_member")
        return list(User.objects.filter(pk__in=found))
    if assignment.target == Assignment.Target.UNIT and assignment.org_unit is not None:
        unit = assignment.org_unit
        members = (
            members.filter(org_unit__path__startswith=unit.path)
            if assignment.include_subunits
            else members.filter(org_unit=unit)
        )
    elif assignment.role == "hr":
        members = members.filter(is_hr=True)
    elif assignment.role == "manager":
        members = members.filter(
            user_id__in=UnitManager.objects.filter(
                municipality_id=assignment.municipality_id
            ).values("user_id")
        )
    else:
        members = members.filter(is_learner=True)
    return list(User.objects.filter(pk__in=members.values("user_id")))


def _people_add(*, assignment: Assignment, users: list[User], today: dt.date) -> list[int]:
    """Give `assignment` to `users` who do not already have an open assignment of the same
    path or course in this municipality (so nobody is counted twice); returns who was added."""
    already = set(
        AssignmentPerson.objects.filter(
            _item_q(assignment),
            assignment__municipality_id=assignment.municipality_id,
            assignment__ended_at__isnull=True,
            user__in=users,
        ).values_list("user_id", flat=True)
    )
    new = [user for user in users if user.pk not in already]
    due = _first_due(assignment, today)
    AssignmentPerson.objects.bulk_create(
        [AssignmentPerson(assignment=assignment, user=user, due_date=due) for user in new]
    )
    courses = list(CoursePage.objects.filter(pk__in=assignment_course_ids(assignment)))
    for user in new:
        for course in courses:
            enrolment_create(user=user, course=course, source=Enrolment.Source.ASSIGNMENT)
        assignment_progress_sync(user=user)
    return [user.pk for user in new]


@transaction.atomic
def assignment_create(
    *,
    municipality: Municipality,
    actor: User | None,
    target: str,
    learning_path: LearningPath | None = None,
    course: CoursePage | None = None,
    people: Iterable[User] = (),
    org_unit: OrgUnit | None = None,
    include_subunits: bool = True,
    role: str = "",
    due_date: dt.date | None = None,
    due_days: int | None = None,
) -> Assignment:
    """Assign a path or a course in `municipality` to people, a unit or a role, and enrol
    everyone it reaches."""
    _validate(
        municipality=municipality,
        learning_path=learning_path,
        course=course,
        target=target,
        org_unit=org_unit,
        role=role,
        due_date=due_date,
        due_days=due_days,
    )
    assignment = Assignment.objects.create(
        municipality=municipality,
        learning_path=learning_path,
        course=course,
        target=target,
        org_unit=org_unit if target == Assignment.Target.UNIT else None,
        include_subunits=include_subunits,
        role=role if target == Assignment.Target.ROLE else "",
        due_date=due_date,
        due_days=due_days,
        created_by=actor,
    )
    users = members_reached(assignment=assignment, people=people)
    added = _people_add(assignment=assignment, users=users, today=timezone.localdate())
    audit_log_write(
        action=AuditAction.ASSIGNMENT_CREATE,
        actor=actor,
        municipality=municipality,
        target=assignment,
        data={
            "learning_path_id": assignment.learning_path_id,
            "course_id": assignment.course_id,
            "target": target,
            "org_unit_id": assignment.org_unit_id,
            "role": assignment.role,
            "due_date": due_date.isoformat() if due_date else None,
            "due_days": due_days,
            "people": len(added),
        },
    )
    return assignment


@transaction.atomic
def assigned_due_date_change(
    *,
    municipality: Municipality,
    actor: User | None,
    assigned: Iterable[AssignmentPerson],
    due_date: dt.date,
) -> int:
    """Give people already assigned a path or course in `municipality` a new due date;
    returns how many were changed."""
    rows = [row for row in assigned if row.assignment.municipality_id == municipality.pk]
    if not rows:
        return 0
    AssignmentPerson.objects.filter(pk__in=[row.pk for row in rows]).update(due_date=due_date)
    for assignment_id in sorted({row.assignment_id for row in rows}):
        audit_log_write(
            action=AuditAction.ASSIGNMENT_DUE_DATE_CHANGE,
            actor=actor,
            municipality=municipality,
            target=next(r.assignment for r in rows if r.assignment_id == assignment_id),
            data={
                "due_date": due_date.isoformat(),
                "people": sum(1 for r in rows if r.assignment_id == assignment_id),
            },
        )
    return len(rows)


@transaction.atomic
def assignment_end(*, assignment: Assignment, actor: User | None) -> Assignment:
    """Unassign: end the assignment for everyone; their progress and certificates stay."""
    if assignment.ended_at is None:
        assignment.ended_at = timezone.now()
        assignment.save(update_fields=["ended_at"])
        audit_log_write(
            action=AuditAction.ASSIGNMENT_END,
            actor=actor,
            municipality=assignment.municipality,
            target=assignment,
        )
    return assignment


@transaction.atomic
def assignment_person_remove(*, assigned: AssignmentPerson, actor: User | None) -> None:
    """Unassign one person from an assignment (their enrolments and history stay)."""
    assignment = assigned.assignment
    audit_log_write(
        action=AuditAction.ASSIGNMENT_PERSON_REMOVE,
        actor=actor,
        municipality=assignment.municipality,
        target=assignment,
        data={"user_id": assigned.user_id},
    )
    assigned.delete()


@transaction.atomic(savepoint=False)  # any error here ends the caller's transaction anyway
def assignments_apply_to_membership(
    *, membership: Membership, is_manager: bool | None = None
) -> list[int]:
    """Give a member who joined or moved the open unit and role assignments that now reach
    them, with a relative due date counted from today; returns the assignment ids. Pass
    `is_manager` when the caller knows whether the member manages a unit here."""
    if membership.org_unit_id is None and not membership.is_learner and not membership.is_hr:
        return []
    unit_path = membership.org_unit.path if membership.org_unit is not None else None
    if is_manager is None:
        is_manager = UnitManager.objects.filter(
            user_id=membership.user_id, municipality_id=membership.municipality_id
        ).exists()
    roles = {"learner": membership.is_learner, "hr": membership.is_hr, "manager": is_manager}
    applied = []
    open_assignments = Assignment.objects.filter(
        municipality_id=membership.municipality_id,
        ended_at__isnull=True,
        target__in=[Assignment.Target.UNIT, Assignment.Target.ROLE],
    ).select_related("org_unit", "learning_path")
    for assignment in open_assignments:
        if assignment.target == Assignment.Target.ROLE:
            reaches = roles.get(assignment.role, False)
        elif unit_path is None or assignment.org_unit is None:
            reaches = False
        elif assignment.include_subunits:
            reaches = unit_path.startswith(assignment.org_unit.path)
        else:
            reaches = unit_path == assignment.org_unit.path
        if reaches and _people_add(
            assignment=assignment, users=[membership.user], today=timezone.localdate()
        ):
            applied.append(assignment.pk)
    if applied:
        audit_log_write(
            action=AuditAction.ASSIGNMENT_JOIN,
            municipality=membership.municipality,
            target=membership,
            data={"user_id": membership.user_id, "assignments": applied},
        )
    return applied


def _path_required_course_ids(path: LearningPath) -> set[int]:
    rows = list(path.path_courses.values_list("course_id", "required"))
    required = {course_id for course_id, is_required in rows if is_required}
    return required or {course_id for course_id, _ in rows}


@transaction.atomic
def assignment_progress_sync(*, user: User) -> int:
    """Mark `user`'s open assignments complete when their course, or every required course of
    their path, is complete; issues path certificates. Returns how many became complete."""
    completed_at: dict[int, dt.datetime] = {
        course_id: done
        for course_id, done in Enrolment.objects.filter(
            user=user, completed_at__isnull=False
        ).values_list("course_id", "completed_at")
        if done is not None
    }
    open_rows = AssignmentPerson.objects.filter(
        user=user, completed_at__isnull=True, assignment__ended_at__isnull=True
    ).select_related("assignment__learning_path", "assignment__municipality")
    count = 0
    for assigned in open_rows:
        assignment = assigned.assignment
        if assignment.course_id or assignment.learning_path is None:
            done = completed_at.get(assignment.course_id or 0)
        else:
            required = _path_required_course_ids(assignment.learning_path)
            done = (
                max(completed_at[pk] for pk in required)
                if required and required <= completed_at.keys()
                else None
            )
        if done is None:
            continue
        _complete(assigned=assigned, completed_at=done)
        count += 1
    return count


def _complete(*, assigned: AssignmentPerson, completed_at: dt.datetime) -> None:
    assignment = assigned.assignment
    path = assignment.learning_path
    assigned.completed_at = completed_at
    if path is not None and path.validity_months:
        local_day = timezone.localtime(completed_at).date()
        assigned.expires_on = add_months(local_day, path.validity_months)
    assigned.save(update_fields=["completed_at", "expires_on"])
    audit_log_write(
        action=AuditAction.ASSIGNMENT_COMPLETE,
        municipality=assignment.municipality,
        target=assigned,
        data={"user_id": assigned.user_id, "assignment_id": assignment.pk},
    )
    if path is not None:
        _path_certificate_issue(assigned=assigned, path=path, completed_at=completed_at)


def _path_certificate_issue(
    *, assigned: AssignmentPerson, path: LearningPath, completed_at: dt.datetime
) -> None:
    """Issue the path certificate through the certificates service."""
    certificate_issue_for_path(
        user=assigned.user,
        learning_path=path,
        municipality=assigned.assignment.municipality,
        completed_at=completed_at,
    )


@transaction.atomic
def assignments_reopen_expired(*, today: dt.date | None = None) -> int:
    """Recertification, for every municipality: completed assignments whose validity ended
    reopen with a new due date and fresh enrolments; certificates stay as history."""
    today = today or timezone.localdate()
    expired = (
        AssignmentPerson.objects.select_for_update(of=("self",))
        .filter(
            completed_at__isnull=False, expires_on__lte=today, assignment__ended_at__isnull=True
        )
        .select_related("assignment__municipality", "assignment__learning_path")
    )
    count = 0
    for assigned in expired:
        assignment = assigned.assignment
        days = assignment.due_days if assignment.due_days is not None else REOPEN_DAYS
        previous = {"completed_at": str(assigned.completed_at), "cycle": assigned.cycle}
        assigned.completed_at, assigned.expires_on = None, None
        assigned.due_date = today + dt.timedelta(days=days)
        assigned.cycle += 1
        assigned.save(update_fields=["completed_at", "expires_on", "due_date", "cycle"])
        _enrolments_restart(user_id=assigned.user_id, course_ids=assignment_course_ids(assignment))
        audit_log_write(
            action=AuditAction.ASSIGNMENT_REOPEN,
            municipality=assignment.municipality,
            target=assigned,
            data={**previous, "due_date": assigned.due_date.isoformat()},
        )
        count += 1
    return count


def _enrolments_restart(*, user_id: int, course_ids: list[int]) -> None:
    # Retaking means doing the modules again; the completion that expired lives on in the
    # certificate and the audit log.
    enrolments = Enrolment.objects.filter(user_id=user_id, course_id__in=course_ids)
    ModuleProgress.objects.filter(enrolment__in=enrolments).delete()
    enrolments.update(status=Enrolment.Status.ACTIVE, completed_at=None)
