"""Reads for learners, always scoped to a municipality or to the acting user."""

from django.db.models import QuerySet
from django.http import Http404

from .models import Membership, Municipality, OrgUnit, User


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


def hr_municipality(*, user: User) -> Municipality:
    """The municipality where `user` is HR; 404 if none (scopes every HR view)."""
    membership = (
        Membership.objects.filter(user=user, is_hr=True).select_related("municipality").first()
    )
    if membership is None:
        raise Http404
    return membership.municipality
