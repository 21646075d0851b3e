"""A new manager in Bergen signs up, confirms the e-mail address, logs in and finds the courses."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from learners.models import Membership

pytestmark = pytest.mark.e2e

PASSWORD = "Endring-i-praksis-42"


def visit(page, check_a11y, screenshot, step: str) -> None:
    check_a11y(page)
    screenshot(step)


def fill_signup_form(page, email: str) -> None:
    page.get_by_label("Fornavn").fill("Solveig")
    page.get_by_label("Etternavn").fill("Brekke")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_label("Passord (igjen)").fill(PASSWORD)


def test_new_manager_signs_up_confirms_email_logs_in_and_sees_catalogue(
    page, check_a11y, screenshot, login
):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Endra")
    visit(page, check_a11y, screenshot, "home")

    page.get_by_role("main").get_by_role("link", name="Opprett konto").click()
    expect(page).to_have_url(re.compile(r"/konto/signup/$"))
    visit(page, check_a11y, screenshot, "signup")

    fill_signup_form(page, "solveig.brekke@bergen.example")
    page.get_by_label("Søk etter kommune").fill("Bergen")
    expect(page.get_by_label("Kommune", exact=True)).to_have_value("4601")
    unit = page.get_by_label(re.compile(r"^Enhet"))
    expect(unit.locator("option", has_text="Hjemmetjenesten Årstad")).to_have_count(1)
    unit.select_option(label="– Hjemmetjenesten Årstad")
    visit(page, check_a11y, screenshot, "signup-filled")

    page.get_by_role("button", name="Registrer deg").click()
    expect(page).to_have_url(re.compile(r"/konto/confirm-email/$"))
    visit(page, check_a11y, screenshot, "check-your-email")

    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    message = mail.outbox[0]
    assert message.to == ["solveig.brekke@bergen.example"]
    link = re.search(r"https?://\S+/konto/confirm-email/\S+/", message.body)
    assert link, message.body
    page.goto(link.group(0))
    visit(page, check_a11y, screenshot, "confirm-email")
    page.get_by_role("main").get_by_role("button", name="Bekreft").click()
    expect(page).to_have_url(re.compile(r"/konto/login/$"))
    visit(page, check_a11y, screenshot, "login")

    login(page, "solveig.brekke@bergen.example", PASSWORD)
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    page.goto("/kurs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kurs")
    visit(page, check_a11y, screenshot, "catalogue")

    membership = Membership.objects.select_related("user", "municipality", "org_unit").get(
        user__email="solveig.brekke@bergen.example"
    )
    assert membership.user.get_full_name() == "Solveig Brekke"
    assert membership.municipality.name == "Bergen"
    assert membership.org_unit.name == "Hjemmetjenesten Årstad"


def focus_indicator(page) -> str:
    """The focused element's outline or box-shadow, whichever draws the focus ring."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
            if (outline) return 'outline ' + style.outlineWidth + ' ' + style.outlineColor;
            return style.boxShadow === 'none' ? '' : 'box-shadow ' + style.boxShadow;
        }"""
    )


def tab_to(page, accessible_name: str, limit: int = 40) -> None:
    """Press Tab until the element with this label has focus, checking each focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        name = page.evaluate(
            """() => {
                const el = document.activeElement;
                return (el.labels && el.labels[0] ? el.labels[0].textContent
                        : el.textContent || el.value || '').trim().replace(/\\s+/g, ' ');
            }"""
        )
        tag = page.evaluate("document.activeElement.tagName")
        assert focus_indicator(page), f"No visible focus indicator on <{tag}> {name!r}"
        if name == accessible_name:
            return
    raise AssertionError(f"Tab never reached {accessible_name!r}")


def test_signup_form_can_be_completed_with_the_keyboard_alone(page, check_a11y, screenshot):
    page.goto("/konto/signup/")
    tab_to(page, "E-post")
    page.keyboard.type("tastatur@bergen.example")
    tab_to(page, "Fornavn")
    page.keyboard.type("Tor")
    tab_to(page, "Etternavn")
    page.keyboard.type("Tastesen")
    tab_to(page, "Søk etter kommune")
    page.keyboard.type("Bergen")
    expect(page.get_by_label("Kommune", exact=True)).to_have_value("4601")
    tab_to(page, "Passord")
    page.keyboard.type(PASSWORD)
    tab_to(page, "Passord (igjen)")
    page.keyboard.type(PASSWORD)
    screenshot("keyboard-filled")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/konto/confirm-email/$"))
    assert Membership.objects.filter(
        user__email="tastatur@bergen.example", municipality__number="4601"
    ).exists()
