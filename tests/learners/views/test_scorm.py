"""SCORM modules end to end without a browser: an editor uploads packages through the Wagtail
admin, the learner opens an attempt and commits runtime data, completion completes the module,
a new version leaves a started attempt alone, and nobody else can read or write the attempt."""

import json

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from ralph.models.xapi.base.statements import BaseXapiStatement
from wagtail.test.utils.form_data import nested_form_data, streamfield

from courses.models import ModulePage, ScormPackage
from learners.models import ModuleProgress, ScormAttempt, XapiStatement
from learners.services.learning import enrolment_create
from tests import scorm_packages as packages
from tests.factories import UserFactory, course_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(demo):
    user = UserFactory(is_staff=True, is_superuser=True)
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    return user


@pytest.fixture
def course(demo):
    return course_factory(title="Pakker i praksis", modules=1)


def module_form(title: str, zip_bytes: bytes | None, completion: str = "scorm", **extra) -> dict:
    data = nested_form_data(
        {
            "title": title,
            "slug": extra.pop("slug", "scorm-modul"),
            "intro": "En modul med en SCORM-pakke.",
            "estimated_minutes": 20,
            "task_minutes": 0,
            "required": "on",
            "completion": completion,
            "body": streamfield([]),
            "quiz": streamfield([]),
            "pass_mark": 80,
            "max_attempts": 3,
            "wait_minutes": 0,
            "show_answers": "pass_or_last",
            "action-publish": "publish",
            **extra,
        }
    )
    if zip_bytes is not None:
        data["scorm_upload"] = SimpleUploadedFile(
            "pakke.zip", zip_bytes, content_type="application/zip"
        )
    return data


def _errors(response) -> str:
    form = response.context and response.context.get("form")
    return repr(form.errors) if form is not None else str(response.status_code)


def upload_module(client, editor, course, zip_bytes, **kwargs):
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:add", args=["courses", "modulepage", course.pk])
    return client.post(url, module_form("SCORM-modulen", zip_bytes, **kwargs))


def test_editor_uploads_a_package_and_sees_its_title_and_organisation(client, editor, course):
    response = upload_module(client, editor, course, packages.scorm12_zip(title="Endringsreisen"))
    assert response.status_code == 302, _errors(response)
    module = ModulePage.objects.get(title="SCORM-modulen")
    package = module.scorm_package
    assert (package.title, package.organisation, package.version) == (
        "Endringsreisen",
        "ORG-12",
        "1.2",
    )
    assert package.launch == "content/index.html"
    assert storages["scorm"].exists(f"scorm/{package.key}/content/index.html")
    html = client.get(reverse("wagtailadmin_pages:edit", args=[module.pk])).content.decode()
    assert "«Endringsreisen»" in html and "ORG-12" in html


@pytest.mark.parametrize(
    ("zip_bytes", "message"),
    [
        (packages.traversal_zip(), "går ut av pakken"),
        (packages.bomb_zip(16 * 1024 * 1024), "større enn 4 MB"),
        (packages.no_manifest_zip(), "ingen imsmanifest.xml"),
    ],
    ids=["traversal", "bomb", "no-manifest"],
)
def test_hostile_packages_are_refused_in_the_admin(
    client, editor, course, settings, zip_bytes, message
):
    settings.SCORM_MAX_UNPACKED_BYTES = 4 * 1024 * 1024
    before = ScormPackage.objects.count()
    response = upload_module(client, editor, course, zip_bytes)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ScormPackage.objects.count() == before
    assert not ModulePage.objects.filter(title="SCORM-modulen").exists()


def test_a_scorm_completion_rule_needs_a_package(client, editor, course):
    response = upload_module(client, editor, course, None)
    assert response.status_code == 200
    assert "Last opp en SCORM-pakke" in response.content.decode()


