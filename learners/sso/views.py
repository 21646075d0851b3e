"""allauth's openid_connect login and callback views, bound to the stricter adapter."""

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.http import Http404

from .provider import MunicipalityOIDCAdapter


@login_not_required
def login(request, provider_id):
    try:
        return OAuth2LoginView.adapter_view(MunicipalityOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as e:
        raise Http404 from e


@login_not_required
def callback(request, provider_id):
    try:
        return OAuth2CallbackView.adapter_view(MunicipalityOIDCAdapter(request, provider_id))(
            request
        )
    except SocialApp.DoesNotExist as e:
        raise Http404 from e
