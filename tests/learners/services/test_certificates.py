"""Certificates: issuing (idempotent, snapshot, codes), revoking and re-issuing, credentials,
PDF rendering, and certificates surviving course edits."""

import base64
import copy
import io
import json
import re
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage, storages
from django.utils import timezone
from PIL import Image

from learners import openbadges as ob
from learners.lib import codes
from learners.models import AuditLog, Certificate
from learners.openbadges import credentials
from learners.openbadges.dataintegrity import OB_V3_CONTEXT, VC_V2_CONTEXT
from learners.services import certificates as svc
from tests.factories import CoursePageFactory, EnrolmentFactory, MembershipFactory

CROCKFORD = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    settings.ENDRA_SIGNING_KEY = ob.private_key_to_multibase(ob.generate_private_key())
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WAGTAILADMIN_BASE_URL = "https://endra.example.no"
    return settings.ENDRA_SIGNING_KEY


@pytest.fixture
def enrolment(learner, bergen):
    course = CoursePageFactory(title="Tjenestedesign i praksis", estimated_minutes=150)
    return EnrolmentFactory(user=learner, municipality=bergen, course=course)


# --- Issuing --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_issuing_snapshots_what_the_certificate_shows(enrolment, learner):
    certificate = svc.certificate_issue(enrolment=enrolment)
    assert certificate.learner_name == learner.get_full_name()
    assert certificate.title == "Tjenestedesign i praksis"
    assert certificate.municipality_name == "Bergen"
    assert certificate.completed_at == enrolment.completed_at
    assert certificate.estimated_hours == Decimal("2.5")
    assert certificate.issuer_name == "Endra"
    assert certificate.municipality_id == enrolment.municipality_id
    log = AuditLog.objects.get(action="certificate.issue")
    assert log.target_id == str(certificate.pk)
    assert log.municipality_id == enrolment.municipality_id


@pytest.mark.django_db
def test_issuing_twice_for_the_same_completion_gives_the_same_certificate(enrolment):
    first = svc.certificate_issue(enrolment=enrolment)
    second = svc.certificate_issue(enrolment=enrolment)
    assert first.pk == second.pk
    assert Certificate.objects.count() == 1
    assert AuditLog.objects.filter(action="certificate.issue").count() == 1


@pytest.mark.django_db
def test_an_unfinished_enrolment_gets_no_certificate(learner, bergen):
    enrolment = EnrolmentFactory(user=learner, municipality=bergen, status="active",
                                 completed_at=None)  # fmt: skip
    with pytest.raises(ValueError, match="not completed"):
        svc.certificate_issue(enrolment=enrolment)
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_the_course_completed_signal_issues_the_certificate(
    enrolment, django_capture_on_commit_callbacks
):
    from learners.signals import course_completed

    with django_capture_on_commit_callbacks(execute=True):
        course_completed.send(sender=type(enrolment), enrolment_id=enrolment.pk)
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.pdf.name  # the PDF task ran on commit (eagerly in tests)


@pytest.mark.django_db
def test_learning_path_certificate_is_idempotent_and_sums_required_hours(learner, bergen):
    from courses.models import LearningPath, LearningPathCourse

    path = LearningPath.objects.create(slug="ledergrunnlag", title="Ledergrunnlag")
    for minutes, required in [(60, True), (90, True), (600, False)]:
        LearningPathCourse.objects.create(
            path=path, course=CoursePageFactory(estimated_minutes=minutes), required=required
        )
    done = timezone.now()
    first = svc.certificate_issue_for_path(
        user=learner, learning_path=path, municipality=bergen, completed_at=done
    )
    again = svc.certificate_issue_for_path(
        user=learner, learning_path=path, municipality=bergen, completed_at=done
    )
    assert first.pk == again.pk
    assert first.title == "Ledergrunnlag"
    assert first.estimated_hours == Decimal("2.5")
    assert first.credential["credentialSubject"]["achievement"]["id"] == (
        f"urn:endra:learning-path:{path.pk}"
    )
    assert svc.certificate_verify_credential(credential=first.credential).status == "valid"


# --- Codes ----------------------------------------------------------------------------------


def test_codes_are_grouped_crockford_base32_with_150_random_bits():
    issued = {svc.certificate_code_generate() for _ in range(2000)}
    assert len(issued) == 2000
    for code in list(issued)[:200]:
        assert re.fullmatch(r"[0-9A-Z]{5}(-[0-9A-Z]{5}){5}", code)
        assert set(code.replace("-", "")) <= CROCKFORD
        assert len(code) <= Certificate._meta.get_field("code").max_length
    assert codes.CODE_CHARS * 5 >= 128
    # Every symbol is used in every position: no fixed or biased characters.
    joined = [code.replace("-", "") for code in issued]
    for position in (0, 15, 29):
        assert len({code[position] for code in joined}) == 32


