"""The one way an HR page answers ?format=csv|xlsx: an audit row, then the file."""

from django.utils import timezone

from learners.lib.exports import export_response
from learners.models import AuditAction
from learners.services.audit import audit_log_write

EXPORT_FORMATS = {"csv", "xlsx"}


def wants_export(request) -> bool:
    return request.GET.get("format") in EXPORT_FORMATS


def hr_export(request, *, name: str, header: list[str], rows, data: dict | None = None):
    """The report `name` as the requested file, after recording who exported what."""
    fmt = request.GET.get("format")
    audit_log_write(
        action=AuditAction.REPORT_EXPORT,
        actor=request.user,
        municipality=request.hr_scope.municipality,
        data=data or {"report": name, "format": fmt, "query": request.GET.urlencode()},
    )
    stamp = timezone.localdate().isoformat()
    return export_response(fmt=fmt, filename=f"endra-{name}-{stamp}", header=header, rows=rows)
