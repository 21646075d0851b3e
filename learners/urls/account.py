"""Account pages Endra serves in place of allauth's own, mounted at /konto/ in front of
allauth's URLs (same paths, so allauth's URL names point here)."""

from django.urls import path

from learners.views import account

urlpatterns = [
    path("2fa/totp/activate/", account.totp_activate),
    path("2fa/recovery-codes/", account.recovery_codes),
]
