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
