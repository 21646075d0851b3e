"""SCIM provisioning with two municipalities (Bergen 4601 and Trondheim 5001 from the seed):
a token sees and changes only its own municipality's people; existing accounts elsewhere are
never renamed or attached and the answer never tells; ending a membership keeps history."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.test import override_settings

from learners.models import (
    AssignmentPerson,
    AuditLog,
    EndedMembership,
    Enrolment,
    Membership,
    MembershipInvitation,
    Municipality,
    ScimToken,
    User,
)
from learners.permissions import HRScope
from learners.selectors.reports import Filters, assigned_rows
from learners.selectors.scim import token_digest as selectors_digest
from learners.services.assignments import assignment_create
from learners.services.certificates import certificate_issue
from learners.services.reminders import reminders_send
from learners.services.scim import scim_token_issue, scim_token_revoke
from tests.learners.hr_support import complete_course, course_make, person, unit

pytestmark = pytest.mark.django_db

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.fixture
def bergen(db):
    return Municipality.objects.get(number="4601")


@pytest.fixture
def trondheim(db):
    return Municipality.objects.get(number="5001")


class Scim:
    """A provisioning client of one municipality, through Django's test client."""

    def __init__(self, client, token):
        self.client, self.token = client, token

    def __call__(self, method, path, body=None, **params):
        response = getattr(self.client, method.lower())(
            f"/scim/v2/{path}",
            data=json.dumps(body) if body is not None else params or None,
            content_type="application/scim+json" if body is not None else None,
            HTTP_AUTHORIZATION=f"Bearer {self.token}",
        ) if body is not None else getattr(self.client, method.lower())(
            f"/scim/v2/{path}", params, HTTP_AUTHORIZATION=f"Bearer {self.token}"
        )  # fmt: skip
        payload = json.loads(response.content) if response.content else None
        return response.status_code, payload

    def create(self, email, given="Kari", family="Nordmann", **extra):
        body = {
            "schemas": [USER],
            "userName": email,
            "name": {"givenName": given, "familyName": family},
            "emails": [{"value": email, "type": "work", "primary": True}],
            **extra,
        }
        return self("POST", "Users", body)

    def patch(self, path, *operations):
        return self("PATCH", path, {"schemas": [PATCH], "Operations": list(operations)})


@pytest.fixture
def scim_bergen(client, bergen):
    # The rate limit counts per token id, in the cache; SQLite gives a new test's token the
    # id an earlier test's had.
    from django.core.cache import cache

    cache.clear()
    return Scim(client, scim_token_issue(municipality=bergen, actor=None))


@pytest.fixture
def scim_trondheim(client, trondheim):
    return Scim(client, scim_token_issue(municipality=trondheim, actor=None))


# --- Tokens -------------------------------------------------------------------------------


def test_the_token_is_stored_only_as_a_digest_and_every_use_is_audited(bergen, scim_bergen):
    stored = ScimToken.objects.get(municipality=bergen)
    assert scim_bergen.token not in (stored.digest, stored.hint)
    status, _ = scim_bergen("GET", "Users")
    assert status == 200
    row = AuditLog.objects.filter(action="scim.request", municipality=bergen).first()
    assert row.data == {"method": "GET", "path": "/scim/v2/Users", "status": 200}


def test_the_hr_log_shows_the_tokens_life_but_not_every_request(bergen, scim_bergen):
    from learners.selectors.audit import hr_log

    scim_bergen("GET", "Users")
    actions = set(hr_log(municipality=bergen).values_list("action", flat=True))
    assert "scim.token_create" in actions and "scim.request" not in actions


def test_no_token_a_wrong_token_and_a_revoked_token_get_a_scim_401(client, bergen, scim_bergen):
    assert Scim(client, "endra_scim_wrong")("GET", "Users")[0] == 401
    response = client.get("/scim/v2/Users")
    assert response.status_code == 401 and json.loads(response.content)["schemas"] == [ERROR]
    scim_token_revoke(municipality=bergen, actor=None)
    assert scim_bergen("GET", "Users")[0] == 401


def test_rotating_the_token_stops_the_old_one(bergen, client, scim_bergen):
    new = Scim(client, scim_token_issue(municipality=bergen, actor=None))
    assert scim_bergen("GET", "Users")[0] == 401
    assert new("GET", "Users")[0] == 200
    assert AuditLog.objects.filter(action="scim.token_rotate", municipality=bergen).exists()


