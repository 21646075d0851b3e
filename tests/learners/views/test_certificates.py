"""Certificate pages: public verification, credential.json, DID document, credential checks,
rate limiting, PDF download and revocation, with a second municipality in every access test."""

import copy
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from learners import openbadges as ob
from learners.models import AuditLog, Certificate
from learners.services import certificates as svc
from tests.factories import (
    PASSWORD,
    CoursePageFactory,
    EnrolmentFactory,
    MembershipFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def setup(certificate_settings):
    return certificate_settings


def _with_totp(user):
    """HR pages need two-factor authentication set up (see learners.permissions)."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    return user


@pytest.fixture
def bergen_hr(bergen):
    return _with_totp(MembershipFactory(municipality=bergen, is_hr=True).user)


@pytest.fixture
def oslo_hr(oslo):
    return _with_totp(MembershipFactory(municipality=oslo, is_hr=True).user)


def _main(response) -> str:
    """The page's main content: the header differs per request (CSRF token, current path)."""
    html = response.content.decode()
    return html[html.index('<main id="main"') : html.index("</main>")]


def _login(client, user):
    assert client.login(email=user.email, password=PASSWORD)


# --- Public verification page ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_verification_page_shows_a_valid_certificate_without_login(client, certificate):
    response = client.get(f"/certificates/{certificate.code}/")
    assert response.status_code == 200
    main = _main(response)
    assert 'data-certificate-status="valid"' in main
    for shown in [certificate.learner_name, "Endringsledelse for mellomledere", "Bergen"]:
        assert shown in main
    assert certificate.code in main
    assert certificate.user.email not in response.content.decode()
    assert f"/certificates/{certificate.code}/credential.json" in main


@pytest.mark.django_db
def test_a_code_typed_in_lower_case_without_dashes_finds_the_certificate(client, certificate):
    typed = certificate.code.replace("-", "").lower()
    response = client.get(f"/certificates/{typed}/")
    assert 'data-certificate-status="valid"' in _main(response)


@pytest.mark.django_db
def test_a_revoked_certificate_shows_revoked_with_date_not_reason(client, certificate, bergen_hr):
    svc.certificate_revoke(certificate=certificate, actor=bergen_hr, reason="Hemmelig grunn")
    response = client.get(f"/certificates/{certificate.code}/")
    assert response.status_code == 200
    main = _main(response)
    assert 'data-certificate-status="revoked"' in main
    certificate.refresh_from_db()
    assert str(certificate.revoked_at.year) in main
    assert "Hemmelig grunn" not in main
    assert f"/certificates/{certificate.code}/credential.json" not in main


@pytest.mark.django_db
def test_unknown_and_malformed_codes_get_the_same_neutral_answer(client, certificate):
    unknown = svc.certificate_code_generate()
    answers = [
        client.get(f"/certificates/{code}/")
        for code in [unknown, "ABC", "not-a-code-at-all", certificate.code[:-1] + "!"]
    ]
    assert {response.status_code for response in answers} == {404}
    assert len({_main(response) for response in answers}) == 1
    main = _main(answers[0])
    assert 'data-certificate-status="not_found"' in main
    assert unknown not in main


@pytest.mark.django_db
def test_too_many_lookups_from_one_address_get_429(client, settings, certificate):
    settings.CERTIFICATE_RATE_LIMIT = (3, 60)
    codes = [certificate.code] + [svc.certificate_code_generate() for _ in range(2)]
    assert [client.get(f"/certificates/{c}/").status_code for c in codes] == [200, 404, 404]
    blocked = client.get(f"/certificates/{certificate.code}/")
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "60"
    assert 'data-certificate-status="rate_limited"' in _main(blocked)
    assert certificate.learner_name not in blocked.content.decode()
    assert client.get(f"/certificates/{certificate.code}/credential.json").status_code == 429
    # Another address has its own window.
    other = client.get(f"/certificates/{certificate.code}/", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


# --- credential.json and the DID document ---------------------------------------------------


@pytest.mark.django_db
def test_credential_json_verifies_and_fails_when_one_character_changes(client, certificate):
    response = client.get(f"/certificates/{certificate.code}/credential.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    text = response.content.decode()
    credential = json.loads(text)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert svc.certificate_verify_credential(credential=credential).status == "valid"
    index = text.index("Endringsledelse") + 3
    changed = text[:index] + ("X" if text[index] != "X" else "Y") + text[index + 1 :]
    check = svc.certificate_verify_credential(credential=json.loads(changed))
    assert check.status == "tampered"


@pytest.mark.django_db
def test_credential_json_of_a_revoked_certificate_is_gone(client, certificate, bergen_hr):
    svc.certificate_revoke(certificate=certificate, actor=bergen_hr, reason="Feil")
    response = client.get(f"/certificates/{certificate.code}/credential.json")
    assert response.status_code == 410
    assert response.json()["status"] == "revoked"
    missing = client.get(f"/certificates/{svc.certificate_code_generate()}/credential.json")
    assert missing.status_code == 404


@pytest.mark.django_db
def test_the_did_document_publishes_the_key_that_verifies_credentials(client, certificate):
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    document = response.json()
    assert document["id"] == "did:web:endra.example.no"
    method = document["verificationMethod"][0]
    assert method["id"] == certificate.credential["proof"]["verificationMethod"]
    assert method["type"] == "Multikey"
    key = ob.public_key_from_multibase(method["publicKeyMultibase"])
    result = ob.verify(credential=certificate.credential, resolve_public_key=lambda _m: key)
    assert result.valid


# --- Checking a pasted or uploaded credential -----------------------------------------------


def _check(client, **data):
    return client.post("/certificates/verify/", data)


@pytest.mark.django_db
def test_pasting_a_credential_says_valid_tampered_or_unknown_issuer(client, certificate):
    credential = certificate.credential
    valid = _check(client, credential=json.dumps(credential))
    assert 'data-credential-status="valid"' in _main(valid)
    assert certificate.learner_name in _main(valid)

    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["name"] = "Ola Nordmann"
    answer = _check(client, credential=json.dumps(tampered))
    assert 'data-credential-status="tampered"' in _main(answer)
    assert "endra-certificate-details" not in _main(answer)

    foreign = ob.sign(
        credential={k: v for k, v in credential.items() if k != "proof"},
        private_key=ob.generate_private_key(),
        verification_method="did:web:other.example#key-1",
        created=credential["proof"]["created"],
    )
    answer = _check(client, credential=json.dumps(foreign))
    assert 'data-credential-status="unknown_issuer"' in _main(answer)


@pytest.mark.django_db
def test_uploading_a_revoked_credential_says_revoked(client, certificate, bergen_hr):
    svc.certificate_revoke(certificate=certificate, actor=bergen_hr, reason="Feil")
    upload = SimpleUploadedFile(
        "credential.json", json.dumps(certificate.credential).encode(), "application/json"
    )
    response = client.post("/certificates/verify/", {"credential_file": upload})
    assert 'data-credential-status="revoked"' in _main(response)


@pytest.mark.django_db
def test_pasting_something_that_is_not_json_explains_the_problem(client):
    response = _check(client, credential="{not json")
    assert response.status_code == 200
    assert "data-credential-status" not in _main(response)
    assert "JSON" in _main(response)
    assert _check(client, credential="[1, 2]").status_code == 200


# --- PDF download ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_owner_and_hr_of_the_municipality_download_the_pdf(client, certificate, bergen_hr):
    for user in [certificate.user, bergen_hr]:
        _login(client, user)
        response = client.get(f"/certificates/{certificate.code}/pdf/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert certificate.code in response["Content-Disposition"]


@pytest.mark.django_db
def test_the_certificate_page_offers_the_pdf_to_its_owner_only(client, certificate, other_learner):
    url = f"/certificates/{certificate.code}/"
    pdf = f'href="/certificates/{certificate.code}/pdf/"'
    assert pdf not in client.get(url).content.decode()
    client.force_login(other_learner)
    assert pdf not in client.get(url).content.decode()
    client.force_login(certificate.user)
    html = client.get(url).content.decode()
    assert pdf in html and "Last ned kursbeviset som PDF" in html
    assert client.get(f"/certificates/{certificate.code}/pdf/").status_code == 200


def test_others_get_404_for_the_pdf(client, certificate, oslo_hr, other_learner, bergen):
    colleague = MembershipFactory(municipality=bergen).user
    for user in [oslo_hr, other_learner, colleague]:
        _login(client, user)
        assert client.get(f"/certificates/{certificate.code}/pdf/").status_code == 404
    client.logout()
    anonymous = client.get(f"/certificates/{certificate.code}/pdf/")
    assert anonymous.status_code == 302


@pytest.mark.django_db
def test_the_url_name_for_min_laering(certificate):
    from django.urls import reverse

    url = reverse("certificates:pdf", args=[certificate.code])
    assert url == f"/certificates/{certificate.code}/pdf/"


# --- Revocation by HR -----------------------------------------------------------------------


@pytest.mark.django_db
def test_hr_of_the_municipality_revokes_with_a_reason(client, certificate, bergen_hr):
    _login(client, bergen_hr)
    url = f"/hr/certifikater/{certificate.code}/trekk-tilbake/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    response = client.post(url, {"reason": "Registrert på feil person"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert certificate.revoked_by == bergen_hr
    assert certificate.revoke_reason == "Registrert på feil person"
    log = AuditLog.objects.get(action="certificate.revoke")
    assert (log.actor, log.municipality_id) == (bergen_hr, certificate.municipality_id)
    assert "Registrert på feil person" in client.get(url).content.decode()


@pytest.mark.django_db
def test_hr_of_another_municipality_and_learners_get_404_for_revoke(client, certificate, oslo_hr):
    url = f"/hr/certifikater/{certificate.code}/trekk-tilbake/"
    for user in [oslo_hr, certificate.user]:
        _login(client, user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "Nei"}).status_code == 404
        reissue = f"/hr/certifikater/{certificate.code}/utsted-pa-nytt/"
        assert client.post(reissue).status_code == 404
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


@pytest.mark.django_db
def test_a_platform_admin_revokes_and_reissues(client, certificate):
    admin = _with_totp(UserFactory(is_superuser=True, is_staff=True))
    _login(client, admin)
    client.post(f"/hr/certifikater/{certificate.code}/trekk-tilbake/", {"reason": "Feil navn"})
    response = client.post(f"/hr/certifikater/{certificate.code}/utsted-pa-nytt/")
    assert response.status_code == 302
    new = Certificate.objects.get(replaces=certificate)
    assert response["Location"] == f"/hr/certifikater/{new.code}/trekk-tilbake/"
    assert new.revoked_at is None
    page = client.get(f"/certificates/{certificate.code}/")
    assert 'data-certificate-status="revoked"' in _main(page)
    assert re.search(
        r'data-certificate-status="valid"', _main(client.get(f"/certificates/{new.code}/"))
    )


# --- End to end: completing a course issues a certificate with a PDF ------------------------


@pytest.mark.django_db
def test_completing_a_course_gives_a_certificate_with_pdf_and_verification_page(
    client, learner, django_capture_on_commit_callbacks
):
    import io

    from django.core.management import call_command

    from courses.models import CoursePage
    from learners.services.learning import enrolment_create
    from learners.services.quiz import quiz_attempt_start, quiz_attempt_submit
    from tests.learners.views.test_learning import LEAN, complete_modules, right_answers

    call_command("seed_demo", stdout=io.StringIO())
    course = CoursePage.objects.get(slug=LEAN)
    enrolment = enrolment_create(user=learner, course=course)
    with django_capture_on_commit_callbacks(execute=True):
        complete_modules(enrolment, course)
        if course.has_quiz:
            attempt = quiz_attempt_start(enrolment=enrolment, quiz_page=course)
            quiz_attempt_submit(
                enrolment=enrolment, attempt_id=attempt.pk, answers=right_answers(attempt)
            )
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.title == course.title
    assert certificate.pdf.name
    _login(client, learner)
    assert client.get(f"/certificates/{certificate.code}/pdf/").status_code == 200
    assert 'data-certificate-status="valid"' in _main(
        client.get(f"/certificates/{certificate.code}/")
    )


@pytest.mark.django_db
def test_after_key_rotation_old_credentials_still_verify_and_new_ones_use_the_new_key(
    client, certificate, settings
):
    old_key = ob.private_key_from_multibase(settings.ENDRA_SIGNING_KEY)
    old_public = ob.public_key_multibase(old_key.public_key())
    settings.ENDRA_SIGNING_KEY = ob.private_key_to_multibase(ob.generate_private_key())
    settings.ENDRA_SIGNING_KEY_ID = "key-2"
    settings.ENDRA_RETIRED_PUBLIC_KEYS = [f"key-1={old_public}"]

    assert svc.certificate_verify_credential(credential=certificate.credential).status == "valid"
    document = client.get("/.well-known/did.json").json()
    ids = [method["id"] for method in document["verificationMethod"]]
    assert ids == ["did:web:endra.example.no#key-2", "did:web:endra.example.no#key-1"]
    assert document["assertionMethod"] == ids

    enrolment = EnrolmentFactory(
        user=certificate.user,
        municipality=certificate.municipality,
        course=CoursePageFactory(title="Lean i kommunale tjenester"),
    )
    fresh = svc.certificate_issue(enrolment=enrolment)
    assert fresh.credential["proof"]["verificationMethod"].endswith("#key-2")
    assert svc.certificate_verify_credential(credential=fresh.credential).status == "valid"

    settings.ENDRA_RETIRED_PUBLIC_KEYS = []  # forgetting the old key orphans its credentials
    result = svc.certificate_verify_credential(credential=certificate.credential)
    assert result.status == "unknown_issuer"
