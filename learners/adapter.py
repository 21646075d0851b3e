"""Endra's django-allauth adapter: where people land after logging in, and a two-factor
set-up that does not ask for the password typed a moment ago."""

import datetime
import time

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.urls import reverse

from .models import Membership, UnitManager
from .sso.stages import AccountAdapter as ProviderAwareAccountAdapter

MFA_APP = "allauth.mfa"
# Installing an app and scanning a code takes a few minutes; allauth's 5-minute window for
# "recently authenticated" would ask for the password again in the middle of it.
FIRST_SETUP_WINDOW = datetime.timedelta(minutes=15)


def login_landing_url(*, user) -> str:
    """HR and unit managers land on the HR overview, editors without a municipality in the
    admin, everyone else on Min læring."""
    if (
        Membership.objects.filter(user=user, is_hr=True).exists()
        or UnitManager.objects.filter(user=user).exists()
    ):
        return reverse("hr:dashboard")
    if (
        user.has_perm("wagtailadmin.access_admin")
        and not Membership.objects.filter(user=user).exists()
    ):
        return reverse("wagtailadmin_home")
    return reverse("learners:my_learning")


class AccountAdapter(ProviderAwareAccountAdapter):
    """Endra's allauth adapter (ACCOUNT_ADAPTER): the provider-aware login stages of
    single sign-on, plus where people land and the first two-factor set-up."""

    def get_login_redirect_url(self, request) -> str:
        # allauth gives an explicit `next` precedence over this.
        return login_landing_url(user=request.user)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # Someone who logged in with their password minutes ago and had no authenticator
        # before is setting up two-factor for the first time (the app, then the recovery
        # codes): asking for the password again only stalls them. Changing an authenticator
        # that existed before this login still asks.
        if app == MFA_APP and self._first_mfa_setup_after_fresh_login():
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def _first_mfa_setup_after_fresh_login(self) -> bool:
        request = self.request
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        records = get_authentication_records(request, user)
        # A password typed or a municipality's single sign-on, both in this session.
        logins = [r["at"] for r in records if r.get("method") in ("password", "socialaccount")]
        if not logins or time.time() - logins[-1] > FIRST_SETUP_WINDOW.total_seconds():
            return False
        logged_in_at = datetime.datetime.fromtimestamp(logins[-1], tz=datetime.UTC)
        return not Authenticator.objects.filter(user=user, created_at__lte=logged_in_at).exists()