@pytest.fixture
def scorm_module(client, editor, course):
    upload_module(client, editor, course, packages.scorm2004_zip(), completion="scorm_pass")
    client.logout()
    return ModulePage.objects.get(title="SCORM-modulen")


def _open(client, module, restart=False):
    url = reverse("learners:scorm_open", args=[module.pk])
    return client.post(url, {"restart": "1"} if restart else {})


def _commit(client, attempt_id, data):
    url = reverse("learners:scorm_data", args=[attempt_id])
    return client.post(url, json.dumps(data), content_type="application/json")


def test_learner_commits_resumes_and_completes(client, learner, scorm_module, course):
    enrolment = enrolment_create(user=learner, course=course)
    client.force_login(learner)
    opened = _open(client, scorm_module).json()
    assert opened["version"] == "2004"
    assert opened["launch"].endswith("/content/index.html")
    assert opened["data"]["cmi.entry"] == "ab-initio"
    step = {
        "cmi.suspend_data": "step-1",
        "cmi.location": "side-2",
        "cmi.completion_status": "incomplete",
        "cmi.session_time": "PT1M30S",
        "cmi.exit": "suspend",
    }
    assert _commit(client, opened["attempt"], step).json()["done"] is False
    again = _open(client, scorm_module).json()  # the tab closed and opened again: resume
    assert again["attempt"] == opened["attempt"]
    assert again["data"]["cmi.suspend_data"] == "step-1"
    assert again["data"]["cmi.location"] == "side-2"
    assert again["data"]["cmi.entry"] == "resume"
    assert "cmi.session_time" not in again["data"] and "cmi.exit" not in again["data"]
    final = {
        **step,
        "cmi.completion_status": "completed",
        "cmi.success_status": "passed",
        "cmi.score.raw": "85",
        "cmi.score.max": "100",
        "cmi.score.min": "0",
        "cmi.score.scaled": "0.85",
        "cmi.interactions.0.id": "q1",
        "cmi.interactions.0.result": "correct",
        "cmi.total_time": "PT3M",
    }
    result = _commit(client, opened["attempt"], final).json()
    assert result == {
        "result": "true",
        "errorCode": 0,
        "done": True,
        "completed": True,
        "score": 85,
    }
    attempt = ScormAttempt.objects.get(pk=opened["attempt"])
    assert (attempt.completion_status, attempt.success_status) == ("completed", "passed")
    assert attempt.score_percent == 85 and attempt.total_time == "PT3M"
    assert attempt.cmi["cmi.interactions.0.result"] == "correct"
    assert ModuleProgress.objects.filter(enrolment=enrolment, module=scorm_module).exists()
    page = client.get(scorm_module.url).content.decode()
    assert "Din poengsum: 85 %" in page


def test_pass_is_required_when_the_editor_asks(client, learner, scorm_module, course):
    enrolment_create(user=learner, course=course)
    client.force_login(learner)
    opened = _open(client, scorm_module).json()
    failed = {"cmi.completion_status": "completed", "cmi.success_status": "failed"}
    assert _commit(client, opened["attempt"], failed).json()["done"] is False
    assert not ModuleProgress.objects.filter(module=scorm_module).exists()


def test_a_new_version_leaves_a_started_attempt_alone(
    client, editor, learner, scorm_module, course
):
    enrolment_create(user=learner, course=course)
    client.force_login(learner)
    first = _open(client, scorm_module).json()
    _commit(client, first["attempt"], {"cmi.suspend_data": "halfway"})
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:edit", args=[scorm_module.pk])
    form = module_form(
        "SCORM-modulen", packages.scorm2004_zip(title="Versjon 2"), completion="scorm_pass"
    )
    assert client.post(url, form).status_code == 302
    scorm_module.refresh_from_db()
    assert scorm_module.scorm_package.title == "Versjon 2"
    client.force_login(learner)
    resumed = _open(client, scorm_module).json()
    assert resumed["attempt"] == first["attempt"] and resumed["newer_version"] is True
    old = ScormAttempt.objects.get(pk=first["attempt"]).package
    assert old.title == "Tjenestedesign 2004" and old.pk != scorm_module.scorm_package_id
    fresh = _open(client, scorm_module, restart=True).json()
    assert fresh["number"] == 2 and fresh["newer_version"] is False
    assert ScormAttempt.objects.get(pk=fresh["attempt"]).package.title == "Versjon 2"


