"""Reads of assignments, scoped to one municipality."""

from django.db.models import QuerySet

from learners.models import Assignment, AssignmentPerson, Municipality


def assignment_list(*, municipality: Municipality) -> QuerySet[Assignment]:
    """Every assignment of `municipality`, newest first."""
    return (
        Assignment.objects.filter(municipality=municipality)
        .select_related("learning_path", "course", "org_unit", "created_by", "job")
        .defer("job__user_ids")
        .order_by("-created_at")
    )


def assignment_people(*, assignment: Assignment) -> QuerySet[AssignmentPerson]:
    """The people an assignment reaches (the caller has checked its municipality), by name."""
    return (
        AssignmentPerson.objects.filter(assignment=assignment)
        .select_related("user")
        .order_by("user__last_name", "user_id")
    )


def assigned_already(
    *, municipality: Municipality, learning_path_id: int | None, course_id: int | None, users
) -> QuerySet[AssignmentPerson]:
    """Of `users`, who already has an open assignment of this path or course in
    `municipality`, with their due date, by name."""
    item = (
        {"assignment__learning_path_id": learning_path_id}
        if learning_path_id
        else {"assignment__course_id": course_id}
    )
    return (
        AssignmentPerson.objects.filter(
            assignment__municipality=municipality,
            assignment__ended_at__isnull=True,
            user__in=users,
            **item,
        )
        .select_related("user", "assignment")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
