"""Reads for certificates: the public lookup by code and the access checks for downloads and
revocation (the same 404 for "does not exist" and "not yours")."""

from django.http import Http404

from .models import Certificate, Membership, User
from .services.certificates import certificate_code_normalise


def certificate_by_code(*, code: str) -> Certificate | None:
    """The certificate with this code (typed in any case or grouping), or None; public."""
    normalised = certificate_code_normalise(code)
    if normalised is None:
        return None
    return Certificate.objects.filter(code=normalised).first()


def _is_hr_of(user: User, certificate: Certificate) -> bool:
    return Membership.objects.filter(
        user=user, municipality_id=certificate.municipality_id, is_hr=True
    ).exists()


def access_certificate(*, user: User, code: str) -> Certificate:
    """A certificate its owner, HR of its municipality or a platform admin may download."""
    certificate = certificate_by_code(code=code)
    if certificate is None or not user.is_authenticated:
        raise Http404
    if certificate.user_id == user.pk or user.is_superuser or _is_hr_of(user, certificate):
        return certificate
    raise Http404


def access_certificate_for_hr(*, user: User, code: str) -> Certificate:
    """A certificate HR of its municipality (or a platform admin) may revoke or re-issue."""
    certificate = certificate_by_code(code=code)
    if certificate is None or not user.is_authenticated:
        raise Http404
    if user.is_superuser or _is_hr_of(user, certificate):
        return certificate
    raise Http404
