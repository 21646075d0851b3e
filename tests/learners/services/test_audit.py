"""The audit log: the writer takes only declared actions, and HR reads each row as a sentence
in Norwegian, not as an action code."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from learners.models import AuditAction, AuditLog
from learners.services.assignments import assignment_create, assignment_end
from learners.services.audit import audit_log_write
from learners.services.hr import unit_manager_set
from learners.services.privacy import person_erase
from tests.learners.hr_support import course_make, path_make, person, totp_for, unit

pytestmark = pytest.mark.django_db


def test_the_writer_refuses_an_action_that_is_not_declared(bergen):
    before = AuditLog.objects.count()
    with pytest.raises(ValueError):
        audit_log_write(action="assignment.creat", municipality=bergen)  # type: ignore[arg-type]
    assert AuditLog.objects.count() == before


def test_the_writer_takes_a_declared_action_and_stores_its_code(bergen):
    entry = audit_log_write(action=AuditAction.SETTINGS_UPDATE, municipality=bergen)
    assert AuditLog.objects.get(pk=entry.pk).action == "settings.update"


def test_every_action_has_a_norwegian_label():
    with translation.override("en"):
        english = {action: str(action.label) for action in AuditAction}
    with translation.override("nb"):
        labels = {action: str(action.label) for action in AuditAction}
    untranslated = [code for code, label in labels.items() if label == english[code]]
    assert labels[AuditAction.ASSIGNMENT_CREATE] == "Tildeling opprettet"
    assert len(set(labels.values())) == len(labels)
    assert untranslated == []


@pytest.fixture
def hr_client(client, bergen):
    hr = person(bergen, None, name="Hanne HR", is_hr=True)
    totp_for(hr)
    client.force_login(hr)
    client.hr = hr
    return client


def test_the_hr_log_says_in_norwegian_what_hr_did(hr_client, bergen):
    team = unit(bergen, "Hjemmetjenesten Fana")
    path = path_make("Ledergrunnlag")
    response = hr_client.post(
        reverse("hr:assignments"),
        {"item": f"p{path.pk}", "target": "unit", "org_unit": team.pk,
         "include_subunits": "on", "due_days": "30"},
    )  # fmt: skip
    assert response.status_code == 302
    hr_client.post(response["Location"] + "avslutt/")
    hr_client.get(reverse("hr:people"), {"format": "xlsx"})

    page = hr_client.get(reverse("hr:log")).content.decode()

    assert "Tildelte læringsstien «Ledergrunnlag» til enheten Hjemmetjenesten Fana" in page
    assert "Avsluttet tildelingen av læringsstien «Ledergrunnlag»" in page
    assert "Eksporterte rapporten «Personer» som XLSX" in page
    assert "assignment.create" not in page and "report.export" not in page


def test_the_hr_log_names_courses_people_and_units_and_shows_an_erased_person_as_erased(
    hr_client, bergen
):
    team = unit(bergen, "Barnehagen")
    manager = person(bergen, team, name="Marit Leder")
    unit_manager_set(user=manager, org_unit=team, actor=hr_client.hr)
    assignment = assignment_create(
        municipality=bergen, actor=hr_client.hr, target="people", course=course_make("Kurset"),
        people=[manager], due_date=dt.date(2027, 1, 1),
    )  # fmt: skip
    assignment_end(assignment=assignment, actor=hr_client.hr)

    page = hr_client.get(reverse("hr:log")).content.decode()
    assert "Gjorde Marit Leder til leder for enheten Barnehagen" in page
    assert "Tildelte kurset «Kurset» til 1 person" in page
    assert "Avsluttet tildelingen av kurset «Kurset»" in page

    person_erase(user=manager, actor=hr_client.hr, municipality=bergen, reason="Sluttet")
    page = hr_client.get(reverse("hr:log")).content.decode()
    assert "Marit" not in page


def test_the_hr_log_takes_the_same_number_of_queries_for_many_rows(hr_client, bergen):
    team = unit(bergen, "Skolen")
    course = course_make("Kurs")

    def log_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert hr_client.get(reverse("hr:log")).status_code == 200
        return len(queries)

    assignment_create(
        municipality=bergen, actor=hr_client.hr, target="unit", course=course, org_unit=team,
        due_date=dt.date(2027, 1, 1),
    )  # fmt: skip
    log_queries()  # the first request also fills per-process caches
    few = log_queries()
    for n in range(15):
        other = unit(bergen, f"Enhet {n}")
        made = assignment_create(
            municipality=bergen, actor=hr_client.hr, target="unit", course=course,
            org_unit=other, due_date=dt.date(2027, 1, 1),
        )  # fmt: skip
        assignment_end(assignment=made, actor=hr_client.hr)
    assert log_queries() == few
