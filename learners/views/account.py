"""Two-factor set-up as one guided flow: allauth's views, with the page the person was on
their way to (`next`) kept from the first step to the last."""

from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView
from allauth.mfa.totp.views import ActivateTOTPView
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode


def safe_next(request) -> str:
    """The `next` of the request when it points into this site, else an empty string."""
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else ""


class TOTPActivateView(ActivateTOTPView):
    """Scan, type a code; then the recovery codes, still knowing where to go next."""

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(next_url=safe_next(self.request), **kwargs)

    def get_success_url(self) -> str:
        url = super().get_success_url()
        next_url = safe_next(self.request)
        if next_url and url == reverse("mfa_view_recovery_codes"):
            url = f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"
        return url


class RecoveryCodesView(ViewRecoveryCodesView):
    """The recovery codes, with a way on to where the person was going."""

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(next_url=safe_next(self.request), **kwargs)


totp_activate = TOTPActivateView.as_view()
recovery_codes = RecoveryCodesView.as_view()
