"""SCORM packages: check an uploaded zip and read its imsmanifest.xml (no database, no storage).

`package_unpack(file)` refuses anything that is not a sound SCORM 1.2 or 2004 package, with a
Norwegian message for the editor: not a zip, too large, too many files or too large unpacked
(zip bombs), a path that leaves the package (`../`) or is absolute, a symbolic link, no or a
broken manifest, a start file that is missing. The zip is unpacked into a temporary directory
first and checked there; the caller stores the directory only when everything is right, and
the directory is removed whatever happens (`UnpackedPackage.cleanup()`, or a `with` block).
"""

from __future__ import annotations

import posixpath
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.utils.translation import gettext as _

MANIFEST = "imsmanifest.xml"
CHUNK = 64 * 1024
VERSION_12 = "1.2"
VERSION_2004_3 = "2004 3rd Edition"
VERSION_2004_4 = "2004 4th Edition"
VERSION_2004 = "2004"  # a 2004 manifest that does not say which edition
VERSIONS_2004 = {VERSION_2004, VERSION_2004_3, VERSION_2004_4}


class ScormPackageError(Exception):
    """Why a package was refused, in words for the editor."""


@dataclass
class Manifest:
    version: str  # one of VERSION_*
    identifier: str
    title: str  # the organisation's title
    organisation: str  # the organisation's identifier
    item_title: str  # the title of the item that is launched
    launch: str  # the start file, relative to the package root, with any parameters
    mastery_score: float | None = None  # SCORM 1.2 adlcp:masteryscore, 0-100


@dataclass
class UnpackedPackage:
    root: Path
    manifest: Manifest
    files: list[str] = field(default_factory=list)  # relative paths, "/"-separated
    size: int = 0  # unpacked bytes

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> UnpackedPackage:
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()


def limits() -> dict[str, int]:
    return {
        "upload": settings.SCORM_MAX_UPLOAD_BYTES,
        "unpacked": settings.SCORM_MAX_UNPACKED_BYTES,
        "files": settings.SCORM_MAX_FILES,
    }


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def safe_member_path(name: str) -> str:
    """The member's path inside the package, or ScormPackageError when it would leave it."""
    if "\x00" in name:
        raise ScormPackageError(_("The package contains a file name that is not allowed."))
    path = name.replace("\\", "/")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        raise ScormPackageError(
            _("The package contains an absolute path: «%(path)s».") % {"path": name}
        )
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise ScormPackageError(
            _("The package contains a path that leaves the package: «%(path)s».") % {"path": name}
        )
    return "/".join(parts)


def package_unpack(upload) -> UnpackedPackage:
    """Check the uploaded zip (a file object), unpack it into a new temporary directory and
    read its manifest. Raises ScormPackageError; nothing is left behind when it does."""
    bounds = limits()
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > bounds["upload"]:
        raise ScormPackageError(
            _("The file is larger than the upload limit of %(limit)s MB.")
            % {"limit": _mb(bounds["upload"])}
        )
    upload.seek(0)
    if not zipfile.is_zipfile(upload):
        raise ScormPackageError(_("The file is not a zip file. Upload the SCORM package as .zip."))
    upload.seek(0)
    root = Path(tempfile.mkdtemp(prefix="endra-scorm-"))
    try:
        try:
            with zipfile.ZipFile(upload) as archive:
                files, total = _extract(archive, root, bounds)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError):
            raise ScormPackageError(
                _("The zip file is damaged or uses a format Endra cannot read.")
            ) from None
        manifest = manifest_read(root)
        launch_file = manifest.launch.split("?", 1)[0].split("#", 1)[0]
        if launch_file not in files:
            raise ScormPackageError(
                _("The start file «%(path)s» named in the manifest is not in the package.")
                % {"path": launch_file}
            )
        return UnpackedPackage(root=root, manifest=manifest, files=sorted(files), size=total)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _extract(archive: zipfile.ZipFile, root: Path, bounds: dict[str, int]) -> tuple[set, int]:
    members = archive.infolist()
    entries = [member for member in members if not member.is_dir()]
    if len(entries) > bounds["files"]:
        raise ScormPackageError(
            _("The package has more than %(limit)s files.") % {"limit": bounds["files"]}
        )
    declared = 0
    paths: dict[str, zipfile.ZipInfo] = {}
    for member in members:
        path = safe_member_path(member.filename)
        mode = member.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ScormPackageError(
                _("The package contains a symbolic link: «%(path)s». Links are not allowed.")
                % {"path": member.filename}
            )
        if member.flag_bits & 0x1:
            raise ScormPackageError(_("The package is encrypted. Upload it without a password."))
        if member.is_dir() or not path:
            continue
        declared += member.file_size
        paths[path] = member
    if declared > bounds["unpacked"]:
        raise ScormPackageError(_unpacked_too_large(bounds))
    written = 0
    for path, member in paths.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        # The bytes written are counted too: a header may lie about the size.
        with archive.open(member) as source, open(target, "wb") as out:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > bounds["unpacked"]:
                    raise ScormPackageError(_unpacked_too_large(bounds))
                out.write(chunk)
    return set(paths), written


def _unpacked_too_large(bounds: dict[str, int]) -> str:
    return _("Unpacked, the package would be larger than %(limit)s MB.") % {
        "limit": _mb(bounds["unpacked"])
    }


