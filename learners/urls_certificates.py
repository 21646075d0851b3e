"""Certificate routes, mounted at the site root by config/urls.py in the "learners"
namespace (e.g. `learners:certificate_pdf`)."""

from django.urls import path

from . import views_certificates as views

urlpatterns = [
    path(".well-known/did.json", views.did_json, name="did_json"),
    path("certificates/verify/", views.credential_check, name="credential_check"),
    path("certificates/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path(
        "certificates/<str:code>/credential.json",
        views.certificate_credential,
        name="certificate_credential",
    ),
    path("certificates/<str:code>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path(
        "hr/certifikater/<str:code>/trekk-tilbake/",
        views.certificate_revoke_view,
        name="certificate_revoke",
    ),
    path(
        "hr/certifikater/<str:code>/utsted-pa-nytt/",
        views.certificate_reissue_view,
        name="certificate_reissue",
    ),
]
