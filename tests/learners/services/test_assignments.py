"""HR assignments: who they reach, due dates, people joining later, completion, unassigning
and recertification. Every test has a second municipality that must stay untouched."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from learners.lib.dates import add_months
from learners.models import (
    Assignment,
    AssignmentPerson,
    AuditLog,
    Certificate,
    Enrolment,
    ModuleProgress,
)
from learners.services.assignments import (
    assignment_create,
    assignment_end,
    assignments_reopen_expired,
)
from learners.services.hr import HRError
from learners.services.memberships import membership_create
from tests.learners.hr_support import complete_course, course_make, path_make, person, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(bergen, oslo):
    helse = unit(bergen, "Helse og omsorg")
    hjemme = unit(bergen, "Hjemmetjenesten", parent=helse)
    skole = unit(bergen, "Oppvekst")
    return {
        "helse": helse,
        "hjemme": hjemme,
        "skole": skole,
        "top": person(bergen, helse, name="Tone Topp"),
        "deep": person(bergen, hjemme, name="Dag Dyp"),
        "school": person(bergen, skole, name="Siri Skole"),
        "hr": person(bergen, None, name="Hanne HR", is_hr=True),
        "oslo": person(oslo, unit(oslo, "Helse og omsorg"), name="Ola Oslo"),
    }


OURS = {"Topp", "Dyp", "Skole", "HR", "Oslo", "Ny", "Kommer", "Utenfor"}


def _reached(assignment):
    # Only the people made here: a database may hold others (e.g. demo data).
    return set(assignment.people.values_list("user__last_name", flat=True)) & OURS


def test_a_unit_assignment_with_sub_units_reaches_the_whole_subtree_and_enrols_them(bergen, tree):
    path = path_make()
    assignment = assignment_create(
        municipality=bergen, actor=tree["hr"], target="unit", learning_path=path,
        org_unit=tree["helse"], include_subunits=True, due_date=dt.date(2026, 12, 31),
    )  # fmt: skip
    assert _reached(assignment) == {"Topp", "Dyp"}
    course = path.path_courses.get().course
    enrolment = Enrolment.objects.get(user=tree["deep"], course=course)
    assert (enrolment.source, enrolment.municipality) == ("assignment", bergen)
    assert not Enrolment.objects.filter(user=tree["oslo"]).exists()
    assert AuditLog.objects.filter(action="assignment.create", municipality=bergen).count() == 1


def test_a_unit_assignment_without_sub_units_reaches_only_the_unit_itself(bergen, tree):
    assignment = assignment_create(
        municipality=bergen, actor=tree["hr"], target="unit", course=course_make(),
        org_unit=tree["helse"], include_subunits=False, due_days=30,
    )  # fmt: skip
    assert _reached(assignment) == {"Topp"}


def test_a_role_assignment_reaches_everyone_with_the_role_in_this_municipality_only(bergen, tree):
    assignment = assignment_create(
        municipality=bergen, actor=tree["hr"], target="role", role="hr", course=course_make()
    )
    assert _reached(assignment) == {"HR"}
    everyone = assignment_create(
        municipality=bergen, actor=tree["hr"], target="role", role="learner", course=course_make()
    )
    assert _reached(everyone) == {"Topp", "Dyp", "Skole", "HR"}


def test_named_people_from_another_municipality_are_refused(bergen, tree):
    with pytest.raises(HRError) as error:
        assignment_create(
            municipality=bergen, actor=tree["hr"], target="people", course=course_make(),
            people=[tree["top"], tree["oslo"]],
        )  # fmt: skip
    assert error.value.code == "not_member"
    assert not Assignment.objects.exists()


def test_a_unit_from_another_municipality_is_refused(bergen, oslo, tree):
    with pytest.raises(HRError):
        assignment_create(
            municipality=bergen, actor=tree["hr"], target="unit", course=course_make(),
            org_unit=tree["oslo"].memberships.get().org_unit,
        )  # fmt: skip


def test_the_same_path_is_never_assigned_twice_to_one_person(bergen, tree):
    course = course_make()
    assignment_create(
        municipality=bergen, actor=tree["hr"], target="people", course=course, people=[tree["top"]]
    )
    second = assignment_create(
        municipality=bergen, actor=tree["hr"], target="unit", course=course, org_unit=tree["helse"]
    )
    assert _reached(second) == {"Dyp"}


def test_a_person_who_joins_a_unit_later_gets_its_assignment_due_n_days_after_joining(
    bergen, oslo, tree
):
    course = course_make()
    assignment = assignment_create(
        municipality=bergen, actor=tree["hr"], target="unit", course=course,
        org_unit=tree["helse"], due_days=14,
    )  # fmt: skip
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        newcomer = person(bergen, tree["hjemme"], name="Nina Ny")
    assigned = AssignmentPerson.objects.get(assignment=assignment, user=newcomer)
    assert assigned.due_date == dt.date(2026, 3, 16)
    assert Enrolment.objects.filter(user=newcomer, course=course, source="assignment").exists()
    # Joining another municipality's unit of the same name gives nothing from Bergen.
    outsider = person(oslo, tree["oslo"].memberships.get().org_unit, name="Otto Utenfor")
    assert not AssignmentPerson.objects.filter(user=outsider).exists()


def test_moving_into_an_assigned_unit_gives_its_assignments_with_the_fixed_due_date(bergen, tree):
    assignment = assignment_create(
        municipality=bergen, actor=tree["hr"], target="unit", course=course_make(),
        org_unit=tree["helse"], due_date=dt.date(2026, 6, 1),
    )  # fmt: skip
    membership_create(user=tree["school"], municipality=bergen, org_unit=tree["hjemme"])
    assert AssignmentPerson.objects.get(assignment=assignment, user=tree["school"]).due_date == (
        dt.date(2026, 6, 1)
    )


def test_unassigning_ends_the_assignment_and_new_members_no_longer_get_it(bergen, tree):
    assignment = assignment_create(
        municipality=bergen, actor=tree["hr"], target="unit", course=course_make(),
        org_unit=tree["helse"],
    )  # fmt: skip
    assignment_end(assignment=assignment, actor=tree["hr"])
    late = person(bergen, tree["helse"], name="Sen Kommer")
    assert not AssignmentPerson.objects.filter(user=late).exists()
    assert AuditLog.objects.filter(action="assignment.end", actor=tree["hr"]).exists()


def test_completing_the_course_completes_the_assignment(
    bergen, tree, django_capture_on_commit_callbacks
):
    course = course_make()
    assignment = assignment_create(
        municipality=bergen, actor=tree["hr"], target="people", course=course, people=[tree["top"]]
    )
    with django_capture_on_commit_callbacks(execute=True):
        complete_course(tree["top"], course)
    assert assignment.people.get().completed_at is not None


def test_a_path_is_complete_when_every_required_course_is_done_and_then_expires(bergen, tree):
    first, second, optional = course_make("A"), course_make("B"), course_make("Valgfritt")
    path = path_make(courses=[(first, True), (second, True), (optional, False)], validity_months=24)
    assignment = assignment_create(
        municipality=bergen, actor=tree["hr"], target="people", learning_path=path,
        people=[tree["top"]],
    )  # fmt: skip
    complete_course(tree["top"], first, when=dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC))
    assert assignment.people.get().completed_at is None
    done = dt.datetime(2026, 1, 31, 12, tzinfo=dt.UTC)
    complete_course(tree["top"], second, when=done)
    assigned = assignment.people.get()
    assert assigned.completed_at == done
    assert assigned.expires_on == dt.date(2028, 1, 31)


def test_add_months_clamps_to_the_end_of_a_shorter_month():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 14) == dt.date(2028, 1, 15)


def test_recertification_reopens_with_a_new_due_date_and_keeps_the_old_certificate(
    bergen, oslo, tree
):
    course = course_make()
    path = path_make(courses=[(course, True)], validity_months=12)
    assignment = assignment_create(
        municipality=bergen, actor=tree["hr"], target="people", learning_path=path,
        people=[tree["top"]], due_days=30,
    )  # fmt: skip
    done = dt.datetime(2025, 5, 10, 10, tzinfo=dt.UTC)
    complete_course(tree["top"], course, when=done)
    # The path certificate came from the certificates service when the path was completed.
    old = Certificate.objects.get(user=tree["top"], learning_path=path)
    assert old.completed_at == done
    assert assignments_reopen_expired(today=dt.date(2026, 5, 9)) == 0
    assert assignments_reopen_expired(today=dt.date(2026, 5, 10)) == 1
    assigned = assignment.people.get()
    assert (assigned.completed_at, assigned.expires_on, assigned.cycle) == (None, None, 2)
    assert assigned.due_date == dt.date(2026, 6, 9)
    enrolment = Enrolment.objects.get(user=tree["top"], course=course)
    assert (enrolment.status, enrolment.completed_at) == ("active", None)
    assert not ModuleProgress.objects.filter(enrolment=enrolment).exists()
    assert Certificate.objects.filter(pk=old.pk, revoked_at__isnull=True).exists()
    assert AuditLog.objects.filter(action="assignment.reopen", municipality=bergen).exists()
    # Done again: complete again, with a new expiry.
    complete_course(tree["top"], course, when=dt.datetime(2026, 5, 20, 10, tzinfo=dt.UTC))
    assert assignment.people.get().expires_on == dt.date(2027, 5, 20)
    assert timezone.now()  # the clock was never frozen here


def _assign_form(path, unit, **extra):
    return {
        "item": f"p{path.pk}",
        "target": "unit",
        "org_unit": unit.pk,
        "include_subunits": "on",
        **extra,
    }


def test_assigning_what_everyone_has_already_names_them_and_their_due_date(client, bergen, tree):
    from django.urls import reverse

    from tests.learners.hr_support import totp_for

    path = path_make()
    first = assignment_create(
        municipality=bergen,
        actor=tree["hr"],
        target="unit",
        learning_path=path,
        org_unit=tree["helse"],
        include_subunits=True,
        due_date=dt.date(2026, 12, 31),
    )
    totp_for(tree["hr"])
    client.force_login(tree["hr"])
    count = Assignment.objects.count()
    response = client.post(
        reverse("hr:assignments"),
        _assign_form(path, tree["hjemme"], due_date="2027-02-01"),
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "1 person har dette allerede" in text
    assert "Dag Dyp" in text and "31.12.2026" in text
    assert "Tone Topp" not in text  # in the unit above, not reached this time
    assert reverse("hr:assignment", args=[first.pk]) in text
    assert "Endre fristen deres til 01.02.2027" in text
    assert Assignment.objects.count() == count, "no empty assignment is made"

    response = client.post(
        reverse("hr:assignments"),
        _assign_form(path, tree["hjemme"], due_date="2027-02-01", already="change"),
        follow=True,
    )
    assert Assignment.objects.count() == count
    deep = AssignmentPerson.objects.get(assignment=first, user=tree["deep"])
    assert deep.due_date == dt.date(2027, 2, 1)
    assert AssignmentPerson.objects.get(assignment=first, user=tree["top"]).due_date == dt.date(
        2026, 12, 31
    )
    assert "fristen 01.02.2027" in response.content.decode()
    assert AuditLog.objects.filter(
        action="assignment.due_date_change", municipality=bergen
    ).exists()


def test_assigning_to_a_unit_where_some_have_it_assigns_the_others_and_keeps_dates(
    client, bergen, tree, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.learners.hr_support import totp_for

    path = path_make()
    first = assignment_create(
        municipality=bergen,
        actor=tree["hr"],
        target="unit",
        learning_path=path,
        org_unit=tree["hjemme"],
        include_subunits=True,
        due_date=dt.date(2026, 12, 31),
    )
    totp_for(tree["hr"])
    client.force_login(tree["hr"])
    response = client.post(reverse("hr:assignments"), _assign_form(path, tree["helse"]))
    text = response.content.decode()
    assert "1 person har dette allerede" in text
    assert "Tildel til de andre, behold fristen deres" in text
    assert "Endre fristen deres" not in text  # no due date given to change to

    # HR's page gives the assignment to its people in the background, after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("hr:assignments"),
            _assign_form(path, tree["helse"], already="keep"),
            follow=True,
        )
    second = Assignment.objects.exclude(pk=first.pk).get(learning_path=path)
    assert _reached(second) == {"Topp"}
    assert AssignmentPerson.objects.get(assignment=first, user=tree["deep"]).due_date == dt.date(
        2026, 12, 31
    )
    assert "1 person hadde den fra før og beholder fristen sin." in response.content.decode()


def test_another_municipalitys_assignment_of_the_same_path_is_not_counted(
    client, bergen, oslo, tree
):
    from django.urls import reverse

    from tests.learners.hr_support import totp_for

    path = path_make()
    oslo_hr = person(oslo, None, name="Olga HR", is_hr=True)
    assignment_create(
        municipality=oslo,
        actor=oslo_hr,
        target="role",
        role="learner",
        learning_path=path,
    )
    totp_for(tree["hr"])
    client.force_login(tree["hr"])
    response = client.post(
        reverse("hr:assignments"), _assign_form(path, tree["helse"]), follow=True
    )
    assert "har dette allerede" not in response.content.decode()
    assert Assignment.objects.filter(municipality=bergen, learning_path=path).exists()
