"""SCORM package checks: sound packages are read, hostile and broken ones refused with a
Norwegian message, and nothing is left behind in the temporary directory or the storage."""

import io
import tempfile
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from courses import scorm
from courses.views import inject_bootstrap
from tests import scorm_packages as packages


def _unpack(data: bytes):
    return scorm.package_unpack(io.BytesIO(data))


def _leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("endra-scorm-*")}


@pytest.fixture(autouse=True)
def norwegian():
    with translation.override("nb"):
        yield


def test_scorm12_package_is_read():
    with _unpack(packages.scorm12_zip(title="Endringsreisen")) as unpacked:
        manifest = unpacked.manifest
        assert manifest.version == scorm.VERSION_12
        assert manifest.title == "Endringsreisen"
        assert manifest.organisation == "ORG-12"
        assert manifest.item_title == "Endringsreisen, del 1"
        assert manifest.launch == "content/index.html"
        assert manifest.mastery_score == 70
        assert unpacked.files == ["content/index.html", "content/player.js", "imsmanifest.xml"]
        assert (unpacked.root / "content/index.html").read_text().startswith("<!doctype html>")
    assert not unpacked.root.exists()


def test_scorm2004_package_is_read():
    with _unpack(packages.scorm2004_zip()) as unpacked:
        assert unpacked.manifest.version == scorm.VERSION_2004_4
        assert unpacked.manifest.organisation == "ORG-2004"
        assert unpacked.manifest.title == "Tjenestedesign 2004"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK not really a zip", "ikke en zip-fil"),
        (packages.traversal_zip(), "sti som går ut av pakken"),
        (packages.absolute_zip(), "absolutt sti"),
        (packages.symlink_zip(), "symbolsk lenke"),
        (packages.no_manifest_zip(), "ingen imsmanifest.xml"),
        (packages.broken_manifest_zip(), "ikke gyldig XML"),
        (packages.entity_manifest_zip(), "DTD"),
        (packages.missing_launch_zip(), "«content/index.html»"),
    ],
    ids=["not-zip", "traversal", "absolute", "symlink", "no-manifest", "broken", "dtd", "launch"],
)
def test_hostile_and_broken_packages_are_refused(data, message):
    before = _leftovers()
    with pytest.raises(scorm.ScormPackageError) as refused:
        _unpack(data)
    assert message in str(refused.value)
    assert _leftovers() == before  # nothing half-unpacked left behind


def test_zip_bomb_is_refused_by_its_unpacked_size(settings):
    settings.SCORM_MAX_UNPACKED_BYTES = 8 * 1024 * 1024
    data = packages.bomb_zip(64 * 1024 * 1024)
    assert len(data) < 200_000  # 64 MB of zeros in a small zip
    before = _leftovers()
    with pytest.raises(scorm.ScormPackageError) as refused:
        _unpack(data)
    assert "større enn 8 MB" in str(refused.value)
    assert _leftovers() == before


def test_too_many_files_and_too_large_uploads_are_refused(settings):
    settings.SCORM_MAX_FILES = 10
    with pytest.raises(scorm.ScormPackageError) as refused:
        _unpack(packages.many_files_zip(20))
    assert "flere enn 10 filer" in str(refused.value)
    settings.SCORM_MAX_UPLOAD_BYTES = 1000
    upload = SimpleUploadedFile("pakke.zip", packages.scorm12_zip())
    with pytest.raises(scorm.ScormPackageError) as refused:
        scorm.package_unpack(upload)
    assert "opplastingsgrensen" in str(refused.value)


def test_a_failed_store_leaves_no_half_package(private_media):
    storage = storages["scorm"]

    class FailingOnSecond:
        calls = 0

        def save(self, name, content):
            self.calls += 1
            if self.calls == 2:
                raise OSError("disk full")
            return storage.save(name, content)

        def delete(self, name):
            storage.delete(name)

    with _unpack(packages.scorm12_zip()) as unpacked, pytest.raises(OSError):
        scorm.package_store(unpacked, prefix="scorm/half/", storage=FailingOnSecond())
    assert not storage.exists("scorm/half/content/index.html")
    assert not storage.exists("scorm/half/content/player.js")


def test_bootstrap_goes_first_in_head():
    html = b'<!DOCTYPE html><html><HEAD lang="nb"><script src="x.js"></script></HEAD></html>'
    injected = inject_bootstrap(html)
    assert injected.index(b"cross-frame-api.min.js") < injected.index(b"x.js")
    assert injected.startswith(b'<!DOCTYPE html><html><HEAD lang="nb"><script src=')
    assert inject_bootstrap(b"<!doctype html><p>hei").startswith(b"<!doctype html><script")


def test_same_origin_is_allowed_only_on_the_separate_scorm_origin(settings, rf):
    from courses.views import content_policy, on_content_origin

    settings.SCORM_CONTENT_ORIGIN = "https://scorm.example.no"
    on_endra = rf.get("/scorm/x/index.html", HTTP_HOST="endra.example.no")
    on_scorm = rf.get("/scorm/x/index.html", HTTP_HOST="scorm.example.no")
    settings.ALLOWED_HOSTS = ["endra.example.no", "scorm.example.no"]
    assert not on_content_origin(on_endra) and on_content_origin(on_scorm)
    assert "allow-same-origin" not in content_policy(separate_origin=False)
    assert "allow-same-origin" in content_policy(separate_origin=True)
