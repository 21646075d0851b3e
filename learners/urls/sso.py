"""Single sign-on through the municipality's identity provider (mounted at /konto/kommune/)."""

from django.urls import path

from learners.sso import views as oidc
from learners.views import sso

urlpatterns = [
    path("", sso.sso_start, name="sso_start"),
    path("koble-til/", sso.sso_link, name="sso_link"),
    path("e-post/", sso.sso_email, name="sso_email"),
    path("enhet/", sso.sso_unit, name="sso_unit"),
    path("<str:provider_id>/login/", oidc.login, name="sso_login"),
    path("<str:provider_id>/login/callback/", oidc.callback, name="sso_callback"),
]
