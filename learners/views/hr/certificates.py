"""HR revokes a certificate of its municipality (with a reason) and issues a new one for the
same completion; a platform admin may do both for any certificate."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from learners.access import access_certificate_for_hr
from learners.forms.certificates import RevokeForm
from learners.permissions import hr_view
from learners.services.certificates import certificate_reissue, certificate_revoke


@hr_view(edit=True, platform_admin=True)
@require_http_methods(["GET", "POST"])
def certificate_revoke_view(request, code: str):
    """HR of the certificate's municipality (or a platform admin) revokes it, with a reason."""
    certificate = access_certificate_for_hr(scope=request.hr_scope, code=code)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and certificate.revoked_at is None and form.is_valid():
        certificate_revoke(
            certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The certificate has been revoked."))
        return redirect("hr:certificate_revoke", code=certificate.code)
    replacement = certificate.replaced_by.order_by("-issued_at").first()
    return render(
        request,
        "learners/hr/certificate_revoke.html",
        {"certificate": certificate, "form": form, "replacement": replacement},
    )


@hr_view(edit=True, platform_admin=True)
@require_POST
def certificate_reissue_view(request, code: str):
    """HR issues a new certificate for the same completion as a revoked one."""
    certificate = access_certificate_for_hr(scope=request.hr_scope, code=code)
    try:
        new = certificate_reissue(certificate=certificate, actor=request.user)
    except ValueError:
        messages.error(request, _("This certificate cannot be re-issued."))
        return redirect("hr:certificate_revoke", code=certificate.code)
    messages.success(request, _("A new certificate has been issued."))
    return redirect("hr:certificate_revoke", code=new.code)
