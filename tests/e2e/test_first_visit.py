"""First visits: HR and an editor set up two-step login in one guided flow and arrive where
they were going; the account pages reflow at 320 px, long e-mail addresses included."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    DEMO_PASSWORD,
    assert_no_sideways_scroll,
    login,
    member_create,
    totp_code,
)

pytestmark = pytest.mark.e2e

NARROWEST = 320


def set_up_two_step_login(page, visit, *, going_to: str) -> None:
    """Walk the guided set-up from its first page to the page the person was going to."""
    expect(page).to_have_url(re.compile(rf"/konto/2fa/totp/activate/\?next={going_to}$"))
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Slå på innlogging i to trinn")
    for step in (
        "Skaff deg en autentiseringsapp på telefonen",
        "Skann den firkantede koden med appen",
        "Skriv inn koden appen viser",
    ):
        expect(main.get_by_role("heading", name=step)).to_be_visible()
    expect(main).not_to_contain_text("Autentiseringshemmelighet")
    visit("two-step-scan")
    assert_no_sideways_scroll(page, NARROWEST)

    secret = page.get_by_label("Får du ikke skannet?").input_value()
    wrong = "000000" if totp_code(secret) != "000000" else "111111"
    page.get_by_label("Koden fra appen").fill(wrong)
    main.get_by_role("button", name="Slå på innlogging i to trinn").click()
    expect(main).to_contain_text("Koden stemmer ikke")
    visit("two-step-wrong-code")

    page.get_by_label("Koden fra appen").fill(totp_code(secret))
    main.get_by_role("button", name="Slå på innlogging i to trinn").click()
    expect(main.get_by_role("heading", level=1)).to_have_text("Ta vare på reservekodene")
    codes = page.get_by_label(re.compile(r"ubrukte koder$")).input_value().split()
    assert len(codes) == 10, codes
    visit("two-step-recovery-codes")
    assert_no_sideways_scroll(page, NARROWEST)

    main.get_by_role("link", name="Jeg har tatt vare på kodene – fortsett").click()
    expect(page).to_have_url(re.compile(rf"{going_to}$"))


def test_hr_and_an_editor_set_up_two_step_login_and_arrive_where_they_were_going(page, visit):
    member_create("hanne.hr@bergen.example", first_name="Hanne", is_hr=True)
    login(page, "hanne.hr@bergen.example", DEMO_PASSWORD)
    # HR lands on the HR overview, which asks for two-step login first; no second password.
    set_up_two_step_login(page, visit, going_to="/hr/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bergen")

    page.context.clear_cookies()  # the editor, in a browser of their own
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/konto/login/\?next=/admin/$"))
    page.get_by_label("E-post").fill("redaktor@endra.example")
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Logg inn").click()
    set_up_two_step_login(page, visit, going_to="/admin/")


LONG_EMAIL = "kari-margrethe.nordmann-haugland.hjemmetjenesten@fana-bydel.bergen.kommune.example"


def test_account_pages_reflow_at_320_px_with_a_long_email_address(page, visit, login):
    def check(step: str) -> None:
        visit(step)
        assert_no_sideways_scroll(page, NARROWEST)

    page.goto("/konto/signup/")
    check("signup")
    page.get_by_label("Fornavn").fill("Kari-Margrethe")
    page.get_by_label("Etternavn").fill("Nordmann-Haugland")
    page.get_by_label("E-post").fill(LONG_EMAIL)
    page.get_by_label("Passord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_label("Passord (igjen)").fill(DEMO_PASSWORD)
    page.get_by_label("Søk etter kommune").fill("Bergen")
    page.get_by_role("button", name="Registrer deg").click()
    expect(page).to_have_url(re.compile(r"/konto/confirm-email/$"))
    expect(page.get_by_role("main")).to_contain_text(LONG_EMAIL)
    check("confirmation-sent")

    from django.core import mail

    link = re.search(r"https?://\S+/konto/confirm-email/\S+/", mail.outbox[-1].body)
    page.goto(link.group(0))
    expect(page.get_by_role("main")).to_contain_text(LONG_EMAIL)
    check("confirm-email")
    page.get_by_role("main").get_by_role("button", name="Bekreft").click()
    expect(page).to_have_url(re.compile(r"/konto/login/$"))
    expect(page.get_by_role("main")).to_contain_text(LONG_EMAIL)
    check("login-with-message")

    login(page, LONG_EMAIL, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/min-laering/$"))
    check("my-learning")
    for step, url in (
        ("profile", "/profil/"),
        ("email-addresses", "/konto/email/"),
        ("password-change", "/konto/password/change/"),
        ("password-reset", "/konto/password/reset/"),
    ):
        page.goto(url)
        check(step)
