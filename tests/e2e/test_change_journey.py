"""A manager in Bergen finishes a course that ends with a change plan, writes the plan with one
expected benefit, follows it up twice and sees the chart; HR sees the unit's figures only once
five managers there have plans."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from courses.models import CoursePage
from learners.models import ActionPlan, Enrolment, Measurement
from learners.services.change import action_plan_create
from tests.e2e.conftest import (
    DEMO_PASSWORD,
    course_complete,
    login,
    login_with_totp,
    member_create,
    totp_enable,
)

pytestmark = pytest.mark.e2e

EMAIL = "nora.nyleder@bergen.example"
HR_EMAIL = "hr@bergen.example"
COURSE = "Lean i kommunale tjenester"
AREA, UNIT = "Helse og omsorg", "Hjemmetjenesten Fana"
INDICATOR = "Timer dokumentasjon per uke"


def fill_plan(page) -> None:
    """The plan form as a manager fills it in: the change, who is involved, one first step
    and one expected benefit with indicator, unit, baseline, target and owner."""
    today = dt.date.today()
    change = page.get_by_role("group", name="Endringen", exact=True)
    change.get_by_label("Endringen, på én linje").fill("Digitalt tilsyn om natten")
    change.get_by_label("Hva som skal endres i enheten din").fill(
        "Nattevakten bruker digitalt tilsyn i stedet for å gå runder hos alle brukerne."
    )
    involved = page.get_by_role("group", name="Hvem er med")
    involved.get_by_label("Ansatte").fill("Alle på natt, med en arbeidsgruppe på tre.")
    involved.get_by_label("Tillitsvalgte").fill("HTV i Fagforbundet fra første møte.")
    step = page.get_by_role("group", name="Steg 1", exact=True)
    step.get_by_label("Steg").fill("Informere de ansatte på personalmøtet")
    step.get_by_label("Innen").fill((today + dt.timedelta(days=14)).isoformat())
    benefit = page.get_by_role("group", name="Gevinst 1", exact=True)
    benefit.get_by_label("Forventet gevinst").fill("Mindre tid på dokumentasjon")
    benefit.get_by_label("Indikator").fill(INDICATOR)
    benefit.get_by_label("Måleenhet").fill("timer")
    benefit.get_by_label("Verdi ved utgangspunkt").fill("20")
    benefit.get_by_label("Dato for utgangspunkt").fill((today - dt.timedelta(days=30)).isoformat())
    benefit.get_by_label("Målverdi").fill("12")
    benefit.get_by_label("Måldato").fill((today + dt.timedelta(days=180)).isoformat())
    benefit.get_by_label("Eier").fill("Enhetsleder")


def follow_up(page, visit, step: str, *, value: str, status: str, note: str) -> None:
    """From the plan: open the next follow-up not yet recorded, record it, back on the plan."""
    page.get_by_role("link", name=re.compile("^Registrer oppfølgingen")).first.click()
    expect(page).to_have_url(re.compile(r"/endring/planer/\d+/oppfolging/\d+/$"))
    visit(f"{step}-form")
    page.get_by_label("Verdi nå").fill(value)
    page.get_by_role("group", name="Status").get_by_label(status, exact=True).check()
    page.get_by_label("Hva har du lært?").fill(note)
    page.get_by_role("button", name="Lagre oppfølgingen").click()
    expect(page).to_have_url(re.compile(r"/endring/planer/\d+/$"))
    expect(page.get_by_text("Oppfølgingen er lagret.")).to_be_visible()


def unit_row(page, name: str):
    """The HR table's row for one unit (its name is a link in the row heading)."""
    return page.locator("tbody tr", has=page.get_by_role("link", name=name, exact=True))


def plan_quickly(email: str, course: CoursePage) -> None:
    """Another manager in the unit: completes the course and writes a plan, through the
    services (the browser part of this is shown once, above)."""
    course_complete(email, course)
    enrolment = Enrolment.objects.get(user__email=email, course=course)
    action_plan_create(
        enrolment=enrolment,
        data={"title": "Felles turnusplan", "change": "Vi planlegger turnus sammen."},
        steps=[{"text": "Kartlegge ønsker", "due_date": None}],
        benefits=[
            {
                "description": "Færre ubesatte vakter",
                "indicator": "Ubesatte vakter per måned",
                "unit": "vakter",
                "baseline_value": Decimal("30"),
                "baseline_date": dt.date.today() - dt.timedelta(days=10),
                "target_value": Decimal("10"),
                "target_date": dt.date.today() + dt.timedelta(days=200),
                "owner": "Avdelingsleder",
            }
        ],
    )


