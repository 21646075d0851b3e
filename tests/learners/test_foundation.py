import csv
import re
from pathlib import Path

import pytest
from django.urls import reverse

from learners.models import AuditLog, Membership, Municipality, OrgUnit, User
from learners.services.memberships import membership_create
from learners.services.org import org_unit_ensure_path
from tests.factories import MembershipFactory, OrgUnitFactory

SHARED_CSV = Path(__file__).resolve().parents[2] / "learners" / "data" / "municipalities.csv"


@pytest.mark.django_db
def test_all_357_municipalities_are_loaded_by_migrate_with_number_name_and_county():
    rows = list(csv.DictReader(SHARED_CSV.open(encoding="utf-8")))
    assert len(rows) == 357
    assert Municipality.objects.count() == 357
    bergen = Municipality.objects.get(number="4601")
    assert (bergen.name, bergen.county_name) == ("Bergen", "Vestland")
    assert Municipality.objects.get(number="5001").name.startswith("Trondheim")


@pytest.mark.django_db
def test_municipalities_that_share_a_name_show_their_county_in_the_sign_up_list(client, db):
    html = client.get(reverse("account_signup")).content.decode()
    # Nordland's official name is bilingual: "Nordland - Nordlánnda".
    assert re.search(r">Herøy \(Nordland[^<]*\)</option>", html)
    assert ">Herøy (Møre og Romsdal)</option>" in html
    assert html.count(">Våler (") == 2
    assert ">Bergen</option>" in html  # a name of its own needs no county


def test_a_shared_name_carries_its_county_wherever_the_municipality_is_named(client, db):
    from learners.models import Municipality
    from learners.services.memberships import membership_create
    from tests.factories import UserFactory

    heroy = Municipality.objects.get(name="Herøy", county_name__startswith="Nordland")
    label = f"Herøy ({heroy.county_name})"
    assert str(heroy) == heroy.label == label
    user = UserFactory()
    membership_create(user=user, municipality=heroy)
    client.force_login(user)
    assert label in client.get(reverse("learners:profile")).content.decode()
    units = client.get(reverse("learners:municipality_units", args=[heroy.number])).json()
    assert units["municipality"] == label


def test_org_units_form_a_tree_per_municipality(bergen, oslo):
    school = org_unit_ensure_path(municipality=bergen, names=["Oppvekst", "Skoler", "Nygård"])
    again = org_unit_ensure_path(municipality=bergen, names=["Oppvekst", "Skoler", "Nygård"])
    assert school.pk == again.pk
    assert school.path_names() == ["Oppvekst", "Skoler", "Nygård"]
    assert school.depth == 3
    org_unit_ensure_path(municipality=oslo, names=["Oppvekst"])
    bergen_top = OrgUnit.objects.get(municipality=bergen, depth=1, name="Oppvekst")
    descendants = list(bergen_top.get_descendants().values_list("name", flat=True))
    assert "Skoler" in descendants and "Nygård" in descendants
    assert not OrgUnit.objects.get(municipality=oslo, name="Oppvekst").get_descendants()


@pytest.mark.django_db
def test_a_person_may_belong_to_more_than_one_municipality(bergen, oslo):
    membership = MembershipFactory(municipality=bergen)
    membership_create(user=membership.user, municipality=oslo)
    assert set(membership.user.memberships.values_list("municipality__number", flat=True)) == {
        "4601",
        "0301",
    }


@pytest.mark.django_db
def test_membership_refuses_a_unit_from_another_municipality(bergen, oslo):
    oslo_unit = OrgUnitFactory(municipality=oslo)
    user = User.objects.create_user(email="a@b.example", password="x")
    with pytest.raises(ValueError, match="another municipality"):
        membership_create(user=user, municipality=bergen, org_unit=oslo_unit)
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_membership_create_writes_an_audit_row_that_cannot_be_changed(bergen):
    user = User.objects.create_user(email="a@b.example", password="x")
    membership_create(user=user, municipality=bergen, actor=user)
    entry = AuditLog.objects.get(
        action="membership.create", target_id=str(user.memberships.get().pk)
    )
    assert entry.municipality == bergen and entry.actor == user
    entry.action = "forged"
    with pytest.raises(ValueError, match="cannot be changed"):
        entry.save()
    with pytest.raises(ValueError, match="cannot be deleted"):
        entry.delete()


@pytest.mark.django_db
def test_sign_up_as_a_manager_in_bergen_then_verify_and_log_in(client, mailoutbox, bergen):
    unit = OrgUnitFactory(municipality=bergen, name="Hjemmetjenesten Årstad")
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    assert "Kommune" in page.content.decode()
    response = client.post(
        reverse("account_signup"),
        {
            "email": "ny.leder@bergen.example",
            "password1": "Sterk-passord-2026",
            "password2": "Sterk-passord-2026",
            "first_name": "Nora",
            "last_name": "Vik",
            "municipality": "4601",
            "org_unit": str(unit.pk),
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="ny.leder@bergen.example")
    membership = user.memberships.get()
    assert (membership.municipality, membership.org_unit) == (bergen, unit)
    assert len(mailoutbox) == 1
    assert "Bekreft" in mailoutbox[0].subject or "bekreft" in mailoutbox[0].body.lower()
    link = next(line for line in mailoutbox[0].body.splitlines() if "/konto/" in line)
    confirm_path = link[link.index("/konto/") :].strip()
    assert client.post(confirm_path).status_code == 302
    client.logout()
    login = client.post(
        reverse("account_login"),
        {"login": "ny.leder@bergen.example", "password": "Sterk-passord-2026"},
    )
    assert login.status_code == 302
    assert client.get("/profil/").status_code == 200


@pytest.mark.django_db
def test_sign_up_rejects_a_unit_from_another_municipality_with_a_clear_error(client, bergen, oslo):
    oslo_unit = OrgUnitFactory(municipality=oslo, name="Bydel Frogner")
    response = client.post(
        reverse("account_signup"),
        {
            "email": "feil@bergen.example",
            "password1": "Sterk-passord-2026",
            "password2": "Sterk-passord-2026",
            "first_name": "Nora",
            "last_name": "Vik",
            "municipality": "4601",
            "org_unit": str(oslo_unit.pk),
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="feil@bergen.example").exists()
    assert 'aria-invalid="true"' in response.content.decode()


@pytest.mark.django_db
def test_units_endpoint_lists_only_that_municipalitys_units(client, bergen, oslo):
    OrgUnitFactory(municipality=bergen, name="Bergen-enhet")
    OrgUnitFactory(municipality=oslo, name="Oslo-enhet")
    names = [u["name"] for u in client.get("/kommuner/4601/enheter.json").json()["units"]]
    assert "Bergen-enhet" in names and "Oslo-enhet" not in names
    assert client.get("/kommuner/9999/enheter.json").status_code == 404


@pytest.mark.django_db
def test_profile_unit_of_someone_else_gives_404(client, learner, other_learner):
    client.force_login(learner)
    foreign = other_learner.memberships.get()
    response = client.post(f"/profil/enhet/{foreign.pk}/", {"org_unit": ""})
    assert response.status_code == 404


@pytest.mark.django_db
def test_hr_users_find_the_hr_overview_from_their_profile(client, demo):
    client.force_login(User.objects.get(email="hr@bergen.example"))
    assert "/hr/" in client.get("/profil/").content.decode()
    client.force_login(User.objects.get(email="leder@bergen.example"))
    assert 'href="/hr/"' not in client.get("/profil/").content.decode()
