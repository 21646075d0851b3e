"""Who may see and do what on the HR side, declared in one place.

HR of a municipality sees and changes everything of that municipality. A unit manager sees
the units they lead and their sub-units, read-only. Everything else is a 404: the same answer
for "does not exist" and "not yours"."""

from dataclasses import dataclass
from functools import wraps
from urllib.parse import quote

from allauth.mfa.models import Authenticator
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse

from .models import (
    Assignment,
    AssignmentPerson,
    Membership,
    Municipality,
    OrgUnit,
    UnitManager,
    User,
)


@dataclass(frozen=True)
class HRScope:
    """What one HR user or unit manager may read: a municipality, or some units in it."""

    municipality: Municipality
    unit_paths: tuple[str, ...] = ()  # empty: the whole municipality
    can_edit: bool = False

    def unit_q(self, field: str = "path") -> Q:
        """Rows whose unit path (`field`) lies inside the scope."""
        query = Q()
        for path in self.unit_paths:
            query |= Q(**{f"{field}__startswith": path})
        return query

    def covers(self, unit: OrgUnit) -> bool:
        return not self.unit_paths or any(unit.path.startswith(p) for p in self.unit_paths)

    def units(self) -> QuerySet[OrgUnit]:
        units = OrgUnit.objects.filter(municipality=self.municipality)
        return units.filter(self.unit_q()) if self.unit_paths else units


def hr_scope(*, user: User) -> HRScope:
    """HR of a municipality first, otherwise the units the user manages; 404 for anyone else."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.filter(user=user, is_hr=True).select_related("municipality").first()
    )
    if membership is not None:
        return HRScope(municipality=membership.municipality, can_edit=True)
    managed = list(UnitManager.objects.filter(user=user).select_related("municipality", "org_unit"))
    if not managed:
        raise Http404
    municipality = managed[0].municipality
    paths = tuple(m.org_unit.path for m in managed if m.municipality_id == municipality.pk)
    return HRScope(municipality=municipality, unit_paths=paths)


def access_org_unit(*, scope: HRScope, pk: int) -> OrgUnit:
    """A unit of the scope's municipality inside the scope, or 404."""
    unit = OrgUnit.objects.filter(pk=pk, municipality=scope.municipality).first()
    if unit is None or not scope.covers(unit):
        raise Http404
    return unit


def access_assignment(*, scope: HRScope, pk: int) -> Assignment:
    """An assignment of the scope's municipality, or 404."""
    assignment = (
        Assignment.objects.filter(pk=pk, municipality=scope.municipality)
        .select_related("learning_path", "course", "org_unit")
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def access_assigned(*, scope: HRScope, assignment_pk: int, user_pk: int) -> AssignmentPerson:
    """One person of an assignment of the scope's municipality, or 404."""
    assigned = (
        AssignmentPerson.objects.filter(
            assignment_id=assignment_pk,
            user_id=user_pk,
            assignment__municipality=scope.municipality,
        )
        .select_related("assignment__municipality")
        .first()
    )
    if assigned is None:
        raise Http404
    return assigned


def access_member(*, scope: HRScope, pk: int) -> Membership:
    """The membership of user `pk` in the scope's municipality, inside the scope, or 404."""
    membership = (
        Membership.objects.filter(user_id=pk, municipality=scope.municipality)
        .select_related("user", "org_unit")
        .first()
    )
    if membership is None:
        raise Http404
    if scope.unit_paths and (membership.org_unit is None or not scope.covers(membership.org_unit)):
        raise Http404
    return membership


def hr_view(*, edit: bool = False):
    """Decorate an HR view: logged in, scoped (404 otherwise), and HR (not a manager) to edit.
    The view gets the scope as `request.hr_scope`."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            scope = hr_scope(user=request.user)
            if edit and not scope.can_edit:
                raise PermissionDenied
            request.hr_scope = scope
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def needs_mfa(*, user: User, path: str) -> bool:
    """HR and unit managers on /hr/, and staff (editors, admins) in the admin, need TOTP."""
    if not user.is_authenticated:
        return False
    if path.startswith("/hr/"):
        is_hr_side = (
            Membership.objects.filter(user=user, is_hr=True).exists()
            or UnitManager.objects.filter(user=user).exists()
        )
        if not is_hr_side:
            return False
    elif path.startswith(("/admin/", "/django-admin/")):
        if not (user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin")):
            return False
    else:
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class MFARequiredMiddleware:
    """Send HR users and staff without two-factor authentication to set it up first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_mfa(user=request.user, path=request.path):
            return HttpResponseRedirect(
                f"{reverse('mfa_activate_totp')}?next={quote(request.get_full_path())}"
            )
        return self.get_response(request)
