"""allauth's openid_connect provider, made stricter for municipalities' own providers (set as
its provider_class in settings.SOCIALACCOUNT_PROVIDERS): a nonce with every sign-in, the ID
token always verified (learners.sso.tokens), its subject matched to userinfo, and `pid`
dropped before anything is stored."""

from __future__ import annotations

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.urls import reverse
from django.utils.http import urlencode

from .errors import TokenRefused
from .tokens import id_token_verify, jwks_fetch, nonce_issue, without_identity_number


class MunicipalityOIDCAdapter(OpenIDConnectOAuth2Adapter):
    def get_callback_url(self, request, app):
        url = reverse("sso_callback", kwargs={"provider_id": self.provider_id})
        return build_absolute_uri(request, url, self.redirect_uri_protocol)

    def complete_login(self, request, app, token, **kwargs):
        id_token_str = kwargs["response"].get("id_token")
        if not id_token_str:
            raise TokenRefused("invalid")
        config = self.openid_config
        id_token = id_token_verify(
            id_token_str,
            jwks=jwks_fetch(config["jwks_uri"]),
            issuer=self.get_provider().app.settings["issuer"],
            client_id=app.client_id,
            session=request.session,
        )
        data = {"id_token": without_identity_number(id_token)}
        if config.get("userinfo_endpoint"):
            userinfo = self._fetch_user_info(token.token)
            if userinfo.get("sub") != id_token["sub"]:
                raise TokenRefused("invalid")
            data["userinfo"] = without_identity_number(userinfo)
        return self.get_provider().sociallogin_from_response(request, data)


class MunicipalityOIDCProvider(OpenIDConnectProvider):
    oauth2_adapter_class = MunicipalityOIDCAdapter

    def get_login_url(self, request, **kwargs):
        url = reverse("sso_login", kwargs={"provider_id": self.app.provider_id})
        return f"{url}?{urlencode(kwargs)}" if kwargs else url

    def get_callback_url(self):
        return reverse("sso_callback", kwargs={"provider_id": self.app.provider_id})

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        auth_params = dict(kwargs.pop("auth_params", None) or self.get_auth_params())
        auth_params["nonce"] = nonce_issue(request.session)
        return super().redirect(request, process, next_url, data, auth_params=auth_params, **kwargs)

    def extract_common_fields(self, data):
        fields = super().extract_common_fields(data)
        fields["email"] = (fields.get("email") or "").strip().lower() or None
        return fields


provider_classes = [MunicipalityOIDCProvider]
