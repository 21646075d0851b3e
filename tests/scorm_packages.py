"""Small real SCORM packages for the tests: a SCORM 1.2 and a SCORM 2004 one, each an HTML page
whose JavaScript finds the LMS API the standard way (the window, its parents, the opener), reads
back its suspend data and location, and sets score, status and suspend data, and hostile zips
(traversal, absolute path, symlink, bomb, no manifest).

The page shows what it read at start ("Fortsetter fra: step-1") so a test sees a resume."""

import io
import stat
import zipfile

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="endra.test.scorm12" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="ORG-12">
    <organization identifier="ORG-12">
      <title>{title}</title>
      <item identifier="ITEM-1" identifierref="RES-1">
        <title>Endringsreisen, del 1</title>
        <adlcp:masteryscore>70</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-1" type="webcontent" adlcp:scormtype="sco" href="{launch}">
      <file href="{launch}"/>
    </resource>
  </resources>
</manifest>
"""

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="endra.test.scorm2004" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="ORG-2004">
    <organization identifier="ORG-2004">
      <title>{title}</title>
      <item identifier="ITEM-1" identifierref="RES-1"><title>Tjenestedesign i praksis</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-1" type="webcontent" adlcp:scormType="sco" href="{launch}">
      <file href="{launch}"/>
    </resource>
  </resources>
</manifest>
"""

# One page for both versions: `V` says which API and which element names to use.
PAGE = """<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>{title}</title>
<script src="player.js"></script>
</head><body>
<h1>{title}</h1>
<p id="resume">Fortsetter fra: <span id="from">(start)</span></p>
<p id="cookie">Informasjonskapsler: <span id="cookies">?</span></p>
<button id="step" type="button">Steg 1</button>
<button id="finish" type="button">Fullfør med {score} poeng</button>
<p id="status" role="status"></p>
<script>start("{version}", {score});</script>
</body></html>
"""

SCRIPT = r"""
function findAPI(win, name) {
  var tries = 0;
  while (win && tries < 10) {
    try { if (win[name]) { return win[name]; } } catch (e) { /* another origin */ }
    if (win.parent === win) { break; }
    win = win.parent; tries += 1;
  }
  return null;
}
function start(version, score) {
  var v12 = version === "1.2";
  var name = v12 ? "API" : "API_1484_11";
  var api = findAPI(window, name) || (window.opener && findAPI(window.opener, name));
  var call = function (m12, m2004) {
    var args = Array.prototype.slice.call(arguments, 2);
    return api[v12 ? m12 : m2004].apply(api, args);
  };
  var el = {
    suspend: "cmi.suspend_data",
    location: v12 ? "cmi.core.lesson_location" : "cmi.location",
    raw: v12 ? "cmi.core.score.raw" : "cmi.score.raw",
    max: v12 ? "cmi.core.score.max" : "cmi.score.max",
    min: v12 ? "cmi.core.score.min" : "cmi.score.min",
    exit: v12 ? "cmi.core.exit" : "cmi.exit",
    sessionTime: v12 ? "cmi.core.session_time" : "cmi.session_time"
  };
  var status = document.getElementById("status");
  if (!api) { status.textContent = "Fant ikke LMS-et"; return; }
  try { document.getElementById("cookies").textContent = document.cookie || "(ingen)"; }
  catch (e) { document.getElementById("cookies").textContent = "(stengt)"; }
  call("LMSInitialize", "Initialize", "");
  var was = call("LMSGetValue", "GetValue", el.suspend);
  if (was) { document.getElementById("from").textContent = was; }
  document.getElementById("step").addEventListener("click", function () {
    call("LMSSetValue", "SetValue", el.suspend, "step-1");
    call("LMSSetValue", "SetValue", el.location, "side-2");
    call("LMSSetValue", "SetValue", el.exit, "suspend");
    if (!v12) { call("LMSSetValue", "SetValue", "cmi.completion_status", "incomplete"); }
    else { call("LMSSetValue", "SetValue", "cmi.core.lesson_status", "incomplete"); }
    call("LMSSetValue", "SetValue", el.sessionTime, v12 ? "00:01:30" : "PT1M30S");
    call("LMSCommit", "Commit", "");
    status.textContent = "Steg 1 lagret";
  });
  document.getElementById("finish").addEventListener("click", function () {
    call("LMSSetValue", "SetValue", el.min, "0");
    call("LMSSetValue", "SetValue", el.max, "100");
    call("LMSSetValue", "SetValue", el.raw, String(score));
    call("LMSSetValue", "SetValue", el.suspend, "done");
    if (v12) {
      call("LMSSetValue", "SetValue", "cmi.core.lesson_status", score >= 70 ? "passed" : "failed");
    } else {
      api.SetValue("cmi.score.scaled", String(score / 100));
      api.SetValue("cmi.completion_status", "completed");
      api.SetValue("cmi.success_status", score >= 70 ? "passed" : "failed");
      api.SetValue("cmi.interactions.0.id", "q1");
      api.SetValue("cmi.interactions.0.type", "choice");
      api.SetValue("cmi.interactions.0.learner_response", "b");
      api.SetValue("cmi.interactions.0.result", "correct");
    }
    call("LMSSetValue", "SetValue", el.exit, v12 ? "" : "normal");
    call("LMSCommit", "Commit", "");
    call("LMSFinish", "Terminate", "");
    status.textContent = "Fullført";
  });
}
"""


