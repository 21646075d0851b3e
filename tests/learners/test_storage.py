"""Certificate PDFs live in private storage outside MEDIA_ROOT, under names that reveal
nothing, and are handed out only by the permission-checked download view."""

import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages

from learners import openbadges as ob
from learners.models import Certificate
from learners.services import certificates as svc
from tests.factories import CoursePageFactory, EnrolmentFactory

MIGRATION = "learners.migrations.0012_certificate_pdfs_in_private_storage"


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    settings.ENDRA_SIGNING_KEY = ob.private_key_to_multibase(ob.generate_private_key())
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WAGTAILADMIN_BASE_URL = "https://endra.example.no"


@pytest.fixture
def certificate(learner, bergen, django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory(user=learner, municipality=bergen, course=CoursePageFactory())
    with django_capture_on_commit_callbacks(execute=True):
        issued = svc.certificate_issue(enrolment=enrolment)
    issued.refresh_from_db()
    return issued


def test_the_private_root_is_outside_media_and_has_no_urls(settings):
    private = settings.PRIVATE_MEDIA_ROOT.resolve()
    assert not private.is_relative_to(settings.MEDIA_ROOT.resolve())
    with pytest.raises(ValueError):
        storages["certificates"].url("certificates/x.pdf")


@pytest.mark.django_db
def test_the_pdf_is_private_under_a_name_that_tells_nothing(client, certificate, settings):
    name = certificate.pdf.name
    assert name and certificate.code not in name and "kursbevis" not in name
    assert (settings.PRIVATE_MEDIA_ROOT / name).read_bytes().startswith(b"%PDF")
    assert not list(settings.MEDIA_ROOT.rglob("*.pdf"))
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/media/certificates/kursbevis-{certificate.code}.pdf").status_code == 404
    client.force_login(certificate.user)
    response = client.get(f"/certificates/{certificate.code}/pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_the_migration_moves_public_pdfs_into_private_storage(certificate, settings):
    # As before: a public file under a name that gives the code away.
    old = f"certificates/kursbevis-{certificate.code}.pdf"
    storages["certificates"].delete(certificate.pdf.name)
    default_storage.save(old, ContentFile(b"%PDF-1.7 gammel"))
    Certificate.objects.filter(pk=certificate.pk).update(pdf=old)
    lost = svc.certificate_issue(
        enrolment=EnrolmentFactory(
            user=certificate.user, municipality=certificate.municipality,
            course=CoursePageFactory(),
        )
    )  # fmt: skip
    Certificate.objects.filter(pk=lost.pk).update(pdf=f"certificates/kursbevis-{lost.code}.pdf")

    importlib.import_module(MIGRATION).move_pdfs_to_private_storage(apps, None)

    certificate.refresh_from_db()
    lost.refresh_from_db()
    assert not default_storage.exists(old)
    assert certificate.pdf.name == svc.certificate_pdf_name(certificate.code)
    assert (settings.PRIVATE_MEDIA_ROOT / certificate.pdf.name).read_bytes() == b"%PDF-1.7 gammel"
    assert lost.pdf.name == ""  # its file was gone: rendered again on the next download