def test_nobody_else_reads_or_writes_the_attempt(
    client, learner, other_learner, scorm_module, course
):
    enrolment_create(user=learner, course=course)
    client.force_login(learner)
    attempt_id = _open(client, scorm_module).json()["attempt"]
    enrolment_create(user=other_learner, course=course)  # another municipality's learner
    client.force_login(other_learner)
    url = reverse("learners:scorm_data", args=[attempt_id])
    assert client.get(url).status_code == 404
    assert _commit(client, attempt_id, {"cmi.suspend_data": "stolen"}).status_code == 404
    assert ScormAttempt.objects.get(pk=attempt_id).suspend_data == ""
    client.logout()
    assert client.get(url).status_code == 302  # to the login


def test_bad_commits_are_refused(client, learner, scorm_module, course):
    enrolment_create(user=learner, course=course)
    client.force_login(learner)
    attempt_id = _open(client, scorm_module).json()["attempt"]
    assert _commit(client, attempt_id, ["not", "an", "object"]).status_code == 400
    assert _commit(client, attempt_id, {"cmi.suspend_data": "x" * 70_000}).status_code == 400
    url = reverse("learners:scorm_data", args=[attempt_id])
    assert client.post(url, "{broken", content_type="application/json").status_code == 400


def test_commits_need_the_csrf_token(learner, scorm_module, course):
    from django.test import Client

    enrolment_create(user=learner, course=course)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    assert _open(strict, scorm_module).status_code == 403


def test_package_files_are_sandboxed(client, scorm_module):
    package = scorm_module.scorm_package
    response = client.get(reverse("scorm_file", args=[package.key, "content/index.html"]))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox allow-scripts") and "allow-same-origin" not in policy
    assert "frame-ancestors 'self'" in policy
    body = response.content.decode()
    assert body.index("cross-frame-api.min.js") < body.index("player.js")
    script = client.get(reverse("scorm_file", args=[package.key, "content/player.js"]))
    assert script["Content-Security-Policy"] == policy
    missing = reverse("scorm_file", args=[package.key, "content/nope.html"])
    assert client.get(missing).status_code == 404
    assert client.get(f"/scorm/{package.key}/content/../../imsmanifest.xml").status_code == 404


def test_scorm_completion_sends_an_xapi_statement(client, learner, scorm_module, course, bergen):
    from learners.models import LrsConnection

    LrsConnection.objects.create(
        municipality=bergen, endpoint="http://127.0.0.1:9/xapi", username="u", active=True
    )
    enrolment_create(user=learner, course=course)
    client.force_login(learner)
    attempt_id = _open(client, scorm_module).json()["attempt"]
    done = {
        "cmi.completion_status": "completed",
        "cmi.success_status": "passed",
        "cmi.score.scaled": "0.9",
        "cmi.score.raw": "90",
        "cmi.score.max": "100",
    }
    _commit(client, attempt_id, done)
    statements = [row.statement for row in XapiStatement.objects.filter(municipality=bergen)]
    scorm = [s for s in statements if s["result"].get("score")]
    assert scorm and scorm[0]["result"]["score"] == {"scaled": 0.9, "raw": 90.0, "max": 100.0}
    assert scorm[0]["result"]["success"] is True
    assert scorm[0]["object"]["id"].endswith(f"/xapi/module/{scorm_module.pk}")
    for statement in statements:
        BaseXapiStatement(**statement)  # Ralph's own xAPI model accepts it
