"""A manager in Bergen takes a course from enrolment to a verified certificate."""

import re

import pytest
from playwright.sync_api import expect

from courses.models import CoursePage
from learners.models import Certificate, Enrolment, QuizAttempt
from tests.e2e.conftest import DEMO_PASSWORD, login, member_create, open_attempt, quiz_answer

pytestmark = pytest.mark.e2e

EMAIL = "nora.nyleder@bergen.example"
COURSE = "Lean i kommunale tjenester"


def take_quiz(page, visit, step: str, quiz_page_id: int, *, right: bool) -> None:
    """On a quiz page: answer everything right (or wrong), submit, land on the review."""
    expect(page).to_have_url(re.compile(rf"/laering/quiz/{quiz_page_id}/$"))
    attempt = open_attempt(EMAIL, quiz_page_id)
    quiz_answer(page, attempt, right=right)
    visit(f"{step}-answered")
    page.get_by_role("button", name="Send inn svarene").click()
    expect(page).to_have_url(re.compile(r"/laering/forsok/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text(
        "Bestått!" if right else "Ikke bestått denne gangen."
    )
    visit(f"{step}-result")


def test_learner_enrols_completes_fails_then_passes_and_gets_a_verified_certificate(
    page, visit, site
):
    member_create(EMAIL)
    course = CoursePage.objects.get(title=COURSE)
    modules = course.modules

    login(page, EMAIL, DEMO_PASSWORD)
    page.goto("/kurs/")
    visit("catalogue")
    page.get_by_role("main").get_by_role("link", name=COURSE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COURSE)
    visit("course")

    page.get_by_role("button", name="Meld deg på kurset").first.click()
    expect(page).to_have_url(re.compile(re.escape(modules[0].url) + "$"))

    for number, module in enumerate(modules, start=1):
        expect(page.get_by_role("heading", level=1)).to_have_text(module.title)
        visit(f"module-{number}")
        if module.completion == "quiz":
            page.get_by_role("link", name="Ta quizen").click()
            visit(f"module-{number}-quiz")
            take_quiz(page, visit, f"module-{number}-quiz", module.pk, right=True)
            page.get_by_role("link", name=f"Tilbake til modulen «{module.title}»").click()
            expect(page.get_by_text("Denne modulen er fullført.")).to_be_visible()
            if number < len(modules):
                page.get_by_role("link", name=re.compile("^Neste")).click()
        else:
            page.get_by_role("button", name="Merk som fullført").click()
    # The last "mark as done" leads back to the course: every module done, the final quiz left.
    expect(page).to_have_url(re.compile(re.escape(course.url) + "$"))
    visit("course-modules-done")
    enrolment = Enrolment.objects.get(user__email=EMAIL, course=course)
    assert enrolment.progress.count() == len(modules)
    assert enrolment.completed_at is None

    page.get_by_role("link", name="Gå til den avsluttende quizen").click()
    visit("final-quiz")
    take_quiz(page, visit, "final-quiz-first", course.pk, right=False)
    # Attempts are left: what was wrong and the feedback, not the right answers or the
    # explanations that give them away, and the page says when they come.
    expect(page.get_by_text("✗ Ikke riktig").first).to_be_visible()
    expect(page.get_by_text("Riktig svar:")).to_have_count(0)
    expect(
        page.get_by_text(re.compile("De riktige svarene vises når du har bestått"))
    ).to_be_visible()
    failed = QuizAttempt.objects.get(enrolment=enrolment, quiz_page_id=course.pk, number=1)
    assert failed.passed is False
    for question in failed.snapshot:
        if question["explanation"]:
            expect(page.get_by_text(question["explanation"], exact=True)).to_have_count(0)

    page.get_by_role("link", name="Prøv igjen").click()
    visit("final-quiz-again")
    take_quiz(page, visit, "final-quiz-second", course.pk, right=True)

    page.get_by_role("link", name="Min læring").first.click()
    expect(page).to_have_url(re.compile(r"/min-laering/$"))
    completed = page.locator("section", has=page.get_by_role("heading", name="Fullført"))
    expect(completed.get_by_role("link", name=COURSE)).to_be_visible()
    visit("my-learning")
    certificate = Certificate.objects.get(user__email=EMAIL)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^Last ned PDF")).click()
    download = download_info.value
    assert download.suggested_filename == f"kursbevis-{certificate.code}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.get_by_role("link", name=re.compile("^Verifiseringsside")).click()
    expect(page).to_have_url(re.compile(rf"/certificates/{certificate.code}/$"))
    expect(page.locator("[data-certificate-status]")).to_have_attribute(
        "data-certificate-status", "valid"
    )
    expect(page.get_by_role("heading", name="Gyldig")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Nora Nyleder")
    expect(page.get_by_role("main")).to_contain_text(COURSE)
    visit("certificate-verification")
