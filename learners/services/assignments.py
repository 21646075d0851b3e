"""Assignments: what HR gives a municipality's people to learn, who it reaches, their
progress and recertification. Every function is scoped to one municipality, runs in one
transaction and leaves an audit-log row."""

import datetime as dt
import logging
from collections.abc import Iterable
from typing import TypedDict, Unpack

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from courses.models import CoursePage, LearningPath
from learners.lib.dates import add_months
from learners.lib.prepared import Prepared
from learners.models import (
    Assignment,
    AssignmentJob,
    AssignmentPerson,
    AuditAction,
    AuditLog,
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
from .outbox import outbox_enqueue
from .rollups import rollup_refresh

logger = logging.getLogger(__name__)

ASSIGNMENT_JOB_TASK = "learners.tasks.assignment_job_task"

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


def _member_ids(*, assignment: Assignment, people: Iterable[User] = ()):
    """The user ids of everyone in the assignment's municipality its target reaches today (a
    queryset of ids, or a set for named people, checked to be members)."""
    members = Membership.objects.filter(municipality_id=assignment.municipality_id)
    if assignment.target == Assignment.Target.PEOPLE:
        ids = {user.pk for user in people}
        found = set(members.filter(user_id__in=ids).values_list("user_id", flat=True))
        if found != ids:
            raise HRError("not_member")
        return found
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
    return members.values_list("user_id", flat=True)


def members_reached(*, assignment: Assignment, people: Iterable[User] = ()) -> list[User]:
    """Everyone in the assignment's municipality its target reaches today."""
    return list(User.objects.filter(pk__in=_member_ids(assignment=assignment, people=people)))


def _already_ids(*, assignment: Assignment, user_ids: list[int]) -> set[int]:
    """Of `user_ids`, who already has an open assignment of the same path or course in this
    municipality (this one included, so a re-run adds nobody twice)."""
    return set(
        AssignmentPerson.objects.filter(
            _item_q(assignment),
            assignment__municipality_id=assignment.municipality_id,
            assignment__ended_at__isnull=True,
            user_id__in=user_ids,
        ).values_list("user_id", flat=True)
    )


def _home_municipality_ids(user_ids: list[int]) -> dict[int, int]:
    """Each person's home municipality (their first membership), as enrolments record it."""
    home: dict[int, int] = {}
    rows = (
        Membership.objects.filter(user_id__in=user_ids)
        .order_by("user_id", "created_at", "pk")
        .values_list("user_id", "municipality_id")
    )
    for user_id, municipality_id in rows:
        home.setdefault(user_id, municipality_id)
    return home


def _enrolments_ensure(*, user_ids: list[int], course_ids: list[int]) -> None:
    """What enrolment_create(source=assignment) does for each person and course, in a fixed
    number of statements: enrol who is not enrolled (with an audit row each), re-open a course
    they had left, and mark an enrolment they chose themselves as assigned."""
    if not user_ids or not course_ids:
        return
    pairs = Enrolment.objects.filter(user_id__in=user_ids, course_id__in=course_ids)
    existing = set(pairs.values_list("user_id", "course_id"))
    home = _home_municipality_ids(user_ids)
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                user_id=user_id,
                course_id=course_id,
                municipality_id=home[user_id],
                source=Enrolment.Source.ASSIGNMENT,
            )
            for user_id in user_ids
            if user_id in home
            for course_id in course_ids
            if (user_id, course_id) not in existing
        ],
        ignore_conflicts=True,  # a concurrent enrolment of the same person wins
    )
    created = pairs.values_list("pk", "user_id", "course_id", "municipality_id")
    AuditLog.objects.bulk_create(
        [
            AuditLog(
                action=AuditAction.ENROLMENT_CREATE.value,
                actor_id=user_id,
                municipality_id=municipality_id,
                target_type="Enrolment",
                target_id=str(pk),
                data={"course_id": course_id, "source": Enrolment.Source.ASSIGNMENT.value},
            )
            for pk, user_id, course_id, municipality_id in created
            if (user_id, course_id) not in existing
        ]
    )
    if existing:
        pairs.filter(status=Enrolment.Status.LEFT).update(
            status=Enrolment.Status.ACTIVE, source=Enrolment.Source.ASSIGNMENT
        )
        pairs.exclude(source=Enrolment.Source.ASSIGNMENT).update(source=Enrolment.Source.ASSIGNMENT)


