"""Employee import from CSV: a dry run that explains every row, the real import, re-import that
changes nothing, units created on request, invitations after commit, and 200 rows quickly."""

import time

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learners.models import AuditLog, Membership, OrgUnit, UnitManager, User
from learners.services.employee_import import employee_import
from tests.learners.hr_support import person, totp_for, unit

pytestmark = pytest.mark.django_db

HEADER = "navn;e-post;enhet;rolle;leder-e-post\n"


@pytest.fixture
def units(kommune, annen):
    helse = unit(kommune, "Helse og omsorg")
    unit(kommune, "Hjemmetjenesten", parent=helse)
    unit(annen, "Helse og omsorg")  # same name elsewhere: must never be used
    return helse


def _by_email(result):
    return {row.email: row for row in result.rows}


def test_the_dry_run_explains_each_row_and_saves_nothing(kommune, units):
    existing = person(kommune, units, name="Eva Eksisterende", email="eva@fjordvik.no")
    text = HEADER + (
        "Ny Person;ny@fjordvik.no;Helse og omsorg > Hjemmetjenesten;deltaker;\n"
        "Eva Endret;eva@fjordvik.no;Helse og omsorg/Hjemmetjenesten;hr;\n"
        "Feil Post;ikke-en-epost;Helse og omsorg;deltaker;\n"
        "Ukjent Enhet;u@fjordvik.no;Finnes ikke;deltaker;\n"
        "Rar Rolle;r@fjordvik.no;Helse og omsorg;sjef;\n"
        "Ny Igjen;NY@fjordvik.no;Helse og omsorg;deltaker;\n"
    )
    users_before, log_before = User.objects.count(), AuditLog.objects.count()
    result = employee_import(municipality=kommune, text=text, actor=None, dry_run=True)
    rows = _by_email(result)
    assert rows["ny@fjordvik.no"].action == "reject"  # the duplicate rejects the second line
    assert [r.action for r in result.rows] == [
        "create", "change", "reject", "reject", "reject", "reject",
    ]  # fmt: skip
    assert set(result.rows[1].changes) == {"Navn", "Enhet", "Rolle"}
    assert result.rows[2].reasons == ["Ugyldig e-postadresse"]
    assert result.rows[3].reasons == ["Ukjent enhet «Finnes ikke»"]
    assert "Ukjent rolle «sjef»" in result.rows[4].reasons[0]
    assert result.rows[5].reasons == ["Samme e-post som linje 2"]
    assert (User.objects.count(), AuditLog.objects.count()) == (users_before, log_before)
    existing.refresh_from_db()
    assert existing.first_name == "Eva"


def test_the_import_creates_people_and_reimporting_the_same_file_changes_nothing(
    kommune, annen, units, django_capture_on_commit_callbacks
):
    text = HEADER + (
        "Kari Nordmann;kari@fjordvik.no;Helse og omsorg > Hjemmetjenesten;deltaker;\n"
        "Hans Hansen;hans@fjordvik.no;Helse og omsorg;leder;\n"
        "Hilde HR;hilde@fjordvik.no;Helse og omsorg;hr;\n"
        "Nils Ny;nils@fjordvik.no;Oppvekst > Skoler;deltaker;hans@fjordvik.no\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = employee_import(
            municipality=kommune, text=text, actor=None, create_units=True, dry_run=False
        )
    assert [r.action for r in result.rows] == ["create"] * 4
    kari = Membership.objects.get(user__email="kari@fjordvik.no")
    assert (kari.municipality, kari.org_unit.path_names()) == (
        kommune, ["Helse og omsorg", "Hjemmetjenesten"]
    )  # fmt: skip
    assert Membership.objects.get(user__email="hilde@fjordvik.no").is_hr
    skoler = OrgUnit.objects.get(municipality=kommune, name="Skoler")
    assert UnitManager.objects.filter(user__email="hans@fjordvik.no", org_unit=skoler).exists()
    assert not OrgUnit.objects.filter(municipality=annen, name="Skoler").exists()
    # Invitations went out after commit, in Norwegian, with a plain-text and an HTML part.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in result.rows)
    invitation = mail.outbox[0]
    assert "invitert til Endra av Fjordvik" in invitation.subject
    assert "/konto/password/reset/key/" in invitation.body
    assert invitation.alternatives[0][1] == "text/html"
    state = (User.objects.count(), Membership.objects.count(), UnitManager.objects.count())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = employee_import(
            municipality=kommune, text=text, actor=None, create_units=True, dry_run=False
        )
    assert [r.action for r in again.rows] == ["unchanged"] * 4
    assert state == (User.objects.count(), Membership.objects.count(), UnitManager.objects.count())
    assert mail.outbox == []


def test_unknown_units_are_rejected_unless_creating_units_is_chosen(kommune, units):
    text = HEADER + "Kari Nordmann;kari@fjordvik.no;Ny sektor / Ny enhet;deltaker;\n"
    refused = employee_import(municipality=kommune, text=text, actor=None, dry_run=False)
    assert refused.rows[0].action == "reject"
    assert not OrgUnit.objects.filter(name="Ny enhet").exists()
    created = employee_import(
        municipality=kommune, text=text, actor=None, dry_run=False, create_units=True
    )
    assert created.rows[0].action == "create"
    assert OrgUnit.objects.get(name="Ny enhet").municipality == kommune


def test_a_file_without_the_required_columns_is_refused_as_a_whole(kommune):
    result = employee_import(municipality=kommune, text="name,email\nA,a@b.no\n", actor=None)
    assert result.rows == [] and "Mangler kolonne" in result.file_errors[0]


def test_two_hundred_rows_are_imported_quickly(kommune, units):
    lines = [
        f"Person {i};person{i}@fjordvik.no;Helse og omsorg > Hjemmetjenesten;deltaker;"
        for i in range(200)
    ]
    start = time.monotonic()
    result = employee_import(
        municipality=kommune, text=HEADER + "\n".join(lines), actor=None, dry_run=False
    )
    assert result.count("create") == 200
    assert time.monotonic() - start < 20
    assert Membership.objects.filter(municipality=kommune).count() == 200


def test_hr_imports_through_the_page_with_a_dry_run_first(client, kommune, units):
    hr = person(kommune, None, name="Hanne HR", is_hr=True)
    totp_for(hr)
    client.force_login(hr)
    upload = SimpleUploadedFile(
        "ansatte.csv",
        (HEADER + "Kari Nordmann;kari@fjordvik.no;Helse og omsorg;deltaker;\n").encode(),
    )
    response = client.post(reverse("hr:import"), {"file": upload})
    assert response.status_code == 200
    assert not User.objects.filter(email="kari@fjordvik.no").exists()
    form = response.context["form"]
    assert form.initial["confirm"] is True
    response = client.post(
        reverse("hr:import"), {"csv_text": form.initial["csv_text"], "confirm": "True"}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user__email="kari@fjordvik.no", municipality=kommune).exists()
    assert AuditLog.objects.filter(action="employees.import", actor=hr).exists()


@pytest.mark.django_db
def test_a_redelivered_invitation_task_sends_no_second_email(mailoutbox, bergen):
    from learners.services.reminders import invitation_send
    from tests.factories import MembershipFactory

    user = MembershipFactory(municipality=bergen).user
    invitation_send(user_id=user.pk, municipality_id=bergen.pk)
    invitation_send(user_id=user.pk, municipality_id=bergen.pk)
    assert [m.to for m in mailoutbox] == [[user.email]]