# --- imsmanifest.xml --------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: Element, name: str) -> Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _attr(element: Element, name: str) -> str:
    """An attribute by local name, whatever its namespace (xml:base, adlcp:scormtype ...)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value.strip()
    return ""


def _broken(detail: str) -> ScormPackageError:
    return ScormPackageError(
        _("The package's imsmanifest.xml cannot be used: %(detail)s") % {"detail": detail}
    )


def manifest_read(root: Path) -> Manifest:
    path = root / MANIFEST
    if not path.is_file():
        raise ScormPackageError(
            _("The package has no imsmanifest.xml at its top level, so it is not a SCORM package.")
        )
    try:
        tree = ElementTree.parse(path, forbid_dtd=True)
    except DefusedXmlException:
        raise _broken(_("it contains a DTD or entities, which are not allowed.")) from None
    except ElementTree.ParseError as error:
        raise _broken(_("it is not well-formed XML (%(error)s).") % {"error": error}) from None
    return manifest_parse(tree.getroot())


def _version(manifest: Element) -> str:
    metadata = _child(manifest, "metadata")
    schema = _text(_child(metadata, "schemaversion")) if metadata is not None else ""
    namespaces = {key.split("}")[0].lstrip("{") for key in _all_tags(manifest)}
    if schema == VERSION_12 or any("adlcp_rootv1p2" in ns for ns in namespaces):
        return VERSION_12
    if "3rd" in schema:
        return VERSION_2004_3
    if "4th" in schema:
        return VERSION_2004_4
    if schema.startswith("2004") or schema == "CAM 1.3" or any("v1p3" in ns for ns in namespaces):
        return VERSION_2004
    raise _broken(_("it is neither SCORM 1.2 nor SCORM 2004."))


def _all_tags(element: Element) -> list[str]:
    tags = []
    for node in element.iter():
        tags.append(node.tag)
        tags.extend(node.attrib)
    return [tag for tag in tags if tag.startswith("{")]


def _launchable(item: Element, resources: dict[str, Element]) -> Element | None:
    """The first item, depth first, whose resource has a start file."""
    ref = _attr(item, "identifierref")
    if ref and ref in resources and _attr(resources[ref], "href"):
        return item
    for child in _children(item, "item"):
        found = _launchable(child, resources)
        if found is not None:
            return found
    return None


def manifest_parse(manifest: Element) -> Manifest:
    if _local(manifest.tag) != "manifest":
        raise _broken(_("its root element is not <manifest>."))
    version = _version(manifest)
    organizations = _child(manifest, "organizations")
    resources_el = _child(manifest, "resources")
    if organizations is None or resources_el is None:
        raise _broken(_("it has no <organizations> or no <resources>."))
    resources = {_attr(res, "identifier"): res for res in _children(resources_el, "resource")}
    candidates = _children(organizations, "organization")
    default = _attr(organizations, "default")
    candidates.sort(key=lambda org: _attr(org, "identifier") != default)
    for organisation in candidates:
        item = next(
            (
                found
                for top in _children(organisation, "item")
                if (found := _launchable(top, resources)) is not None
            ),
            None,
        )
        if item is None:
            continue
        resource = resources[_attr(item, "identifierref")]
        base = posixpath.join(
            _attr(manifest, "base"), _attr(resources_el, "base"), _attr(resource, "base")
        )
        href = posixpath.join(base, _attr(resource, "href"))
        file_part, _sep, query = href.partition("?")
        launch = safe_member_path(file_part)
        parameters = _attr(item, "parameters").lstrip("?&")
        if parameters:
            query = f"{query}&{parameters}" if query else parameters
        mastery = _text(_child(item, "masteryscore"))
        try:
            mastery_score = float(mastery) if mastery else None
        except ValueError:
            mastery_score = None
        return Manifest(
            version=version,
            identifier=_attr(manifest, "identifier")[:200],
            title=(_text(_child(organisation, "title")) or _text(_child(item, "title")))[:250],
            organisation=_attr(organisation, "identifier")[:200],
            item_title=_text(_child(item, "title"))[:250],
            launch=(f"{launch}?{query}" if query else launch)[:1000],
            mastery_score=mastery_score,
        )
    raise _broken(_("no item in an organisation points to a resource with a start file."))


# --- storage ----------------------------------------------------------------------------------


def package_store(unpacked: UnpackedPackage, *, prefix: str, storage=None) -> None:
    """Copy the checked files to the media storage under `prefix`. If one fails, the ones
    already stored are deleted again, so no half package is left in the storage."""
    storage = storage or storages["scorm"]
    stored: list[str] = []
    try:
        for path in unpacked.files:
            name = prefix + path
            with open(unpacked.root / path, "rb") as content:
                saved = storage.save(name, File(content))
            stored.append(saved)
            if saved != name:  # the storage renamed it: the package would not find it
                raise ScormPackageError(_("The package could not be stored. Please try again."))
    except BaseException:
        for name in stored:
            storage.delete(name)
        raise


def package_delete(*, prefix: str, files: list[str], storage=None) -> None:
    storage = storage or storages["scorm"]
    for path in files:
        storage.delete(prefix + path)
