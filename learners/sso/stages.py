"""allauth's login stages, with one change: a sign-in through the municipality's provider
whose ID token says multi-factor is not asked for Endra's own TOTP code."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.stages import AuthenticateStage

from .adapter import provider_did_mfa

MFA_STAGE = "allauth.mfa.stages.AuthenticateStage"


class ProviderAwareAuthenticateStage(AuthenticateStage):
    def _should_handle(self, request) -> bool:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if provider_did_mfa(sociallogin):
            return False
        return super()._should_handle(request)


class AccountAdapter(DefaultAccountAdapter):
    def get_login_stages(self) -> list[str]:
        return [
            "learners.sso.stages.ProviderAwareAuthenticateStage" if stage == MFA_STAGE else stage
            for stage in super().get_login_stages()
        ]
