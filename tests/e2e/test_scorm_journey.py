"""SCORM in a real browser: an editor uploads a SCORM 1.2 and a SCORM 2004 package through the
Wagtail admin, a learner plays both, closes the tab halfway through one and resumes it, and
finishes them: the modules are done and the scores stored. The package runs in its sandbox
and cannot read Endra's cookies."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from courses.models import CoursePage, ModulePage, ScormPackage
from learners.models import Enrolment, ModuleProgress, ScormAttempt
from learners.services.learning import enrolment_create
from tests import scorm_packages as packages
from tests.e2e.conftest import AXE, DEMO_PASSWORD, check_a11y, login, login_with_totp, totp_enable
from tests.e2e.inflight import wait_until_idle

pytestmark = pytest.mark.e2e

EDITOR, LEARNER = "redaktor@endra.example", "leder@bergen.example"
COURSE = "Lean i kommunale tjenester"


def wait_for(condition, what: str, timeout: float = 120.0):
    """Poll the database until `condition()` is true (no fixed sleep)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        wait_until_idle(5)
    raise AssertionError(f"timed out waiting for {what}")


def fill_title(page, title: str) -> None:
    """Type the title and leave the field, as an editor does: Wagtail fills the slug from the
    title when the field loses focus; wait for that before anything is submitted."""
    page.locator("#id_title").fill(title)
    page.locator("#id_title").blur()
    expect(page.locator("#id_slug")).not_to_have_value("")


def upload(page, course, title: str, zip_path, completion: str) -> ModulePage:
    page.goto(f"/admin/pages/add/courses/modulepage/{course.pk}/")
    fill_title(page, title)
    page.locator("#id_completion").select_option(completion)
    page.locator("#id_scorm_upload").set_input_files(str(zip_path))
    page.locator("footer").get_by_role("button", name=re.compile("Flere|More")).click()
    page.get_by_role("button", name=re.compile("^Publiser$|^Publish$")).click()
    expect(page.get_by_role("status").first).to_contain_text(title)
    module = ModulePage.objects.get(title=title)
    page.goto(f"/admin/pages/{module.pk}/edit/")
    return module


def axe_without_frames(page) -> None:
    """axe-core on the module page itself; the package inside the frame is the package's."""
    page.evaluate(f"() => {{ window.{AXE} && (window.{AXE}._frames = false); }}")
    check_a11y(page)


def test_editor_uploads_learner_plays_resumes_and_completes(page, screenshot, site, tmp_path):
    course = CoursePage.objects.get(title=COURSE)
    get_user_model().objects.filter(email=EDITOR).update(is_superuser=True)
    secret = totp_enable(EDITOR)
    zip12, zip2004 = tmp_path / "endring-12.zip", tmp_path / "tjeneste-2004.zip"
    zip12.write_bytes(packages.scorm12_zip(title="Endringsreisen", score=85))
    zip2004.write_bytes(packages.scorm2004_zip(title="Tjenestedesign", score=92))
    bomb = tmp_path / "bombe.zip"
    bomb.write_bytes(packages.traversal_zip())

    login_with_totp(page, EDITOR, DEMO_PASSWORD, secret)
    page.goto(f"/admin/pages/add/courses/modulepage/{course.pk}/")
    fill_title(page, "Farlig pakke")
    page.locator("#id_scorm_upload").set_input_files(str(bomb))
    page.locator("footer").get_by_role("button", name=re.compile("Flere|More")).click()
    page.get_by_role("button", name=re.compile("^Publiser$|^Publish$")).click()
    screenshot("editor-refused")
    expect(page.locator("main")).to_contain_text("går ut av pakken")
    # Nothing of the package is kept (Wagtail's autosave may keep the page as a draft).
    assert not ScormPackage.objects.exists()
    assert not ModulePage.objects.filter(scorm_package__isnull=False).exists()

    first = upload(page, course, "SCORM 1.2-modulen", zip12, "scorm")
    expect(page.get_by_text("«Endringsreisen», SCORM 1.2")).to_be_visible()
    expect(page.get_by_text("organisering ORG-12")).to_be_visible()
    screenshot("editor-package")
    second = upload(page, course, "SCORM 2004-modulen", zip2004, "scorm_pass")
    expect(page.get_by_text("«Tjenestedesign», SCORM 2004 4th Edition")).to_be_visible()

    page.context.clear_cookies()
    learner = get_user_model().objects.get(email=LEARNER)
    enrolment = enrolment_create(user=learner, course=course)
    login(page, LEARNER, DEMO_PASSWORD)

    # SCORM 1.2 in a tab of its own: a step, then the tab is closed.
    tab = page.context.new_page()
    tab.goto(first.url)
    package = tab.frame_locator("iframe.endra-scorm__frame")
    expect(package.locator("#from")).to_have_text("(start)")
    expect(package.locator("#cookies")).to_have_text("(stengt)")  # no access to Endra's cookies
    axe_without_frames(tab)
    package.get_by_role("button", name="Steg 1").click()
    expect(package.locator("#status")).to_have_text("Steg 1 lagret")
    wait_for(
        lambda: ScormAttempt.objects.filter(
            enrolment=enrolment, module=first, cmi__contains={"cmi.suspend_data": "step-1"}
        ).exists(),
        "the first commit",
    )
    tab.close()

    # Reopened: the package resumes where it was, then finishes.
    page.goto(first.url)
    package = page.frame_locator("iframe.endra-scorm__frame")
    expect(package.locator("#from")).to_have_text("step-1")
    expect(page.locator("[data-scorm-status]")).to_contain_text("fortsetter der du slapp")
    screenshot("learner-scorm12-resumed")
    package.get_by_role("button", name="Fullfør med 85 poeng").click()
    expect(page.locator("[data-scorm-status]")).to_have_text(
        "Pakken er fullført, og modulen er ferdig."
    )
    attempt = ScormAttempt.objects.get(enrolment=enrolment, module=first)
    assert attempt.completion_status == "passed" and attempt.score_percent == 85
    assert attempt.location == "side-2"
    assert ModuleProgress.objects.filter(enrolment=enrolment, module=first).exists()
    page.reload()
    expect(page.get_by_text("Din poengsum: 85 %")).to_be_visible()
    screenshot("learner-scorm12-done")

    # SCORM 2004, completed and passed.
    page.goto(second.url)
    package = page.frame_locator("iframe.endra-scorm__frame")
    expect(package.locator("#from")).to_have_text("(start)")
    package.get_by_role("button", name="Fullfør med 92 poeng").click()
    expect(page.locator("[data-scorm-status]")).to_have_text(
        "Pakken er fullført, og modulen er ferdig."
    )
    attempt = ScormAttempt.objects.get(enrolment=enrolment, module=second)
    assert (attempt.completion_status, attempt.success_status) == ("completed", "passed")
    assert attempt.score_percent == 92
    assert attempt.cmi["cmi.interactions.0.result"] == "correct"
    assert ModuleProgress.objects.filter(enrolment=enrolment, module=second).exists()
    assert Enrolment.objects.get(pk=enrolment.pk).progress.count() >= 2
    page.reload()
    expect(page.get_by_text("Din poengsum: 92 %")).to_be_visible()
    screenshot("learner-scorm2004-done")
