"""The final quiz answered and submitted with the keyboard alone: Tab between controls, arrow
keys and Space in radio groups, Space on checkboxes, arrow keys in the ordering lists, Enter
to submit. Every control shows a visible focus ring when it gets focus."""

import re

import pytest
from playwright.sync_api import expect

from courses.models import CoursePage
from learners.services.learning import enrolment_create
from tests.e2e.conftest import (
    DEMO_PASSWORD,
    focus_ring,
    intended_answers,
    login,
    member_create,
    open_attempt,
)

pytestmark = pytest.mark.e2e

EMAIL = "tastatur.quiz@bergen.example"
COURSE = "Lean i kommunale tjenester"


def active(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {id: el.id, tag: el.tagName.toLowerCase(), type: el.type || '',
                    name: el.name || '', text: (el.textContent || '').trim()};
        }"""
    )


def tab_to(page, matches, what: str, limit: int = 80) -> dict:
    """Press Tab until `matches(active element)`; every stop on the way must show focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = active(page)
        if element["tag"] == "body":  # focus is between the page and the browser's own UI
            continue
        assert focus_ring(page), f"No visible focus on {element} (on the way to {what})"
        if matches(element):
            return element
    raise AssertionError(f"Tab never reached {what}")


def control_ids(page, number: int, texts: list[str]) -> list[str]:
    """The ids of the inputs or selects in question `number` labelled with `texts`."""
    return page.evaluate(
        """([number, texts]) => texts.map(text => {
            const labels = [...document.querySelectorAll(`#question-${number} label`)];
            const label = labels.find(l => l.textContent.trim() === text);
            return label.htmlFor;
        })""",
        [number, texts],
    )


def test_final_quiz_can_be_answered_and_submitted_with_the_keyboard_alone(
    page, visit, screenshot, site
):
    user = member_create(EMAIL, first_name="Tor", last_name="Tastesen")
    course = CoursePage.objects.get(title=COURSE)
    enrolment_create(user=user, course=course)
    login(page, EMAIL, DEMO_PASSWORD)
    page.goto(f"/laering/quiz/{course.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(COURSE)
    visit("quiz")
    attempt = open_attempt(EMAIL, course.pk)
    kinds = set()

    for number, question, texts in intended_answers(attempt, right=True):
        kinds.add(question["kind"])
        ids = control_ids(page, number, texts)
        if question["kind"] in {"single", "true_false"}:
            # Tab lands on the group; arrow keys move the choice, Space picks the first one.
            group = page.locator(f"#{ids[0]}").get_attribute("name")
            radios = page.evaluate(
                "name => [...document.getElementsByName(name)].map(r => r.id)", group
            )
            tab_to(page, lambda el, g=group: el["name"] == g, f"question {number}")
            assert active(page)["id"] == radios[0]
            target = radios.index(ids[0])
            if target == 0:
                page.keyboard.press("Space")
            for _ in range(target):
                page.keyboard.press("ArrowDown")
                assert focus_ring(page), f"No visible focus in question {number}"
            expect(page.locator(f"#{ids[0]}")).to_be_checked()
        elif question["kind"] == "multiple":
            for control in ids:
                tab_to(page, lambda el, c=control: el["id"] == c, f"question {number}")
                page.keyboard.press("Space")
                expect(page.locator(f"#{control}")).to_be_checked()
        else:  # ordering: each statement's place is a <select>, 1 first
            for place, control in enumerate(ids, start=1):
                tab_to(page, lambda el, c=control: el["id"] == c, f"question {number}")
                current = page.locator(f"#{control}").evaluate("s => s.selectedIndex")
                for _ in range(place - current):
                    page.keyboard.press("ArrowDown")
                expect(page.locator(f"#{control}")).to_have_value(str(place))

    assert kinds == {"single", "multiple", "true_false", "ordering"}, kinds
    screenshot("quiz-answered-by-keyboard")
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Send inn svarene", "submit")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/laering/forsok/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Bestått!")
    visit("result")