def test_manager_plans_follows_up_and_hr_sees_figures_from_five(page, visit, site):
    member_create(EMAIL, unit=(AREA, UNIT))
    # No starter course ends with a change plan; the editor switches it on for this one.
    CoursePage.objects.filter(title=COURSE).update(action_plan_enabled=True)
    course = CoursePage.objects.get(title=COURSE)
    course_complete(EMAIL, course)

    login(page, EMAIL, DEMO_PASSWORD)
    page.goto(course.url)
    expect(page.get_by_text("Du har fullført dette kurset.")).to_be_visible()
    visit("course-completed")
    page.get_by_role("link", name="Lag endringsplan").click()
    expect(page).to_have_url(re.compile(rf"/endring/planer/ny/{course.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lag endringsplan")
    visit("plan-form")
    fill_plan(page)
    visit("plan-form-filled")
    page.get_by_role("button", name="Lagre planen").click()

    expect(page).to_have_url(re.compile(r"/endring/planer/\d+/$"))  # saved: now read it
    plan = ActionPlan.objects.get(user__email=EMAIL)
    expect(page).to_have_url(re.compile(rf"/endring/planer/{plan.pk}/$"))
    expect(page.get_by_text("Endringsplanen er lagret. Bare du kan se den.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Digitalt tilsyn om natten")
    expect(page.get_by_role("main")).to_contain_text("Informere de ansatte på personalmøtet")
    visit("plan")
    benefit = plan.benefits.get()
    assert (benefit.indicator, benefit.unit, benefit.owner) == (INDICATOR, "timer", "Enhetsleder")
    assert (benefit.baseline_value, benefit.target_value) == (Decimal("20"), Decimal("12"))
    assert plan.steps.count() == 1 and plan.check_ins.count() == 3

    follow_up(page, visit, "follow-up-30", value="18", status="I rute", note="Nattevakten er med.")
    visit("plan-one-follow-up")
    follow_up(page, visit, "follow-up-90", value="17.5", status="I fare", note="Nettet faller ut.")
    values = sorted(Measurement.objects.filter(benefit=benefit).values_list("value", flat=True))
    assert values == [Decimal("17.5"), Decimal("18")]

    # The chart is an image with a text alternative; the same numbers are in a table.
    chart = page.get_by_role("img", name=f"Utviklingen i {INDICATOR}")
    expect(chart).to_be_visible()
    expect(chart.locator("circle.endra-chart__point")).to_have_count(2)
    table = page.get_by_role("table", name=re.compile(f"^{INDICATOR}"))
    measured = table.locator("tbody tr", has=page.get_by_role("rowheader", name="Målt"))
    expect(measured).to_have_count(2)
    expect(measured.nth(0)).to_contain_text("18")
    expect(measured.nth(0)).to_contain_text("I rute")
    expect(measured.nth(1)).to_contain_text("17,5")
    expect(measured.nth(1)).to_contain_text("I fare")
    expect(page.get_by_role("main")).to_contain_text("Status: I fare")
    visit("plan-two-follow-ups")

    # HR, with two-factor login: one plan in the unit is too few to show.
    page.context.clear_cookies()
    login_with_totp(page, HR_EMAIL, DEMO_PASSWORD, totp_enable(HR_EMAIL))
    page.goto("/hr/endring/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bergen")
    why = page.locator("#hidden-why")
    expect(why).to_contain_text("færre enn fem personer")
    expect(unit_row(page, AREA)).to_contain_text("Skjult")
    expect(page.get_by_role("main")).not_to_contain_text("Digitalt tilsyn")
    visit("hr-hidden")
    unit_row(page, AREA).get_by_role("link").click()
    expect(page.get_by_role("navigation", name="Enhet (sti)")).to_contain_text(AREA)
    expect(unit_row(page, UNIT).locator("td").first).to_have_text("Skjult")
    visit("hr-unit-hidden")

    # Four more managers in the unit make plans: five people, the figures show.
    for n in range(2, 6):
        email = f"leder{n}.fana@bergen.example"
        member_create(email, first_name="Leder", last_name=f"Nummer{n}", unit=(AREA, UNIT))
        plan_quickly(email, course)
    page.reload()
    cells = unit_row(page, UNIT).locator("td")
    expect(cells.nth(0)).to_have_text("5")  # action plans
    expect(cells.nth(1)).to_have_text("0")  # benefits on track
    expect(cells.nth(2)).to_have_text("1")  # benefits at risk (the latest follow-up)
    expect(cells.nth(3)).to_have_text("0")  # benefits realised
    visit("hr-unit-shown")
    page.goto("/hr/endring/")
    expect(unit_row(page, AREA).locator("td").first).to_have_text("5")
    expect(page.locator("tfoot td").first).to_have_text("5")
    visit("hr-shown")
