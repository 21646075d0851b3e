"""An editor drafts a new module in Wagtail, a reviewer approves it in «Faglig godkjenning»,
and a learner finds it on the course page. Wagtail's own admin pages are not checked with
axe (they are Wagtail's); the public course page is."""

import re

import pytest
from playwright.sync_api import expect

from courses.models import CoursePage, ModulePage
from tests.e2e.conftest import DEMO_PASSWORD, login, login_with_totp, totp_enable

pytestmark = pytest.mark.e2e

EDITOR, REVIEWER, LEARNER = (
    "redaktor@endra.example",
    "fagansvarlig@endra.example",
    "leder@bergen.example",
)
COURSE = "Lean i kommunale tjenester"
TITLE = "Gevinster du kan se i egen enhet"
PARAGRAPH = "Skriv ned én gevinst enheten din har sett etter forrige forbedring."


def log_out(page) -> None:
    page.context.clear_cookies()


def test_editor_drafts_module_reviewer_approves_learner_sees_it(page, visit, screenshot, site):
    course = CoursePage.objects.get(title=COURSE)
    editor_secret, reviewer_secret = totp_enable(EDITOR), totp_enable(REVIEWER)

    login_with_totp(page, EDITOR, DEMO_PASSWORD, editor_secret)
    page.goto(f"/admin/pages/add/courses/modulepage/{course.pk}/")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_intro").fill("En kort modul om gevinster i hverdagen.")
    body = page.locator("[data-contentpath='body']")
    body.get_by_role("button", name=re.compile("Sett inn|Insert")).first.click()
    page.get_by_role("option", name="Tekst").click()
    editor = body.locator("[contenteditable='true']").first
    editor.click()
    page.keyboard.type(PARAGRAPH)
    screenshot("editor-draft")

    page.locator("footer").get_by_role("button", name=re.compile("Flere|More")).click()
    page.get_by_role("button", name=re.compile("Faglig godkjenning")).click()
    expect(page.locator(".messages")).to_contain_text("sendt til godkjenning")
    screenshot("editor-submitted")
    module = ModulePage.objects.get(title=TITLE)
    assert not module.live
    assert module.current_workflow_state.status == "in_progress"

    log_out(page)
    login_with_totp(page, REVIEWER, DEMO_PASSWORD, reviewer_secret)
    page.goto(f"/admin/pages/{module.pk}/edit/")
    screenshot("reviewer-edit")
    page.locator("footer").get_by_role("button", name=re.compile("Flere|More")).click()
    page.get_by_role("button", name="Godkjenn og Publiser").click()
    expect(page.locator(".messages")).to_contain_text("er oppdatert")
    screenshot("reviewer-approved")
    module.refresh_from_db()
    assert module.live

    log_out(page)
    login(page, LEARNER, DEMO_PASSWORD)
    page.goto(course.url)
    expect(page.get_by_role("main").get_by_role("link", name=TITLE)).to_be_visible()
    visit("learner-course")
    page.get_by_role("main").get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text(PARAGRAPH)).to_be_visible()
    visit("learner-module")