def test_typed_codes_are_normalised_and_garbage_is_refused():
    code = svc.certificate_code_generate()
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert codes.certificate_code_normalise(sloppy) == code
    for bad in ["", "abc", code + "X", code[:-1], "U" * 30, "x" * 500, None]:
        assert codes.certificate_code_normalise(bad) is None


# --- Credentials ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_stored_credential_is_a_signed_open_badge_that_verifies(enrolment):
    certificate = svc.certificate_issue(enrolment=enrolment)
    credential = certificate.credential
    assert credential["@context"] == [VC_V2_CONTEXT, OB_V3_CONTEXT]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"https://endra.example.no/certificates/{certificate.code}/"
    assert credential["issuer"]["id"] == "did:web:endra.example.no"
    assert credential["credentialSubject"]["name"] == certificate.learner_name
    assert credential["credentialSubject"]["achievement"]["name"] == "Tjenestedesign i praksis"
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["proof"]["verificationMethod"] == "did:web:endra.example.no#key-1"
    check = svc.certificate_verify_credential(credential=credential)
    assert (check.status, check.certificate) == ("valid", certificate)


@pytest.mark.django_db
def test_the_certificate_row_is_written_once_already_signed(enrolment):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        certificate = svc.certificate_issue(enrolment=enrolment)
    writes = [
        q["sql"] for q in queries.captured_queries if '"learners_certificate"' in (q["sql"] or "")
        and not q["sql"].startswith("SELECT")
    ]  # fmt: skip
    assert len(writes) == 1 and writes[0].startswith("INSERT")
    stored = Certificate.objects.get(pk=certificate.pk)
    # Signed with the time of issue the row holds.
    shown = stored.issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert stored.credential["validFrom"] == stored.credential["proof"]["created"] == shown
    assert svc.certificate_verify_credential(credential=stored.credential).valid


@pytest.mark.django_db
def test_signing_is_deterministic_for_the_same_certificate(enrolment):
    certificate = svc.certificate_issue(enrolment=enrolment)
    again = credentials.certificate_credential_sign(
        certificate,
        achievement_id=f"urn:endra:course:{enrolment.course_id}",
        narrative=svc.COURSE_NARRATIVE,
    )
    assert again == certificate.credential


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        ("credentialSubject", "name"),
        ("credentialSubject", "achievement", "name"),
        ("validFrom",),
        ("issuer", "name"),
        ("name",),
    ],
)
def test_changing_one_character_of_the_credential_is_tampered(enrolment, path):
    credential = copy.deepcopy(svc.certificate_issue(enrolment=enrolment).credential)
    parent = credential
    for step in path[:-1]:
        parent = parent[step]
    value = parent[path[-1]]
    parent[path[-1]] = value[0] + ("1" if value[1] == "0" else "0") + value[2:]
    assert svc.certificate_verify_credential(credential=credential).status == "tampered"


@pytest.mark.django_db
def test_changing_one_character_of_the_json_text_never_verifies(enrolment):
    text = json.dumps(svc.certificate_issue(enrolment=enrolment).credential)
    index = text.index("Tjenestedesign")
    changed = text[:index] + "t" + text[index + 1 :]
    assert svc.certificate_verify_credential(credential=json.loads(changed)).status == "tampered"


@pytest.mark.django_db
def test_a_credential_signed_with_another_key_is_unknown_issuer(enrolment, settings):
    credential = svc.certificate_issue(enrolment=enrolment).credential
    other = ob.generate_private_key()
    forged = ob.sign(
        credential={k: v for k, v in credential.items() if k != "proof"},
        private_key=other,
        verification_method="did:web:forger.example#key-1",
        created=credential["proof"]["created"],
    )
    assert svc.certificate_verify_credential(credential=forged).status == "unknown_issuer"


@pytest.mark.django_db
def test_a_revoked_certificate_verifies_as_revoked(enrolment, bergen):
    certificate = svc.certificate_issue(enrolment=enrolment)
    hr = MembershipFactory(municipality=bergen, is_hr=True).user
    svc.certificate_revoke(certificate=certificate, actor=hr, reason="Feil person")
    check = svc.certificate_verify_credential(credential=certificate.credential)
    assert check.status == "revoked"
    assert check.certificate.revoked_at is not None


