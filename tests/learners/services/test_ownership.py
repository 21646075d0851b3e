"""Who owns an account, tried as an attacker would with two municipalities (Bergen 4601 and
Trondheim 5001 from the seed): another municipality's import never renames, attaches or reveals
an account; the person joins a second municipality only by accepting an invitation."""

import pytest
from django.core import mail
from django.urls import reverse

from learners.models import (
    AuditLog,
    EndedMembership,
    Membership,
    MembershipInvitation,
    Municipality,
    OrgUnit,
    UnitManager,
    User,
)
from learners.services.employee_import import employee_import
from learners.services.ownership import (
    Outcome,
    account_belongs_to_alone,
    invitation_answer,
    membership_end,
    person_bring_into_municipality,
    person_plan,
)
from learners.services.privacy import ErasureRefused, erasure_check
from tests.learners.hr_support import totp_for

pytestmark = pytest.mark.django_db

HEADER = "navn;e-post;enhet;rolle;leder-e-post\n"
UNIT = "Helse og velferd > Hjemmetjenester Midtbyen"


@pytest.fixture
def trondheim(db):
    return Municipality.objects.get(number="5001")


@pytest.fixture
def bergen_learner(db):
    return User.objects.get(email="leder@bergen.example")


@pytest.fixture
def staff(db):
    return User.objects.get(email="redaktor@endra.example")


def _rows(result):
    return [(row.action, row.changes, row.reasons) for row in result.rows]


def _import(municipality, text, *, dry_run, capture=None):
    return employee_import(municipality=municipality, text=text, actor=None, dry_run=dry_run)


def test_a_foreign_e_mail_reads_exactly_like_a_new_one_in_the_dry_run_and_the_result(
    trondheim, bergen_learner, staff, django_capture_on_commit_callbacks
):
    text = HEADER + (
        f"Ny Person;ny@trondheim.example;{UNIT};deltaker;\n"
        f"Angriper Navn;leder@bergen.example;{UNIT};deltaker;\n"
        f"Stab Navn;redaktor@endra.example;{UNIT};hr;\n"
    )
    dry = _import(trondheim, text, dry_run=True)
    assert _rows(dry) == [("create", ["Ny person"], [])] * 3
    with django_capture_on_commit_callbacks(execute=True):
        done = _import(trondheim, text, dry_run=False)
    assert _rows(done) == _rows(dry)
    # Nothing of the Bergen person or the staff account was changed or attached.
    for user, name in ((bergen_learner, ("Ingrid", "Haugland")), (staff, ("Kari", "Nordmann"))):
        user.refresh_from_db()
        assert (user.first_name, user.last_name) == name
        assert not Membership.objects.filter(user=user, municipality=trondheim).exists()
        assert not UnitManager.objects.filter(user=user, municipality=trondheim).exists()
    assert Membership.objects.filter(user__email="ny@trondheim.example").count() == 1
    # Each person got one e-mail: a password link for the new one, an invitation to join for
    # the two existing accounts.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "leder@bergen.example", "ny@trondheim.example", "redaktor@endra.example",
    ]  # fmt: skip
    invited = {i.user.email: i for i in MembershipInvitation.objects.filter(municipality=trondheim)}
    assert set(invited) == {"leder@bergen.example", "redaktor@endra.example"}
    assert invited["leder@bergen.example"].first_name == "Angriper"  # what Trondheim said


def test_reimporting_and_changing_reads_the_same_for_new_and_foreign_e_mails(
    trondheim, bergen_learner
):
    text = HEADER + (
        f"Ny Person;ny@trondheim.example;{UNIT};deltaker;\n"
        f"Angriper Navn;leder@bergen.example;{UNIT};deltaker;\n"
    )
    _import(trondheim, text, dry_run=False)
    again = _import(trondheim, text, dry_run=False)
    assert _rows(again) == [("unchanged", [], [])] * 2
    renamed = text.replace("Ny Person", "Ny Endret").replace("Angriper Navn", "Angriper Endret")
    changed = _import(trondheim, renamed, dry_run=False)
    assert _rows(changed) == [("change", ["Navn"], [])] * 2
    bergen_learner.refresh_from_db()
    assert bergen_learner.first_name == "Ingrid"
    assert User.objects.get(email="ny@trondheim.example").first_name == "Ny"


def test_until_the_person_accepts_nothing_of_theirs_is_visible_to_the_inviting_municipality(
    client, trondheim, bergen_learner
):
    _import(trondheim, HEADER + f"X Y;leder@bergen.example;{UNIT};deltaker;\n", dry_run=False)
    hr = User.objects.get(email="hr@trondheim.example")
    totp_for(hr)
    client.force_login(hr)
    assert client.get(reverse("hr:person", args=[bergen_learner.pk])).status_code == 404
    people = client.get(reverse("hr:people")).content.decode()
    assert "leder@bergen.example" not in people and "Haugland" not in people