def _completions_sync(*, assignment: Assignment, user_ids: list[int]) -> None:
    """Newly assigned people who have already done the course (or every required course of the
    path) complete the assignment at once, as assignment_progress_sync would."""
    if assignment.learning_path is not None and not assignment.course_id:
        required = _path_required_course_ids(assignment.learning_path)
    else:
        required = {assignment.course_id} if assignment.course_id else set()
    if not required or not user_ids:
        return
    done: dict[int, dict[int, dt.datetime]] = {}
    rows = Enrolment.objects.filter(
        user_id__in=user_ids, course_id__in=required, completed_at__isnull=False
    ).values_list("user_id", "course_id", "completed_at")
    for user_id, course_id, completed_at in rows:
        if completed_at is not None:
            done.setdefault(user_id, {})[course_id] = completed_at
    complete = {uid: max(when.values()) for uid, when in done.items() if required <= when.keys()}
    if not complete:
        return
    open_rows = AssignmentPerson.objects.filter(
        assignment=assignment, user_id__in=complete, completed_at__isnull=True
    ).select_related("user", "assignment__learning_path", "assignment__municipality")
    for assigned in open_rows:
        _complete(assigned=assigned, completed_at=complete[assigned.user_id])


def _people_add(
    *,
    assignment: Assignment,
    user_ids: list[int],
    today: dt.date,
    course_ids: list[int] | None = None,
) -> list[int]:
    """Give `assignment` to the people of `user_ids` who do not already have an open
    assignment of the same path or course in this municipality (so nobody is counted twice),
    enrol them in its courses and complete it for those who are already done; returns who was
    added. Set-based: the same number of statements for one person or a batch of hundreds."""
    already = _already_ids(assignment=assignment, user_ids=user_ids)
    new = [pk for pk in user_ids if pk not in already]
    if not new:
        return []
    due = _first_due(assignment, today)
    AssignmentPerson.objects.bulk_create(
        [AssignmentPerson(assignment=assignment, user_id=pk, due_date=due) for pk in new],
        ignore_conflicts=True,  # the same person added by a late-joiner update meanwhile
    )
    if course_ids is None:
        course_ids = assignment_course_ids(assignment)
    _enrolments_ensure(user_ids=new, course_ids=course_ids)
    _completions_sync(assignment=assignment, user_ids=new)
    rollup_refresh(user_ids=new)  # once for everyone added
    return new


def _reached_ids(*, assignment: Assignment, people: Iterable[User]) -> list[int]:
    return sorted(set(_member_ids(assignment=assignment, people=people)))


class AssignmentSpec(TypedDict, total=False):
    """What is assigned, to whom and by when; everything but the target is optional."""

    learning_path: LearningPath | None
    course: CoursePage | None
    people: Iterable[User]
    org_unit: OrgUnit | None
    include_subunits: bool
    role: str
    due_date: dt.date | None
    due_days: int | None


def _assignment_make(
    *, municipality: Municipality, actor: User | None, target: str, spec: AssignmentSpec
) -> AssignmentJob:
    """The assignment, its job (everyone it reaches today, in order) and the audit row."""
    learning_path, course = spec.get("learning_path"), spec.get("course")
    org_unit, role = spec.get("org_unit"), spec.get("role", "")
    due_date, due_days = spec.get("due_date"), spec.get("due_days")
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
        include_subunits=spec.get("include_subunits", True),
        role=role if target == Assignment.Target.ROLE else "",
        due_date=due_date,
        due_days=due_days,
        created_by=actor,
    )
    user_ids = _reached_ids(assignment=assignment, people=spec.get("people", ()))
    already = _already_ids(assignment=assignment, user_ids=user_ids)
    job = AssignmentJob.objects.create(
        assignment=assignment,
        user_ids=user_ids,
        total=len(user_ids),
        batch_size=max(1, int(settings.ASSIGNMENT_BATCH_SIZE)),
    )
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
            "people": len(user_ids) - len(already),
        },
    )
    return job


@transaction.atomic
def assignment_create(
    *,
    municipality: Municipality,
    actor: User | None,
    target: str,
    **spec: Unpack[AssignmentSpec],
) -> Assignment:
    """Assign a path or a course in `municipality` to people, a unit or a role, and enrol
    everyone it reaches, here and now (HR's page uses assignment_start instead)."""
    job = _assignment_make(municipality=municipality, actor=actor, target=target, spec=spec)
    while _job_batch_run(job_id=job.pk):
        pass
    job.refresh_from_db()
    return job.assignment


@transaction.atomic
def assignment_start(
    *,
    municipality: Municipality,
    actor: User | None,
    target: str,
    **spec: Unpack[AssignmentSpec],
) -> AssignmentJob:
    """Make the assignment and resolve who it reaches now; adding and enrolling them happens
    in the background (learners.tasks.assignment_job_task, through the outbox, after the
    commit), in batches whose progress HR follows on the assignment's page."""
    job = _assignment_make(municipality=municipality, actor=actor, target=target, spec=spec)
    outbox_enqueue(ASSIGNMENT_JOB_TASK, job_id=job.pk)
    return job