def _zip(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def package_files(version: str = "1.2", *, title: str = "", score: int = 85) -> dict[str, str]:
    title = title or ("Endringsreisen (SCORM 1.2)" if version == "1.2" else "Tjenestedesign 2004")
    manifest = MANIFEST_12 if version == "1.2" else MANIFEST_2004
    return {
        "imsmanifest.xml": manifest.format(title=title, launch="content/index.html"),
        "content/index.html": PAGE.format(title=title, version=version, score=score),
        "content/player.js": SCRIPT,
    }


def scorm12_zip(**kwargs) -> bytes:
    return _zip(package_files("1.2", **kwargs))


def scorm2004_zip(**kwargs) -> bytes:
    return _zip(package_files("2004", **kwargs))


# --- hostile and broken packages ---------------------------------------------------------------


def with_extra(name: str, content: bytes | str = b"x") -> bytes:
    return _zip({**package_files(), name: content})


def traversal_zip() -> bytes:
    return with_extra("../../etc/evil.sh", "echo pwned")


def absolute_zip() -> bytes:
    return with_extra("/etc/evil.sh", "echo pwned")


def symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in package_files().items():
            archive.writestr(name, content)
        link = zipfile.ZipInfo("content/passwd")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


def bomb_zip(size: int) -> bytes:
    """A package with one file of `size` zero bytes: it compresses to almost nothing."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in package_files().items():
            archive.writestr(name, content)
        with archive.open("content/zeros.bin", "w", force_zip64=True) as out:
            chunk = bytes(1024 * 1024)
            for _ in range(size // len(chunk)):
                out.write(chunk)
    return buffer.getvalue()


def many_files_zip(count: int) -> bytes:
    files: dict[str, bytes | str] = dict(package_files())
    files.update({f"content/f{n}.txt": "x" for n in range(count)})
    return _zip(files)


def no_manifest_zip() -> bytes:
    files = package_files()
    del files["imsmanifest.xml"]
    return _zip(files)


def broken_manifest_zip() -> bytes:
    return _zip({**package_files(), "imsmanifest.xml": "<manifest><organizations>"})


def entity_manifest_zip() -> bytes:
    xml = '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa">]><manifest>&a;</manifest>'
    return _zip({**package_files(), "imsmanifest.xml": xml})


def missing_launch_zip() -> bytes:
    files = package_files()
    del files["content/index.html"]
    return _zip(files)
