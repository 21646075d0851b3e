"""The HR dashboard: statuses, roll-up per unit that adds up at every level, drill-down,
filters, managers' read-only view, a fixed number of queries, and streamed exports."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from learners.models import AssignmentPerson, AuditLog, UnitManager
from learners.permissions import HRScope
from learners.selectors.reports import Filters, dashboard
from learners.services.assignments import assignment_create
from tests.learners.hr_support import complete_course, course_make, person, start_course, totp_for
from tests.learners.hr_support import unit as make_unit

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def org(kommune, annen):
    a = make_unit(kommune, "A Helse")
    a1 = make_unit(kommune, "A1 Hjemme", parent=a)
    a1a = make_unit(kommune, "A1a Natt", parent=a1)
    a2 = make_unit(kommune, "A2 Sykehjem", parent=a)
    b = make_unit(kommune, "B Skole")
    hr = person(kommune, None, name="Hanne HR", is_hr=True)
    totp_for(hr)
    other_hr = person(annen, make_unit(annen, "A Helse"), name="Otto Annen", is_hr=True)
    totp_for(other_hr)
    return {"a": a, "a1": a1, "a1a": a1a, "a2": a2, "b": b, "hr": hr, "other_hr": other_hr}


def _populate(kommune, org, *, per_unit=1, course=None):
    """People in every unit and without a unit, in each status, assigned one course."""
    course = course or course_make("Personvern")
    people = {}
    for key in ("a", "a1", "a1a", "a2", "b"):
        for i in range(per_unit):
            people[(key, i)] = person(kommune, org[key], name=f"P {key}{i}")
    people[("none", 0)] = person(kommune, None, name="Uten Enhet")
    assignment = assignment_create(
        municipality=kommune, actor=org["hr"], target="role", role="learner", course=course,
        due_date=TODAY + dt.timedelta(days=10),
    )  # fmt: skip
    rows = AssignmentPerson.objects.filter(assignment=assignment)
    # a1a: completed; a2: overdue; a1: in progress; a: not started; b: expiring soon.
    for i in range(per_unit):
        complete_course(people[("a1a", i)], course)
        start_course(people[("a1", i)], course)
        complete_course(people[("b", i)], course)
    rows.filter(user__in=[p for (k, _), p in people.items() if k == "a2"]).update(
        due_date=TODAY - dt.timedelta(days=1)
    )
    rows.filter(user__in=[p for (k, _), p in people.items() if k == "b"]).update(
        expires_on=TODAY + dt.timedelta(days=5)
    )
    return course, people


def _report(kommune, unit=None, **kwargs):
    scope = HRScope(municipality=kommune, can_edit=True)
    return dashboard(scope=scope, filters=Filters(unit=unit, **kwargs), today=TODAY)


def test_each_person_has_exactly_one_status_and_the_statuses_are_right(kommune, org):
    _populate(kommune, org)
    item = _report(kommune)["items"][0]
    by_label = {str(row.unit) if row.unit else row.kind: row.counts.by_status for row in item.rows}
    assert by_label["A Helse"] == {
        "completed": 1, "expiring_soon": 0, "in_progress": 1, "not_started": 1, "overdue": 1,
    }  # fmt: skip
    assert by_label["B Skole"]["expiring_soon"] == 1
    assert by_label["none"]["not_started"] == 2  # with HR, who is a learner too
    assert item.total.total == 7


def test_numbers_add_up_at_every_level_of_the_tree(kommune, org):
    _populate(kommune, org, per_unit=2)
    top = _report(kommune)["items"][0]
    assert sum(row.counts.total for row in top.rows) == top.total.total == 12
    for status in ("completed", "in_progress", "not_started", "overdue", "expiring_soon"):
        assert sum(row.counts.by_status[status] for row in top.rows) == top.total.by_status[status]
    a_row = next(row for row in top.rows if row.unit == org["a"])
    inside_a = _report(kommune, unit=org["a"])["items"][0]
    assert inside_a.total.by_status == a_row.counts.by_status
    labels = [(row.kind, str(row.unit)) for row in inside_a.rows]
    assert labels == [("unit", "A1 Hjemme"), ("unit", "A2 Sykehjem"), ("direct", "None")]
    a1_row = inside_a.rows[0]
    inside_a1 = _report(kommune, unit=org["a1"])["items"][0]
    assert inside_a1.total.by_status == a1_row.counts.by_status
    assert sum(row.counts.total for row in inside_a1.rows) == a1_row.counts.total == 4


def test_filters_narrow_by_status_due_date_and_item(kommune, org):
    course, _people = _populate(kommune, org)
    assert _report(kommune, status="overdue")["items"][0].total.total == 1
    assert _report(kommune, due_before=TODAY)["items"][0].total.total == 1
    assert _report(kommune, item=f"c{course.pk}")["items"][0].total.total == 7
    assert _report(kommune, item="c999999")["items"] == []


def _dashboard_queries(client, django_assert_num_queries, url, expected):
    client.get(url)  # warm the per-process caches (site, translations) first
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("per_unit", [1, 6])
def test_the_dashboard_uses_a_fixed_number_of_queries_at_any_size(
    client, kommune, org, per_unit, django_assert_num_queries
):
    _populate(kommune, org, per_unit=per_unit)
    _populate(kommune, org, per_unit=per_unit, course=course_make("Lean"))
    client.force_login(org["hr"])
    # (The footer's site and links are kept in the process: one read of the content stamp.)
    _dashboard_queries(client, django_assert_num_queries, reverse("hr:dashboard"), 12)
    _dashboard_queries(
        client, django_assert_num_queries, reverse("hr:unit", args=[org["a"].pk]), 13
    )
    _dashboard_queries(client, django_assert_num_queries, reverse("hr:people"), 12)


def test_the_dashboard_shows_only_the_hr_users_own_municipality(client, kommune, annen, org):
    _populate(kommune, org, course=course_make("Fjordvik-kurset"))
    client.force_login(org["other_hr"])
    response = client.get(reverse("hr:dashboard"))
    assert response.status_code == 200
    assert "Fjordvik-kurset" not in response.content.decode()
    client.force_login(org["hr"])
    assert "Fjordvik-kurset" in client.get(reverse("hr:dashboard")).content.decode()


def test_a_unit_manager_sees_their_unit_and_below_read_only(client, kommune, org):
    _populate(kommune, org)
    boss = person(kommune, org["a1"], name="Leif Leder")
    totp_for(boss)
    UnitManager.objects.create(user=boss, municipality=kommune, org_unit=org["a1"])
    client.force_login(boss)
    response = client.get(reverse("hr:dashboard"))
    assert response.status_code == 200
    assert response.context["unit"] == org["a1"]
    assert client.get(reverse("hr:unit", args=[org["a1a"].pk])).status_code == 200
    assert client.get(reverse("hr:unit", args=[org["a"].pk])).status_code == 404
    assert client.get(reverse("hr:unit", args=[org["b"].pk])).status_code == 404
    people = client.get(reverse("hr:people")).context["page"].object_list
    assert {row["full_name"] for row in people} <= {"P a1a0", "P a10", "Leif Leder"}
    assert client.get(reverse("hr:assignments")).status_code == 403
    assert client.get(reverse("hr:import")).status_code == 403


def test_people_export_as_csv_is_streamed_with_norwegian_headers_and_no_formulas(
    client, kommune, org
):
    course = course_make("Personvern")
    evil = person(kommune, org["a"], name='=HYPERLINK("http://x") Ond')
    assignment_create(
        municipality=kommune, actor=org["hr"], target="people", course=course, people=[evil]
    )
    client.force_login(org["hr"])
    response = client.get(reverse("hr:people") + "?format=csv")
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:5] == ["Navn", "E-post", "Enhet", "Læringssti/kurs", "Status"]
    assert rows[1][0].startswith("'=HYPERLINK")
    assert rows[1][4] == "Ikke startet"
    assert AuditLog.objects.filter(action="report.export", actor=org["hr"]).exists()


def test_dashboard_export_as_xlsx_is_streamed_from_a_file_and_neutralises_formulas(
    client, kommune, org
):
    _populate(kommune, org)
    make_unit(kommune, "+SUM(A1:A9)")
    client.force_login(org["hr"])
    response = client.get(reverse("hr:dashboard") + "?format=xlsx")
    assert response.streaming and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == (
        "Læringssti/kurs", "Enhet", "Fullført", "Utløper snart", "I gang", "Ikke startet",
        "Forfalt", "Totalt",
    )  # fmt: skip
    assert ("Personvern", "'+SUM(A1:A9)", 0, 0, 0, 0, 0, 0) in rows
    assert rows[-1][1] == "Sum" and rows[-1][-1] == 7
    assert all(not str(cell).startswith("=") for row in rows for cell in row if cell)


def test_the_numbers_move_as_a_learner_completes_through_the_learning_service(
    client, kommune, org, django_capture_on_commit_callbacks
):
    from courses.models import ModulePage
    from learners.models import Enrolment
    from learners.services.learning import module_complete

    course = course_make("Fjordvik-kurset")
    learner = person(kommune, org["a1"], name="Lars Lærer")
    assignment_create(
        municipality=kommune, actor=org["hr"], target="unit", course=course, org_unit=org["a"]
    )
    client.force_login(org["hr"])

    def a_row():
        item = client.get(reverse("hr:dashboard")).context["items"][0]
        return next(row for row in item.rows if row.unit == org["a"]).counts.by_status

    assert a_row()["not_started"] == 1 and a_row()["completed"] == 0
    enrolment = Enrolment.objects.get(user=learner, course=course)
    with django_capture_on_commit_callbacks(execute=True):
        module_complete(enrolment=enrolment, module=ModulePage.objects.child_of(course).get())
    assert a_row()["not_started"] == 0 and a_row()["completed"] == 1


def test_hr_unassigns_one_person_and_they_leave_the_numbers(client, kommune, org):
    course = course_make("Fjordvik-kurset")
    learner = person(kommune, org["b"], name="Lars Lærer")
    assignment = assignment_create(
        municipality=kommune, actor=org["hr"], target="people", course=course, people=[learner]
    )
    client.force_login(org["hr"])
    assert "Lars" in client.get(reverse("hr:assignment", args=[assignment.pk])).content.decode()
    url = reverse("hr:assignment_person_remove", args=[assignment.pk, learner.pk])
    assert client.post(url).status_code == 302
    assert not assignment.people.exists()
    assert client.get(reverse("hr:dashboard")).context["items"] == []
    assert AuditLog.objects.filter(action="assignment.person_remove", actor=org["hr"]).exists()


def test_export_headers_follow_the_hr_users_language(client, kommune, org):
    course = course_make("Personvern")
    assignment_create(
        municipality=kommune, actor=org["hr"], target="people", course=course,
        people=[org["hr"]],
    )  # fmt: skip
    org["hr"].language = "en"
    org["hr"].save(update_fields=["language"])
    client.force_login(org["hr"])
    response = client.get(reverse("hr:people") + "?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [
        "Name", "E-mail", "Unit", "Learning path/course", "Status", "Due", "Completed", "Expires",
    ]  # fmt: skip
    assert rows[1][4] == "Not started"