def _job_batch_run(*, job_id: int) -> bool:
    """Add the next batch of the job's people in one transaction that also records the
    progress; returns False when there is nothing left to do."""
    with transaction.atomic():
        job = (
            AssignmentJob.objects.select_for_update(of=("self",))
            .select_related("assignment__learning_path", "assignment__municipality")
            .get(pk=job_id)
        )
        if job.state == AssignmentJob.State.DONE:
            return False
        assignment = job.assignment
        batch = job.user_ids[job.done : job.done + job.batch_size]
        if batch and assignment.ended_at is None:
            members = Membership.objects.filter(
                municipality_id=assignment.municipality_id, user_id__in=batch
            ).values_list("user_id", flat=True)
            still = set(members)
            added = _people_add(
                assignment=assignment,
                user_ids=[pk for pk in batch if pk in still],
                today=timezone.localdate(),
            )
            job.done += len(batch)
            job.added += len(added)
            job.batches += 1
        else:
            job.done = job.total if assignment.ended_at is None else job.done
        finished = job.done >= job.total or assignment.ended_at is not None
        job.state = AssignmentJob.State.DONE if finished else AssignmentJob.State.RUNNING
        job.error = ""
        job.finished_at = timezone.now() if finished else None
        job.save(
            update_fields=[
                "state", "done", "added", "batches", "error", "finished_at", "updated_at"
            ]
        )  # fmt: skip
        return not finished


def assignment_job_run(*, job_id: int) -> AssignmentJob:
    """Run (or resume) an assignment job batch by batch until it is done. Idempotent: a
    batch commits with the progress, and people who already have it are skipped. A failure
    stops the job with its reason for HR to see; what was done stays done."""
    try:
        while _job_batch_run(job_id=job_id):
            pass
    except Exception as exc:
        logger.exception("Assignment job %s stopped", job_id)
        AssignmentJob.objects.filter(pk=job_id).update(
            state=AssignmentJob.State.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return AssignmentJob.objects.get(pk=job_id)


@transaction.atomic
def assignment_job_retry(*, job: AssignmentJob) -> bool:
    """Queue a stopped job again; it resumes after its last finished batch."""
    queued = AssignmentJob.objects.filter(pk=job.pk, state=AssignmentJob.State.FAILED).update(
        state=AssignmentJob.State.QUEUED, error="", finished_at=None, updated_at=timezone.now()
    )
    if queued:
        outbox_enqueue(ASSIGNMENT_JOB_TASK, job_id=job.pk)
    return bool(queued)


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
    rollup_refresh(user_ids=[row.user_id for row in rows])
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
        rollup_refresh(user_ids=assignment.people.values_list("user_id", flat=True))
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
    rollup_refresh(user_ids=[assigned.user_id])


# Read for every person who joins or moves (thousands in a provisioning run): built once per
# process (learners.lib.prepared).
_open_unit_and_role_assignments = Prepared(
    lambda municipality_id: (
        Assignment.objects.filter(
            municipality_id=municipality_id,
            ended_at__isnull=True,
            target__in=[Assignment.Target.UNIT, Assignment.Target.ROLE],
        )
        .select_related("org_unit", "learning_path")
        .order_by("pk")
    ),
    int,
)


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
    for assignment in _open_unit_and_role_assignments.rows(membership.municipality_id):
        if assignment.target == Assignment.Target.ROLE:
            reaches = roles.get(assignment.role, False)
        elif unit_path is None or assignment.org_unit is None:
            reaches = False
        elif assignment.include_subunits:
            reaches = unit_path.startswith(assignment.org_unit.path)
        else:
            reaches = unit_path == assignment.org_unit.path
        if reaches and _people_add(
            assignment=assignment, user_ids=[membership.user_id], today=timezone.localdate()
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
def assignment_progress_sync(*, user: User, refresh_rollup: bool = True) -> int:
    """Mark `user`'s open assignments complete when their course, or every required course of
    their path, is complete; issues path certificates. Returns how many became complete.
    HR's numbers follow, unless the caller refreshes them itself (`refresh_rollup`)."""
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
    if count and refresh_rollup:
        rollup_refresh(user_ids=[user.pk])
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
    reopened: set[int] = set()
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
        reopened.add(assigned.user_id)
        count += 1
    rollup_refresh(user_ids=reopened)
    return count


def _enrolments_restart(*, user_id: int, course_ids: list[int]) -> None:
    # Retaking means doing the modules again; the completion that expired lives on in the
    # certificate and the audit log.
    enrolments = Enrolment.objects.filter(user_id=user_id, course_id__in=course_ids)
    ModuleProgress.objects.filter(enrolment__in=enrolments).delete()
    enrolments.update(status=Enrolment.Status.ACTIVE, completed_at=None)