def test_the_person_accepts_the_invitation_themselves_and_then_belongs_to_both(
    client, trondheim, bergen_learner
):
    _import(trondheim, HEADER + f"X Y;leder@bergen.example;{UNIT};leder;\n", dry_run=False)
    invitation = MembershipInvitation.objects.get(user=bergen_learner)
    other = User.objects.get(email="leder@trondheim.example")
    client.force_login(other)
    answer = reverse("learners:invitation_answer", args=[invitation.pk])
    assert client.post(answer, {"answer": "accept"}).status_code == 404  # not theirs
    client.force_login(bergen_learner)
    page = client.get(reverse("learners:invitations")).content.decode()
    assert "Trondheim" in page
    assert client.post(answer, {"answer": "accept"}).status_code == 302
    membership = Membership.objects.get(user=bergen_learner, municipality=trondheim)
    assert membership.org_unit.name == "Hjemmetjenester Midtbyen"
    assert UnitManager.objects.filter(user=bergen_learner, org_unit=membership.org_unit).exists()
    # Now in both: Trondheim may move them, but never rename them, and Bergen can no longer
    # erase them alone.
    moved = _import(
        trondheim,
        HEADER + "Annet Navn;leder@bergen.example;Organisasjon > HR og personal;deltaker;\n",
        dry_run=False,
    )
    assert _rows(moved) == [("change", ["Enhet"], [])]
    bergen_learner.refresh_from_db()
    assert bergen_learner.first_name == "Ingrid"
    bergen = Municipality.objects.get(number="4601")
    assert not account_belongs_to_alone(user=bergen_learner, municipality=bergen)
    with pytest.raises(ErasureRefused):
        erasure_check(user=bergen_learner, actor=None, municipality=bergen)


def test_a_declined_invitation_leaves_no_membership_and_another_can_follow(
    trondheim, bergen_learner
):
    plan = person_bring_into_municipality(
        municipality=trondheim, email="leder@bergen.example", first_name="A", last_name="B"
    )
    assert plan.outcome == Outcome.INVITED and plan.user is None
    invitation_answer(invitation_id=plan.invitation.pk, user=bergen_learner, accept=False)
    assert not Membership.objects.filter(user=bergen_learner, municipality=trondheim).exists()
    again = person_plan(
        municipality=trondheim, email="leder@bergen.example", first_name="A", last_name="B"
    )
    assert (again.outcome, again.changes) == (Outcome.INVITED, ["Ny person"])


def test_bergen_can_still_erase_its_own_employee_after_trondheim_tried_to_import_them(
    trondheim, bergen_learner
):
    _import(trondheim, HEADER + f"X Y;leder@bergen.example;{UNIT};deltaker;\n", dry_run=False)
    bergen = Municipality.objects.get(number="4601")
    erasure_check(user=bergen_learner, actor=None, municipality=bergen)  # does not raise
    assert account_belongs_to_alone(user=bergen_learner, municipality=bergen)


def test_a_municipality_renames_and_re_addresses_only_accounts_that_are_its_alone(trondheim):
    unit = OrgUnit.objects.get(municipality=trondheim, name="Rosenborg skole")
    created = person_bring_into_municipality(
        municipality=trondheim, email="Ola@Trondheim.example", first_name="Ola",
        last_name="Nordmann", org_unit=unit,
    )  # fmt: skip
    assert created.outcome == Outcome.INVITED and created.created_user is not None
    user = created.created_user
    updated = person_bring_into_municipality(
        municipality=trondheim, email="ola.nordmann@trondheim.example", first_name="Ola",
        last_name="Nordmann-Berg", org_unit=unit, user=user,
    )  # fmt: skip
    assert (updated.outcome, updated.changes) == (Outcome.CHANGED, ["Navn", "E-post"])
    user.refresh_from_db()
    assert (user.email, user.last_name) == ("ola.nordmann@trondheim.example", "Nordmann-Berg")
    assert AuditLog.objects.filter(action="person.update", target_id=str(updated.membership.pk))


def test_a_staff_account_in_the_municipality_is_never_renamed_by_it(staff):
    bergen = Municipality.objects.get(number="4601")
    plan = person_bring_into_municipality(
        municipality=bergen, email=staff.email, first_name="Nytt", last_name="Navn"
    )
    assert plan.outcome == Outcome.UNCHANGED
    staff.refresh_from_db()
    assert staff.first_name == "Kari"


def test_an_ended_membership_is_restored_by_its_municipality_and_keeps_its_claim(
    trondheim, bergen_learner
):
    bergen = Municipality.objects.get(number="4601")
    membership = Membership.objects.get(user=bergen_learner, municipality=bergen)
    unit_id = membership.org_unit_id
    membership_end(membership=membership)
    assert EndedMembership.objects.filter(user=bergen_learner, municipality=bergen).exists()
    # Still Bergen's: Trondheim only invites, Bergen restores with the same unit.
    assert (
        person_plan(
            municipality=trondheim, email=bergen_learner.email, first_name="I", last_name="H"
        ).invitation
        is None
    )
    assert not account_belongs_to_alone(user=bergen_learner, municipality=trondheim)
    restored = person_bring_into_municipality(
        municipality=bergen, email=bergen_learner.email, first_name="Ingrid",
        last_name="Haugland",
    )  # fmt: skip
    assert restored.changes[0] == "Gjenopprettet"
    assert restored.membership.org_unit_id == unit_id
    assert not EndedMembership.objects.filter(user=bergen_learner).exists()
