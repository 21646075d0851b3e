"""Reads for learners, always scoped to a municipality or to the acting user."""

from django.db.models import QuerySet

from learners.models import Membership, Municipality, OrgUnit, User


def municipality_list() -> QuerySet[Municipality]:
    """All municipalities, by name (public reference data, not tenant data)."""
    return Municipality.objects.order_by("name")


def org_unit_list(*, municipality: Municipality) -> QuerySet[OrgUnit]:
    """Every unit of `municipality`, in tree order."""
    return OrgUnit.objects.filter(municipality=municipality).order_by("path")


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    """The user's own memberships, with municipality and unit, in one query."""
    return (
        Membership.objects.filter(user=user)
        .select_related("municipality", "org_unit")
        .order_by("municipality__name")
    )


def learner_home_membership(*, user: User) -> Membership | None:
    """The membership a learner learns in: their first one (by when it was made). Enrolments
    and change plans are recorded in its municipality."""
    return (
        Membership.objects.filter(user=user)
        .select_related("municipality")
        .order_by("created_at", "pk")
        .first()
    )


def preferred_language(*, user: User) -> str:
    """The language Endra speaks to `user`: their own choice, else the written standard
    (målform) of their home municipality, else "" (the site's default)."""
    if user.language:
        return user.language
    language = (
        Membership.objects.filter(user=user)
        .order_by("created_at", "pk")
        .values_list("municipality__hr_settings__language", flat=True)
        .first()
    )
    return language or ""


def member_by_email(*, municipality: Municipality, email: str) -> Membership | None:
    """The membership in `municipality` of the person with this e-mail (any case), or None."""
    return (
        Membership.objects.filter(municipality=municipality, user__email__iexact=email)
        .select_related("user", "municipality")
        .first()
    )
