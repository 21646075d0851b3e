"""Certificate views: the public verification page and credential.json, the DID document and
the PDF download for the owner and HR (revocation by HR is learners.views.hr.certificates)."""

import logging

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from learners.access import access_certificate
from learners.forms.certificates import CredentialCheckForm
from learners.lib.ratelimit import over_limit
from learners.openbadges import credentials
from learners.permissions import sso_mfa_done
from learners.selectors.certificates import certificate_by_code
from learners.services.certificates import certificate_pdf_render, certificate_verify_credential

logger = logging.getLogger(__name__)


def _client_ip(request) -> str:
    try:  # allauth's adapter honours the trusted-proxy settings the login rate limit uses
        return get_adapter().get_client_ip(request)
    except Exception:  # noqa: BLE001 - no address still gets one (shared) bucket
        return request.META.get("REMOTE_ADDR") or "unknown"


def _rate_limited(request) -> bool:
    """One counter per address, shared by all public certificate pages."""
    limit, window = settings.CERTIFICATE_RATE_LIMIT
    return over_limit("certificates", _client_ip(request), limit, window)


def _too_many(request) -> HttpResponse:
    response = render(request, "learners/certificates/rate_limited.html", status=429)
    response["Retry-After"] = str(settings.CERTIFICATE_RATE_LIMIT[1])
    return response


@require_GET
def certificate_verify(request, code: str):
    """Public: valid, revoked or the same neutral 'not found' for unknown and malformed codes."""
    if _rate_limited(request):
        return _too_many(request)
    certificate = certificate_by_code(code=code)
    context = {"certificate": certificate, "form": CredentialCheckForm()}
    if certificate is None:
        return render(request, "learners/certificates/not_found.html", context, status=404)
    # Its owner, looking at their own certificate, gets the PDF from here too.
    context["is_owner"] = certificate.user_id == request.user.pk
    return render(request, "learners/certificates/certificate.html", context)


@require_GET
def certificate_credential(request, code: str):
    """Public: the signed OpenBadgeCredential; 410 once revoked, 404 when unknown."""
    if _rate_limited(request):
        return _too_many(request)
    certificate = certificate_by_code(code=code)
    if certificate is None or not certificate.credential:
        return JsonResponse({"status": "not_found"}, status=404)
    if certificate.revoked_at is not None:
        return JsonResponse(
            {
                "id": certificate.credential.get("id"),
                "status": "revoked",
                "revokedAt": certificate.revoked_at.isoformat(),
            },
            status=410,
        )
    response = JsonResponse(certificate.credential, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'inline; filename="credential-{certificate.code}.json"'
    return response


# Verifying a pasted credential changes nothing and needs no session, so it needs no CSRF
# token either; that keeps the public pages free of per-visitor tokens.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def credential_check(request):
    """Public: verify a pasted or uploaded credential.json."""
    if _rate_limited(request):
        return _too_many(request)
    result = None
    form = CredentialCheckForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data["document"]
        if isinstance(document, dict):
            result = certificate_verify_credential(credential=document)
        else:
            result = None
            form.add_error(None, _("This is not a credential."))
    return render(request, "learners/certificates/check.html", {"form": form, "result": result})


@require_GET
def did_json(request):
    """The issuer's DID document (did:web), with the public key credentials are checked with."""
    return JsonResponse(credentials.did_document(), content_type="application/did+json")


@login_required
@require_GET
def certificate_pdf(request, code: str):
    """The PDF for its owner, HR of its municipality or a platform admin; 404 for others."""
    certificate = access_certificate(user=request.user, code=code, sso_mfa=sso_mfa_done(request))
    certificate = certificate_pdf_render(certificate=certificate)  # re-renders a lost file
    return FileResponse(
        certificate.pdf.storage.open(certificate.pdf.name, "rb"),
        as_attachment=True,
        filename=f"kursbevis-{certificate.code}.pdf",
        content_type="application/pdf",
    )
