"""Reads for certificates: the public lookup by code (access checks are in learners.access)."""

from learners.lib.codes import certificate_code_normalise
from learners.models import Certificate


def certificate_by_code(*, code: str) -> Certificate | None:
    """The certificate with this code (typed in any case or grouping), or None; public."""
    normalised = certificate_code_normalise(code)
    if normalised is None:
        return None
    return Certificate.objects.filter(code=normalised).first()
