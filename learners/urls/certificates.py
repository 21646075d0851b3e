"""Certificates (namespace "certificates"): the public verification page, credential.json and
credential check, the issuer's DID document, and the PDF for its owner and HR."""

from django.urls import path

from learners.views import certificates

app_name = "certificates"

urlpatterns = [
    path(".well-known/did.json", certificates.did_json, name="did_json"),
    path("certificates/verify/", certificates.credential_check, name="check"),
    path("certificates/<str:code>/", certificates.certificate_verify, name="verify"),
    path(
        "certificates/<str:code>/credential.json",
        certificates.certificate_credential,
        name="credential",
    ),
    path("certificates/<str:code>/pdf/", certificates.certificate_pdf, name="pdf"),
]
