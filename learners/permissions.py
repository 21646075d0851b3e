"""Who may see and do what on the HR side, declared in one place (object lookups are in
learners.access).

HR of a municipality sees and changes everything of that municipality. A unit manager sees
the units they lead and their sub-units, read-only. Everything else is a 404: the same answer
for "does not exist" and "not yours"."""

from dataclasses import dataclass
from functools import wraps

from allauth.mfa.models import Authenticator
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import (
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


def hr_view(*, edit: bool = False, platform_admin: bool = False):
    """Decorate every HR view with this, outermost: logged in, scoped (404 otherwise), and HR
    (not a unit manager) to edit. The view gets the scope as `request.hr_scope`. With
    `platform_admin`, a platform admin is let in too, with `request.hr_scope = None` (no
    municipality: they act on any)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if platform_admin and request.user.is_superuser:
                require_mfa(user=request.user, sso_mfa=sso_mfa_done(request))
                request.hr_scope = None
                return view(request, *args, **kwargs)
            scope = hr_scope(user=request.user)
            require_mfa(user=request.user, sso_mfa=sso_mfa_done(request))
            if edit and not scope.can_edit:
                raise PermissionDenied
            request.hr_scope = scope
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Set at sign-in when the municipality's provider said the person used multi-factor.
SSO_MFA_SESSION_KEY = "endra_sso_mfa_user"


def sso_mfa_done(request) -> bool:
    """Whether the signed-in user came in through a provider that did multi-factor."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    return bool(user and user.is_authenticated and session is not None) and (
        session.get(SSO_MFA_SESSION_KEY) == user.pk
    )


class MFARequired(Exception):  # noqa: N818 - it is a signal, handled by MFARequiredMiddleware
    """Raised where a view would show HR or staff data to someone without two-factor set up;
    MFARequiredMiddleware answers with the way to set it up."""


def require_mfa(*, user: User, sso_mfa: bool = False) -> None:
    """The gate for HR and staff data, wherever it is shown: TOTP set up (or multi-factor at
    the municipality's provider), or MFARequired. Call it once the user is known to see the
    data in an HR or staff role (not as its owner)."""
    if not sso_mfa and not has_totp(user=user):
        raise MFARequired


def needs_mfa(*, user: User, path: str, sso_mfa: bool = False) -> bool:
    """HR and unit managers on /hr/, and staff (editors, admins) in the admin, need TOTP,
    unless they signed in through their municipality's provider with multi-factor
    (`sso_mfa`: the provider's ID token said so)."""
    if not user.is_authenticated or sso_mfa:
        return False
    if path.startswith("/hr/"):
        is_hr_side = (
            user.is_superuser
            or Membership.objects.filter(user=user, is_hr=True).exists()
            or UnitManager.objects.filter(user=user).exists()
        )
        if not is_hr_side:
            return False
    elif path.startswith(("/admin/", "/django-admin/")):
        if not (user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin")):
            return False
    else:
        return False
    return not has_totp(user=user)


def has_totp(*, user: User) -> bool:
    """Whether the user has set up a TOTP authenticator (two-factor)."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