@override_settings(SCIM_RATE_LIMIT=(3, 60))
def test_a_token_over_its_rate_limit_gets_a_scim_429(scim_bergen):
    statuses = [scim_bergen("GET", "Users")[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


# --- Tenancy ------------------------------------------------------------------------------


def test_a_bergen_token_cannot_read_change_or_deactivate_a_trondheim_person(
    scim_bergen, scim_trondheim, trondheim
):
    status, created = scim_trondheim.create("ola@trondheim.example", "Ola", "Hansen")
    assert status == 201
    path = f"Users/{created['id']}"
    assert scim_bergen("GET", path)[0] == 404
    assert scim_bergen.patch(path, {"op": "replace", "path": "active", "value": False})[0] == 404
    replaced = {"schemas": [USER], "userName": "x@bergen.example", "emails": [{"value": "x@b.no"}]}
    assert scim_bergen("PUT", path, replaced)[0] == 404
    assert scim_bergen("DELETE", path)[0] == 404
    _, found = scim_bergen("GET", "Users", filter='userName eq "ola@trondheim.example"')
    assert found["totalResults"] == 0
    ola = User.objects.get(email="ola@trondheim.example")
    assert ola.first_name == "Ola"
    assert Membership.objects.filter(user=ola, municipality=trondheim).exists()
    assert scim_trondheim("GET", path)[1]["active"] is True


def test_a_bergen_token_cannot_put_a_trondheim_person_in_a_group(scim_bergen, scim_trondheim):
    _, foreign = scim_trondheim.create("ola@trondheim.example")
    body = {
        "schemas": [GROUP],
        "displayName": "Bergen sentrum",
        "members": [{"value": foreign["id"]}],
    }
    status, error = scim_bergen("POST", "Groups", body)
    assert status == 400 and error["scimType"] == "invalidValue"


def test_a_name_holding_an_identity_number_is_refused_as_a_scim_error(scim_bergen):
    status, error = scim_bergen.create("ola@bergen.example", family="Nordmann 010190 12345")
    assert status == 400 and error["scimType"] == "invalidValue"
    assert not User.objects.filter(email="ola@bergen.example").exists()


# --- Ownership ----------------------------------------------------------------------------


def _shape(payload):
    return {k: v for k, v in payload.items() if k not in ("id", "meta")}


def test_an_e_mail_with_a_trondheim_only_account_reads_exactly_like_a_new_one(
    scim_bergen, scim_trondheim, bergen, trondheim
):
    scim_trondheim.create("ola@trondheim.example", "Ola", "Hansen")
    _, existing = scim_bergen.create("ola@trondheim.example", "Olav", "Feil")
    _, new = scim_bergen.create("ny@bergen.example", "Olav", "Feil")
    assert sorted(existing) == sorted(new)
    assert _shape(existing) | {"userName": "-", "emails": "-"} == _shape(new) | {
        "userName": "-",
        "emails": "-",
    }
    ola = User.objects.get(email="ola@trondheim.example")
    assert (ola.first_name, ola.last_name) == ("Ola", "Hansen")  # never renamed
    assert not Membership.objects.filter(user=ola, municipality=bergen).exists()  # not attached
    assert MembershipInvitation.objects.filter(user=ola, municipality=bergen).exists()
    # Bergen's later changes go to its own record and the invitation, never to the account.
    scim_bergen.patch(
        f"Users/{existing['id']}", {"op": "replace", "path": "name.givenName", "value": "O"}
    )
    ola.refresh_from_db()
    assert ola.first_name == "Ola"
    assert scim_bergen("GET", f"Users/{existing['id']}")[1]["name"]["givenName"] == "O"


def test_a_staff_account_is_never_renamed_or_attached(scim_bergen, bergen):
    staff = User.objects.get(email="redaktor@endra.example")
    before = (staff.first_name, staff.last_name, staff.email)
    memberships = set(Membership.objects.filter(user=staff).values_list("pk", "municipality_id"))
    status, _ = scim_bergen.create("redaktor@endra.example", "Falsk", "Navn")
    assert status == 201
    staff.refresh_from_db()
    assert (staff.first_name, staff.last_name, staff.email) == before
    after = set(Membership.objects.filter(user=staff).values_list("pk", "municipality_id"))
    assert after == memberships


def test_the_municipalitys_own_member_is_updated(scim_bergen, bergen):
    kari = person(bergen, name="Kari Nordmann", email="kari@bergen.example")
    scim_bergen.create("kari@bergen.example", "Kari", "Olsen")
    kari.refresh_from_db()
    assert kari.last_name == "Olsen"


def test_a_new_person_gets_an_account_and_membership(scim_bergen, bergen):
    status, created = scim_bergen.create("ny@bergen.example", "Nina", "Ny")
    assert status == 201 and created["active"] is True
    nina = User.objects.get(email="ny@bergen.example")
    assert Membership.objects.filter(user=nina, municipality=bergen).exists()
    assert mail.outbox == [] or all("ny@bergen.example" in m.to for m in mail.outbox)


def test_a_second_user_with_the_same_user_name_is_a_uniqueness_conflict(scim_bergen):
    from learners.models import AuditLog

    def written():
        return {
            action: AuditLog.objects.filter(action=action).count()
            for action in ("person.create", "membership.create", "scim.request")
        }

    scim_bergen.create("ny@bergen.example")
    before = written()
    status, error = scim_bergen.create("NY@bergen.example")
    assert status == 409 and error["scimType"] == "uniqueness"
    # The same userName with another address: the constraint refuses it, nothing stays.
    status, error = scim_bergen.create("annen@bergen.example", userName="NY@BERGEN.example")
    assert status == 409 and error["scimType"] == "uniqueness"
    assert not User.objects.filter(email="annen@bergen.example").exists()
    # A refused request is rolled back whole, the audit rows of its account and membership
    # too; the request itself is still audited, with its answer.
    after = written()
    assert after["person.create"] == before["person.create"]
    assert after["membership.create"] == before["membership.create"]
    assert after["scim.request"] == before["scim.request"] + 2
    last = AuditLog.objects.filter(action="scim.request").order_by("-id").first()
    assert last.data["status"] == 409 and last.data["method"] == "POST"


# --- Deactivation, groups -----------------------------------------------------------------


def test_deactivation_ends_the_membership_here_only_and_keeps_history(
    scim_bergen, bergen, trondheim
):
    hjemme = unit(bergen, "Hjemmetjenesten")
    course = course_make()
    assignment_create(
        municipality=bergen, actor=None, target="unit", org_unit=hjemme, course=course,
        due_date=dt.date.today() + dt.timedelta(days=2),
    )  # fmt: skip
    _, group = scim_bergen("POST", "Groups", {"schemas": [GROUP], "displayName": "Hjemmetjenesten"})
    _, created = scim_bergen.create("ny@bergen.example", "Nina", "Ny")
    scim_bergen.patch(
        f"Groups/{group['id']}",
        {"op": "add", "path": "members", "value": [{"value": created["id"]}]},
    )
    nina = User.objects.get(email="ny@bergen.example")
    membership_create_in_trondheim = Membership.objects.create(user=nina, municipality=trondheim)
    assert Membership.objects.get(user=nina, municipality=bergen).org_unit == hjemme
    assert AssignmentPerson.objects.filter(user=nina, assignment__course=course).exists()
    certificate = certificate_issue(enrolment=complete_course(nina, course))
    scope = HRScope(municipality=bergen, can_edit=True)
    assert assigned_rows(scope=scope, filters=Filters()).filter(user=nina).exists()

    status, body = scim_bergen.patch(
        f"Users/{created['id']}", {"op": "replace", "path": "active", "value": "False"}
    )
    assert status == 200 and body["active"] is False
    assert not Membership.objects.filter(user=nina, municipality=bergen).exists()
    assert Membership.objects.filter(pk=membership_create_in_trondheim.pk).exists()
    assert EndedMembership.objects.filter(user=nina, municipality=bergen).exists()
    assert Enrolment.objects.get(user=nina, course=course).completed_at is not None
    assert nina.certificates.get() == certificate
    assert not assigned_rows(scope=scope, filters=Filters()).filter(user=nina).exists()

    status, body = scim_bergen.patch(
        f"Users/{created['id']}", {"op": "replace", "path": "active", "value": True}
    )
    assert status == 200 and body["active"] is True
    assert Membership.objects.get(user=nina, municipality=bergen).org_unit == hjemme


def test_an_ended_member_gets_no_reminders(scim_bergen, bergen):
    course = course_make()
    _, created = scim_bergen.create("ny@bergen.example", "Nina", "Ny")
    nina = User.objects.get(email="ny@bergen.example")
    assignment_create(
        municipality=bergen, actor=None, target="people", people=[nina], course=course,
        due_date=dt.date.today() + dt.timedelta(days=1),
    )  # fmt: skip
    assert scim_bergen("DELETE", f"Users/{created['id']}")[0] == 204
    mail.outbox.clear()
    reminders_send()
    assert not [m for m in mail.outbox if "ny@bergen.example" in m.to]
    assert scim_bergen("GET", f"Users/{created['id']}")[0] == 404
    assert EndedMembership.objects.filter(user=nina, municipality=bergen).exists()


def test_moving_a_person_to_another_group_moves_them_and_their_unit_assignments_follow(
    scim_bergen, bergen
):
    course = course_make()
    _, first = scim_bergen("POST", "Groups", {"schemas": [GROUP], "displayName": "Skole A"})
    _, second = scim_bergen("POST", "Groups", {"schemas": [GROUP], "displayName": "Skole B"})
    _, created = scim_bergen.create("ny@bergen.example")
    member = [{"value": created["id"]}]
    scim_bergen.patch(f"Groups/{first['id']}", {"op": "add", "path": "members", "value": member})
    second_unit = (
        Membership.objects.get(user__email="ny@bergen.example")
        .org_unit.get_siblings()
        .get(name="Skole B")
    )
    assignment_create(
        municipality=bergen, actor=None, target="unit", org_unit=second_unit, course=course
    )
    scim_bergen.patch(
        f"Groups/{first['id']}", {"op": "remove", "path": f'members[value eq "{created["id"]}"]'}
    )
    scim_bergen.patch(f"Groups/{second['id']}", {"op": "add", "path": "members", "value": member})
    membership = Membership.objects.get(user__email="ny@bergen.example", municipality=bergen)
    assert membership.org_unit.name == "Skole B"
    assert AssignmentPerson.objects.filter(user=membership.user, assignment__course=course).exists()
    _, user = scim_bergen("GET", f"Users/{created['id']}")
    assert [g["display"] for g in user["groups"]] == ["Skole B"]
    assert scim_bergen("GET", f"Groups/{first['id']}")[1].get("members") is None


# --- Queries and errors -------------------------------------------------------------------


def test_filters_eq_sw_and_and_pagination(scim_bergen):
    for name in ("anne", "anders", "berit"):
        scim_bergen.create(f"{name}@bergen.example", name.title(), "Lie", externalId=f"e-{name}")
    _, found = scim_bergen("GET", "Users", filter='userName sw "an"')
    assert found["totalResults"] == 2
    _, found = scim_bergen("GET", "Users", filter='userName sw "an" and externalId eq "e-anne"')
    assert [r["userName"] for r in found["Resources"]] == ["anne@bergen.example"]
    _, found = scim_bergen("GET", "Users", filter='emails[value eq "BERIT@bergen.example"]')
    assert found["totalResults"] == 1
    _, page = scim_bergen("GET", "Users", startIndex="2", count="1")
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (3, 2, 1)
    assert page["Resources"][0]["userName"] == "anders@bergen.example"


def test_a_bad_filter_is_a_scim_invalid_filter_error(scim_bergen):
    status, error = scim_bergen("GET", "Users", filter='userName eq "x" and (')
    assert status == 400 and error["schemas"] == [ERROR] and error["scimType"] == "invalidFilter"


# --- The platform administrator's token page ----------------------------------------------


def _admin(client, *, superuser=True):
    from tests.factories import UserFactory
    from tests.learners.hr_support import totp_for

    admin = UserFactory(is_staff=True, is_superuser=superuser)
    totp_for(admin)
    client.force_login(admin)
    return admin


def test_a_platform_admin_sees_a_new_token_once_and_can_revoke_it(client, bergen):
    admin = _admin(client)
    url = f"/django-admin/learners/municipality/{bergen.pk}/scim-token/"
    shown = client.post(url, {"action": "issue"}).content.decode()
    stored = ScimToken.objects.get(municipality=bergen)
    token = next(
        w for w in shown.replace('"', " ").split() if w.startswith("endra_scim_") and len(w) > 30
    )
    assert selectors_digest(token) == stored.digest
    assert token not in client.get(url).content.decode()
    assert AuditLog.objects.filter(action="scim.token_create", actor=admin).exists()
    client.post(url, {"action": "revoke"})
    assert not ScimToken.objects.filter(municipality=bergen).exists()


def test_staff_who_are_not_platform_admins_cannot_touch_tokens(client, bergen):
    _admin(client, superuser=False)
    url = f"/django-admin/learners/municipality/{bergen.pk}/scim-token/"
    assert client.post(url, {"action": "issue"}).status_code in (302, 403)
    assert not ScimToken.objects.filter(municipality=bergen).exists()


# --- Microsoft Entra ID's payloads, as its provisioning service sends them ----------------

ENTRA_USER = {
    "schemas": [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "kari.nordmann@bergen.kommune.example",
    "active": True,
    "emails": [{"primary": True, "type": "work", "value": "kari.nordmann@bergen.kommune.example"}],
    "meta": {"resourceType": "User"},
    "name": {"formatted": "Kari Nordmann", "familyName": "Nordmann", "givenName": "Kari"},
    "roles": [],
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
        "department": "Divisjon for prøver",
        "employeeNumber": "1234",
    },
}


def test_entra_ids_test_connection_and_user_life_cycle_work(scim_bergen, bergen):
    status, found = scim_bergen("GET", "Users", filter='userName eq "non-existent user"')
    assert status == 200 and found["totalResults"] == 0
    status, created = scim_bergen("POST", "Users", ENTRA_USER)
    assert status == 201, created
    assert created["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] == {
        "department": "Divisjon for prøver"
    }
    path = f"Users/{created['id']}"
    status, body = scim_bergen.patch(
        path,
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "kari@bergen.example"},
        {"op": "Replace", "path": "name.familyName", "value": "Olsen"},
    )
    assert status == 200, body
    kari = User.objects.get(email="kari@bergen.example")
    assert kari.last_name == "Olsen"
    status, body = scim_bergen.patch(path, {"op": "Replace", "path": "active", "value": "False"})
    assert status == 200 and body["active"] is False
    assert not Membership.objects.filter(user=kari, municipality=bergen).exists()


def test_entra_ids_group_payloads_work(scim_bergen, bergen):
    _, created = scim_bergen("POST", "Users", ENTRA_USER)
    body = {
        "schemas": [GROUP, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group"],
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "displayName": "Hjemmesykepleien",
        "meta": {"resourceType": "Group"},
    }
    status, group = scim_bergen("POST", "Groups", body)
    assert status == 201, group
    path = f"Groups/{group['id']}"
    member = [{"$ref": None, "value": created["id"]}]
    status, _ = scim_bergen.patch(path, {"op": "Add", "path": "members", "value": member})
    assert status == 200
    assert (
        Membership.objects.get(
            user__email=ENTRA_USER["userName"], municipality=bergen
        ).org_unit.name
        == "Hjemmesykepleien"
    )
    status, listed = scim_bergen("GET", path, excludedAttributes="members")
    assert status == 200 and "members" not in listed
    status, _ = scim_bergen.patch(path, {"op": "Remove", "path": "members", "value": member})
    assert status == 200
    assert scim_bergen("GET", path)[1].get("members") is None


def test_listing_groups_takes_the_same_number_of_queries_for_many(
    scim_bergen, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert scim_bergen("GET", "Groups")[0] == 200
            assert scim_bergen("GET", "Users")[0] == 200
        return len(captured)

    _, person = scim_bergen.create("en@bergen.example")
    scim_bergen(
        "POST",
        "Groups",
        {"schemas": [GROUP], "displayName": "A", "members": [{"value": person["id"]}]},
    )
    few = queries()
    for i in range(5):
        _, person = scim_bergen.create(f"p{i}@bergen.example")
        scim_bergen(
            "POST",
            "Groups",
            {"schemas": [GROUP], "displayName": f"G{i}", "members": [{"value": person["id"]}]},
        )
    assert queries() == few


# --- Cost of provisioning -----------------------------------------------------------------


def test_provisioning_a_person_and_patching_them_take_a_fixed_few_queries(
    scim_bergen, django_assert_num_queries
):
    scim_bergen.create("first@bergen.example")  # the token's first use records last_used_at
    # token, transaction, account, 3 inserts, assignments, the SCIM record (its userName
    # unique by constraint), the three audit rows (membership, person, request) in one
    # INSERT, commit. No savepoint: a refused request is rolled back whole. No roll-up
    # refresh: a new account has no rows to recount (an assignment that reaches it counts it
    # as it adds it; tests/learners/services/test_rollups.py checks the sums).
    with django_assert_num_queries(10):
        status, created = scim_bergen.create("ny@bergen.example", "Nina", "Ny")
    assert status == 201
    rename = {"op": "replace", "path": "name.familyName", "value": "Nyhus"}
    with django_assert_num_queries(20):
        assert scim_bergen.patch(f"Users/{created['id']}", rename)[0] == 200
    assert User.objects.get(email="ny@bergen.example").last_name == "Nyhus"
    # The same PATCH again changes nothing and writes only the SCIM record and the audit row.
    with django_assert_num_queries(15):
        assert scim_bergen.patch(f"Users/{created['id']}", rename)[0] == 200


# --- The unit from an attribute -----------------------------------------------------------


def _unit_from(bergen, attribute):
    from learners.services.scim import scim_config_set

    scim_config_set(municipality=bergen, unit_attribute=attribute, actor=None)


def test_a_configured_department_gives_the_unit_and_a_new_department_moves_the_person(
    scim_bergen, bergen
):
    _unit_from(bergen, "department")
    first, second = unit(bergen, "Skole A"), unit(bergen, "Skole B")
    course = course_make()
    assignment_create(
        municipality=bergen, actor=None, target="unit", org_unit=second, course=course
    )
    status, created = scim_bergen.create(
        "ny@bergen.example", schemas=[USER, ENTERPRISE], **{ENTERPRISE: {"department": "skole a"}}
    )
    assert status == 201, created
    membership = Membership.objects.get(user__email="ny@bergen.example", municipality=bergen)
    assert membership.org_unit == first
    status, changed = scim_bergen.patch(
        f"Users/{created['id']}",
        {"op": "replace", "path": f"{ENTERPRISE}:department", "value": "Skole B"},
    )
    assert status == 200 and changed[ENTERPRISE]["department"] == "Skole B"
    membership.refresh_from_db()
    assert membership.org_unit == second
    assert AssignmentPerson.objects.filter(user=membership.user, assignment__course=course).exists()


def test_another_enterprise_attribute_can_give_the_unit_and_is_kept(scim_bergen, bergen):
    _unit_from(bergen, "division")
    division = unit(bergen, "Divisjon for prøver")
    status, created = scim_bergen.create(
        "ny@bergen.example",
        schemas=[USER, ENTERPRISE],
        **{ENTERPRISE: {"department": "Legevakt", "division": "Divisjon for prøver"}},
    )
    assert status == 201, created
    assert Membership.objects.get(user__email="ny@bergen.example").org_unit == division
    _, shown = scim_bergen("GET", f"Users/{created['id']}")
    assert shown[ENTERPRISE]["division"] == "Divisjon for prøver"
    assert shown[ENTERPRISE]["department"] == "Legevakt"


def test_a_department_that_names_no_unit_is_a_scim_error_and_creates_nobody(scim_bergen, bergen):
    _unit_from(bergen, "department")
    status, error = scim_bergen.create(
        "ny@bergen.example", schemas=[USER, ENTERPRISE], **{ENTERPRISE: {"department": "Ukjent"}}
    )
    assert status == 400 and error["schemas"] == [ERROR]
    assert error["scimType"] == "invalidValue" and "Ukjent" in error["detail"]
    assert not User.objects.filter(email="ny@bergen.example").exists()


def test_with_the_unit_from_an_attribute_groups_do_not_move_people(scim_bergen, bergen):
    _unit_from(bergen, "department")
    _, group = scim_bergen("POST", "Groups", {"schemas": [GROUP], "displayName": "Skole A"})
    _, created = scim_bergen.create(
        "ny@bergen.example", schemas=[USER, ENTERPRISE], **{ENTERPRISE: {"department": "Skole A"}}
    )
    # The group shows who the attribute put in its unit ...
    _, shown = scim_bergen("GET", f"Groups/{group['id']}")
    assert [m["value"] for m in shown["members"]] == [created["id"]]
    # ... and asking it for other members is refused.
    status, error = scim_bergen.patch(
        f"Groups/{group['id']}", {"op": "remove", "path": f'members[value eq "{created["id"]}"]'}
    )
    assert status == 400 and error["scimType"] == "mutability"
    assert Membership.objects.get(user__email="ny@bergen.example").org_unit.name == "Skole A"


def test_the_unit_setting_outlives_a_rotated_token_and_is_audited(bergen, client):
    from learners.models import ScimConfig

    _unit_from(bergen, "department")
    scim_token_issue(municipality=bergen, actor=None)
    scim_token_issue(municipality=bergen, actor=None)
    assert ScimConfig.objects.get(municipality=bergen).unit_attribute == "department"
    assert AuditLog.objects.filter(action="scim.config_update", municipality=bergen).exists()
