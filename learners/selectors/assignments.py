"""Reads of assignments, scoped to one municipality."""

from django.db.models import QuerySet

from learners.models import Assignment, AssignmentPerson, Municipality


def assignment_list(*, municipality: Municipality) -> QuerySet[Assignment]:
    """Every assignment of `municipality`, newest first."""
    return (
        Assignment.objects.filter(municipality=municipality)
        .select_related("learning_path", "course", "org_unit", "created_by")
        .order_by("-created_at")
    )


def assignment_people(*, assignment: Assignment) -> QuerySet[AssignmentPerson]:
    """The people an assignment reaches (the caller has checked its municipality), by name."""
    return (
        AssignmentPerson.objects.filter(assignment=assignment)
        .select_related("user")
        .order_by("user__last_name", "user_id")
    )