def test_garbage_is_malformed():
    assert svc.certificate_verify_credential(credential={"hello": "world"}).status == "malformed"


# --- Revoking and re-issuing ----------------------------------------------------------------


@pytest.mark.django_db
def test_revoke_then_reissue_keeps_history_and_links_the_new_certificate(enrolment, bergen):
    hr = MembershipFactory(municipality=bergen, is_hr=True).user
    old = svc.certificate_issue(enrolment=enrolment)
    revoked = svc.certificate_revoke(certificate=old, actor=hr, reason="Navnet var feil")
    assert revoked.revoked_by == hr
    assert revoked.revoke_reason == "Navnet var feil"
    new = svc.certificate_reissue(certificate=revoked, actor=hr)
    assert new.pk != old.pk
    assert new.code != old.code
    assert new.replaces_id == old.pk
    assert new.revoked_at is None
    assert Certificate.objects.filter(enrolment=enrolment).count() == 2
    assert svc.certificate_issue(enrolment=enrolment).pk == new.pk
    actions = list(AuditLog.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["certificate.issue", "certificate.revoke", "certificate.reissue"]


@pytest.mark.django_db
def test_revoking_needs_a_reason_and_twice_changes_nothing(enrolment, bergen):
    hr = MembershipFactory(municipality=bergen, is_hr=True).user
    certificate = svc.certificate_issue(enrolment=enrolment)
    with pytest.raises(ValueError, match="reason"):
        svc.certificate_revoke(certificate=certificate, actor=hr, reason="  ")
    first = svc.certificate_revoke(certificate=certificate, actor=hr, reason="Feil")
    second = svc.certificate_revoke(certificate=certificate, actor=hr, reason="Igjen")
    assert second.revoked_at == first.revoked_at
    assert second.revoke_reason == "Feil"
    assert AuditLog.objects.filter(action="certificate.revoke").count() == 1


@pytest.mark.django_db
def test_a_valid_certificate_cannot_be_reissued(enrolment, bergen):
    hr = MembershipFactory(municipality=bergen, is_hr=True).user
    with pytest.raises(ValueError):
        svc.certificate_reissue(certificate=svc.certificate_issue(enrolment=enrolment), actor=hr)


# --- PDF ------------------------------------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    """Text of a WeasyPrint PDF without a PDF library: inflate the content streams."""
    import zlib

    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(chunks).decode("latin-1")


@pytest.mark.django_db
def test_the_pdf_is_a_tagged_a4_pdf_with_code_and_qr_code(enrolment):
    certificate = svc.certificate_issue(enrolment=enrolment)
    html_parts = {}
    from django.template import loader

    original = loader.render_to_string

    def spy(template, context=None, *args, **kwargs):
        html_parts[template] = original(template, context, *args, **kwargs)
        return html_parts[template]

    import learners.services.certificates as module

    module.render_to_string, saved = spy, module.render_to_string
    try:
        content = svc.certificate_pdf_bytes(certificate=certificate, uncompressed=True)
    finally:
        module.render_to_string = saved
    assert content.startswith(b"%PDF")
    assert b"/StructTreeRoot" in content  # tagged, as PDF/UA requires
    assert b"/Lang (nb)" in content
    assert b"pdfuaid" in content  # declares PDF/UA-1 in its XMP metadata
    assert b"595.2" in content  # A4 width in points
    assert b"/Title" in content
    assert b"/Interpolate false" in content  # the QR code's modules are drawn sharp
    html = html_parts["learners/certificate_pdf.html"]
    assert certificate.code in html
    assert certificate.learner_name in html
    assert '<img src="data:image/png;base64,' in html and 'alt="QR-kode"' in html
    assert f"https://endra.example.no/certificates/{certificate.code}/" in html
    assert 'lang="nb"' in html


def _boxes(box):
    yield box
    for child in getattr(box, "children", []):
        yield from _boxes(child)


@pytest.mark.django_db
def test_the_facts_and_the_verification_part_never_overlap_and_fit_one_page(enrolment):
    certificate = svc.certificate_issue(enrolment=enrolment)
    # A long name and a course title over two lines push the facts down.
    certificate.learner_name = "Kristine Marie Fjellheim-Østerbø Haugland"
    certificate.title = "Gevinstrealisering i praksis: fra mål til målbare resultater i enheten"
    document = svc.certificate_pdf_document(certificate=certificate)
    assert len(document.pages) == 1
    found = {}
    for box in _boxes(document.pages[0]._page_box):
        element = getattr(box, "element", None)
        if element is not None and box.element_tag in ("table", "section"):
            found.setdefault(element.get("class"), box)
    facts, verify = found["facts"], found["verify"]
    assert facts.border_box_y() + facts.border_height() <= verify.border_box_y()


@pytest.mark.django_db
def test_the_qr_code_encodes_the_absolute_verification_url(enrolment):
    import segno

    certificate = svc.certificate_issue(enrolment=enrolment)
    url = credentials.verification_url(certificate.code)
    header, _, data = svc._qr_png(url).partition(",")
    assert header == "data:image/png;base64"
    # Every pixel of the image (one per module, no border) is dark where the code of `url` is.
    image = Image.open(io.BytesIO(base64.b64decode(data))).convert("L")
    matrix = segno.make(url, error="m").matrix
    assert image.size == (len(matrix), len(matrix))
    shown = [[image.getpixel((x, y)) < 128 for x in range(len(row))]
             for y, row in enumerate(matrix)]  # fmt: skip
    assert shown == [[bool(module) for module in row] for row in matrix]
    assert url.startswith("https://endra.example.no/certificates/")


@pytest.mark.django_db
def test_the_pdf_is_stored_and_rendered_again_when_the_file_is_missing(
    enrolment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certificate = svc.certificate_issue(enrolment=enrolment)
    certificate.refresh_from_db()
    name = certificate.pdf.name
    private = storages["certificates"]
    assert name and private.exists(name) and not default_storage.exists(name)
    with private.open(name, "rb") as handle:
        assert handle.read(4) == b"%PDF"
    private.delete(name)
    from learners.tasks import certificate_pdf_render_task

    certificate_pdf_render_task.delay(certificate.pk)
    certificate.refresh_from_db()
    assert private.exists(certificate.pdf.name)


# --- Certificates outlive the course page ---------------------------------------------------


@pytest.mark.django_db
def test_editing_moving_or_unpublishing_the_course_changes_nothing(enrolment, client):
    from courses.models import CatalogPage
    from tests.factories import catalog_page

    certificate = svc.certificate_issue(enrolment=enrolment)
    course = enrolment.course.specific
    course.title = "Nytt navn"
    course.save_revision().publish()
    other_catalog = (
        catalog_page().get_parent().add_child(instance=CatalogPage(title="Arkiv", slug="arkiv"))
    )
    course.move(other_catalog, pos="last-child")
    course.refresh_from_db()
    course.unpublish()
    certificate.refresh_from_db()
    assert certificate.title == "Tjenestedesign i praksis"
    response = client.get(f"/certificates/{certificate.code}/")
    assert response.status_code == 200
    assert "Tjenestedesign i praksis" in response.content.decode()
    assert svc.certificate_pdf_bytes(certificate=certificate).startswith(b"%PDF")
    assert svc.certificate_verify_credential(credential=certificate.credential).valid
    assert timezone.now() - certificate.issued_at < timedelta(minutes=5)


@pytest.mark.django_db
def test_the_signing_key_file_is_generated_once_and_reused(settings, tmp_path):
    settings.ENDRA_SIGNING_KEY = ""
    settings.ENDRA_SIGNING_KEY_FILE = tmp_path / "keys" / "dev-signing-key"
    first = credentials.signing_key()
    assert settings.ENDRA_SIGNING_KEY_FILE.exists()
    assert (tmp_path / "keys" / ".gitignore").read_text() == "*\n"
    assert (settings.ENDRA_SIGNING_KEY_FILE.stat().st_mode & 0o777) == 0o600
    credentials._key_cache.clear()
    again = credentials.signing_key()
    assert ob.public_key_multibase(first.public_key()) == ob.public_key_multibase(
        again.public_key()
    )


def test_without_a_key_and_without_autogeneration_the_platform_refuses(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    settings.ENDRA_SIGNING_KEY = ""
    settings.ENDRA_SIGNING_KEY_AUTOGENERATE = False
    settings.ENDRA_SIGNING_KEY_FILE = tmp_path / "nokey"
    with pytest.raises(ImproperlyConfigured, match="ENDRA_SIGNING_KEY"):
        credentials.signing_key()


def test_create_signing_key_prints_a_usable_key(capsys, tmp_path):
    from django.core.management import call_command

    call_command("create_signing_key")
    line = capsys.readouterr().out.strip()
    assert line.startswith("ENDRA_SIGNING_KEY=z")
    ob.private_key_from_multibase(line.split("=", 1)[1])
    target = tmp_path / "k"
    call_command("create_signing_key", output=str(target))
    ob.private_key_from_multibase(target.read_text().strip())
    assert (target.stat().st_mode & 0o777) == 0o600
