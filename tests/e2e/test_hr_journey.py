"""HR in Bergen sets up two-factor login, imports 200 employees, assigns the leadership path
to a unit with a due date and follows the numbers as a learner completes."""

import datetime
import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from courses.models import CoursePage, LearningPath
from learners.models import Assignment, Membership
from tests.e2e.conftest import DEMO_PASSWORD, course_complete, login, totp_code

pytestmark = pytest.mark.e2e

HR_EMAIL = "hr@bergen.example"
PATH = "Ledergrunnlag for digital omstilling"
UNIT = "Hjemmetjenesten Fana"
UNIT_PATH = f"Helse og omsorg > {UNIT}"
OTHER_UNITS = ["Oppvekst > Skoler > Nygård skole", "Byutvikling > Plan- og bygningsetaten"]
IN_UNIT = 40  # of the 200 imported people


def employees_csv() -> bytes:
    """200 employees: 40 in the unit that gets the assignment, the rest spread over two
    others, one new unit among them; a semicolon file as Excel writes it in Norway."""
    lines = ["navn;e-post;enhet;rolle"]
    for n in range(1, 201):
        if n <= IN_UNIT:
            unit = UNIT_PATH
        elif n <= 190:
            unit = OTHER_UNITS[n % 2]
        else:
            unit = "Helse og omsorg > Hverdagsrehabilitering"  # new: created by the import
        lines.append(f"Ansatt {n:03d} Testesen;ansatt{n:03d}@bergen.example;{unit};deltaker")
    return ("\n".join(lines) + "\n").encode("utf-8")


def select_option_containing(select, text: str) -> None:
    """Choose the one option whose label contains `text` (labels carry prefixes)."""
    option = select.locator("option", has_text=text)
    expect(option).to_have_count(1)
    select.select_option(value=option.get_attribute("value"))


def report_counts(page, title: str) -> dict[str, int]:
    """The «Sum» row of one learning path's table on the HR overview, by column heading."""
    table = page.get_by_role("region", name=title).get_by_role("table")
    headings = [h.strip() for h in table.locator("thead th").all_inner_texts()][1:]
    cells = [int(c) for c in table.locator("tfoot td").all_inner_texts()]
    return dict(zip(headings, cells, strict=True))


def test_hr_imports_employees_assigns_a_path_and_follows_progress(page, visit, site):
    login(page, HR_EMAIL, DEMO_PASSWORD)
    page.goto("/hr/")
    # HR must set up two-factor authentication before the HR pages open; allauth asks for
    # the password once more before an authenticator may be added.
    expect(page).to_have_url(re.compile(r"/konto/reauthenticate/"))
    visit("reauthenticate")
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Bekreft").click()
    expect(page).to_have_url(re.compile(r"/konto/2fa/totp/activate/\?next=/hr/$"))
    visit("mfa-activate")
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Autentiseringskode").fill(totp_code(secret))
    page.get_by_role("main").get_by_role("button", name="Aktiver").click()
    page.wait_for_load_state()
    visit("mfa-activated")

    page.goto("/hr/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bergen")
    visit("dashboard-before")

    # Import: a dry run that saves nothing, then the real import.
    page.get_by_role("link", name="Importer ansatte").click()
    visit("import")
    page.get_by_label("CSV-fil").set_input_files(
        {"name": "ansatte.csv", "mimeType": "text/csv", "buffer": employees_csv()}
    )
    page.get_by_label("Opprett enheter som ikke finnes").check()
    page.get_by_role("button", name="Prøvekjøring").click()
    expect(page.get_by_text("200 rader lest.")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(200)
    visit("import-dry-run")
    assert not Membership.objects.filter(user__email__startswith="ansatt").exists()

    page.get_by_role("button", name="Importer nå").click()
    expect(page.get_by_role("main")).to_contain_text("200 opprettet")
    visit("import-done")
    imported = Membership.objects.filter(
        municipality__number="4601", user__email__endswith="@bergen.example"
    ).filter(user__email__startswith="ansatt")
    assert imported.count() == 200
    assert imported.filter(org_unit__name=UNIT).count() == IN_UNIT

    # Assign the path to the unit with a due date.
    due = datetime.date.today() + datetime.timedelta(days=60)
    page.get_by_role("link", name="Tildelinger").click()
    visit("assignments")
    select_option_containing(page.get_by_label("Læringssti eller kurs"), PATH)
    page.get_by_role("radio", name="En enhet").check()
    select_option_containing(page.get_by_role("combobox", name=re.compile("^Enhet")), UNIT)
    page.get_by_label("Fast frist").fill(due.isoformat())
    visit("assignment-filled")
    page.get_by_role("button", name="Tildel", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text(f"Tildelt {IN_UNIT} personer")
    visit("assignment")
    assignment = Assignment.objects.get(learning_path__title=PATH, org_unit__name=UNIT)
    assert assignment.due_date == due

    page.get_by_role("link", name="Oversikt").click()
    before = report_counts(page, PATH)
    assert before["Ikke startet"] == IN_UNIT, before
    assert before["Fullført"] == 0, before
    visit("dashboard-assigned")

    # One of the imported people completes the path's two required courses (through the
    # same services the learner pages use), and the overview moves.
    learner = "ansatt001@bergen.example"
    path = LearningPath.objects.get(title=PATH)
    required = [item.course for item in path.path_courses.order_by("sort_order") if item.required]
    assert len(required) == 2
    course_complete(learner, CoursePage.objects.get(pk=required[0].pk))
    page.reload()
    middle = report_counts(page, PATH)
    assert middle["I gang"] == 1 and middle["Ikke startet"] == IN_UNIT - 1, middle
    course_complete(learner, CoursePage.objects.get(pk=required[1].pk))
    page.reload()
    after = report_counts(page, PATH)
    assert after["Fullført"] == 1 and after["Ikke startet"] == IN_UNIT - 1, after
    assert after["Totalt"] == IN_UNIT
    visit("dashboard-after")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Eksporter Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "Læringssti/kurs"
    sums = [row for row in rows if row[0] == PATH and row[1] == "Sum"]
    assert sums and sums[0][-1] == IN_UNIT, rows
