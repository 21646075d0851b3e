"""Privacy: a person's own data export, erasure by HR or a platform admin, retention."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db.models import ForeignKey, OneToOneField
from django.urls import reverse
from django.utils import timezone

from learners import openbadges as ob
from learners.models import (
    AuditLog,
    Certificate,
    Enrolment,
    Membership,
    MunicipalitySettings,
    ReflectionAnswer,
    User,
)
from learners.permissions import HRScope
from learners.privacy_areas import AREAS, ERASED_LEARNER_NAME
from learners.selectors.reports import Filters, dashboard
from learners.services import certificates as certificate_services
from learners.services.assignments import assignment_create
from learners.services.privacy import (
    ErasureRefused,
    is_erased,
    person_erase,
    retention_anonymise,
)
from tests.factories import MunicipalityFactory
from tests.learners.hr_support import complete_course, course_make, person, totp_for, unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    settings.ENDRA_SIGNING_KEY = ob.private_key_to_multibase(ob.generate_private_key())
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db):
    """Two municipalities; in Fjordvik two people in one unit, both completing a course."""
    fjordvik, annen = MunicipalityFactory(name="Fjordvik"), MunicipalityFactory(name="Annenvik")
    helse = unit(fjordvik, "Helse")
    hr = person(fjordvik, None, name="Hanne HR", is_hr=True)
    totp_for(hr)
    other_hr = person(annen, unit(annen, "Skole"), name="Otto Annen", is_hr=True)
    totp_for(other_hr)
    kari = person(fjordvik, helse, name="Kari Nordmann", email="kari@fjordvik.example")
    ola = person(fjordvik, helse, name="Ola Hansen", email="ola@fjordvik.example")
    course = course_make("Personvern i praksis")
    assignment_create(
        municipality=fjordvik, actor=hr, target="role", role="learner", course=course,
        due_date=dt.date(2027, 1, 1),
    )  # fmt: skip
    for who in (kari, ola):
        enrolment = complete_course(who, course)
        module = enrolment.course.get_children().first().specific
        ReflectionAnswer.objects.create(
            enrolment=enrolment, module=module, block_id="b1", prompt="Hva?", text=f"Tekst {who}"
        )
        certificate_services.certificate_issue(enrolment=enrolment)
    return {"m": fjordvik, "annen": annen, "hr": hr, "other_hr": other_hr, "kari": kari,
            "ola": ola, "course": course, "helse": helse}  # fmt: skip


# --- Export -------------------------------------------------------------------------------


def test_the_learner_downloads_all_their_data_as_json(client, world):
    client.force_login(world["kari"])
    response = client.get(reverse("learners:my_data_json"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)["sections"]
    assert data["profile"][0]["email"] == "kari@fjordvik.example"
    assert data["memberships"][0]["org_unit__name"] == "Helse"
    assert data["enrolments"][0]["course__title"] == "Personvern i praksis"
    assert data["progress"] and data["certificates"] and data["assignments"]
    assert data["reflections"][0]["text"] == "Tekst Kari Nordmann"
    assert {area.key for area in AREAS} <= set(data)
    assert "ola@fjordvik.example" not in response.content.decode()


def test_the_learner_reads_their_data_as_a_page_in_norwegian(client, world):
    client.force_login(world["kari"])
    response = client.get(reverse("learners:my_data"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tekst Kari Nordmann" in html and "Personvern i praksis" in html
    assert "Tekst Ola Hansen" not in html
    assert reverse("learners:my_data") in client.get(reverse("learners:profile")).content.decode()


def test_action_plans_are_in_the_export_when_that_part_is_installed(client, world):
    if not apps.is_installed("learners") or "action_plans" not in {a.key for a in AREAS}:
        pytest.skip("action plans not installed")
    ActionPlan = apps.get_model("learners", "ActionPlan")
    enrolment = Enrolment.objects.get(user=world["kari"])
    ActionPlan.objects.create(
        user=world["kari"], municipality=world["m"], enrolment=enrolment,
        title="Digitale vaktlister", change="Vi slutter med papir.",
    )  # fmt: skip
    client.force_login(world["kari"])
    data = json.loads(client.get(reverse("learners:my_data_json")).content)["sections"]
    assert data["action_plans"][0]["change"] == "Vi slutter med papir."


def test_every_learners_model_that_points_at_a_person_belongs_to_a_privacy_area():
    covered = {model for area in AREAS for model in area.models}
    # Append-only by design (README, Privacy): keeps only the user id after erasure.
    # Sent reminders hold only ids and dates. Municipality settings hold no person.
    exempt = {"AuditLog", "SentReminder", "Assignment", "MunicipalitySettings"}
    person_models = {User, Enrolment}
    for model in apps.get_app_config("learners").get_models():
        if model.__name__ in exempt or model in covered:
            continue
        links = [
            f for f in model._meta.get_fields()
            if isinstance(f, ForeignKey | OneToOneField) and f.related_model in person_models
        ]  # fmt: skip
        assert not links, f"{model.__name__} holds personal data but no privacy area covers it"


# --- Erasure ------------------------------------------------------------------------------


def _completed_per_unit(municipality):
    report = dashboard(scope=HRScope(municipality=municipality, can_edit=True), filters=Filters())
    return [(row.label, row.counts.cells()) for item in report["items"] for row in item.rows]


def test_erasure_removes_the_person_and_keeps_the_numbers_per_unit(world):
    kari, ola = world["kari"], world["ola"]
    before = _completed_per_unit(world["m"])
    ola_before = (
        User.objects.get(pk=ola.pk).email,
        ReflectionAnswer.objects.get(enrolment__user=ola).text,
    )
    person_erase(user=kari, actor=world["hr"], municipality=world["m"])
    kari.refresh_from_db()
    assert is_erased(kari) and not kari.is_active and not kari.has_usable_password()
    assert (kari.first_name, kari.last_name) == ("", "")
    assert not ReflectionAnswer.objects.filter(enrolment__user=kari).exists()
    assert Membership.objects.get(user=kari).org_unit == world["helse"]
    assert _completed_per_unit(world["m"]) == before
    # Nobody else is touched.
    assert (
        User.objects.get(pk=ola.pk).email,
        ReflectionAnswer.objects.get(enrolment__user=ola).text,
    ) == ola_before
    assert Certificate.objects.get(user=ola).learner_name == "Ola Hansen"


def test_erased_certificates_stay_verifiable_without_the_name(client, world):
    certificate = Certificate.objects.get(user=world["kari"])
    person_erase(user=world["kari"], actor=world["hr"], municipality=world["m"])
    certificate.refresh_from_db()
    assert certificate.learner_name == ERASED_LEARNER_NAME and certificate.revoked_at is None
    assert certificate.credential["credentialSubject"]["name"] == ERASED_LEARNER_NAME
    assert certificate_services.certificate_verify_credential(
        credential=certificate.credential
    ).valid
    page = client.get(reverse("certificates:verify", args=[certificate.code]))
    assert ERASED_LEARNER_NAME in page.content.decode() and "Kari" not in page.content.decode()


def test_the_audit_log_keeps_only_the_id_of_the_erased_person(world):
    person_erase(user=world["kari"], actor=world["hr"], municipality=world["m"])
    entry = AuditLog.objects.get(action="person.erase")
    assert entry.data == {"user_id": world["kari"].pk, "reason": "request"}
    assert "kari@fjordvik.example" not in json.dumps(list(AuditLog.objects.values("data")))


def test_hr_erases_through_a_confirm_step(client, world):
    client.force_login(world["hr"])
    url = reverse("hr:person_erase", args=[world["kari"].pk])
    page = client.get(url)
    assert page.status_code == 200 and "Kari Nordmann" in page.content.decode()
    assert client.post(url).status_code == 200  # no confirmation: nothing happens
    assert not is_erased(User.objects.get(pk=world["kari"].pk))
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert is_erased(User.objects.get(pk=world["kari"].pk))


def test_hr_of_another_municipality_gets_404(client, world):
    client.force_login(world["other_hr"])
    url = reverse("hr:person_erase", args=[world["kari"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm": "yes"}).status_code == 404
    assert not is_erased(User.objects.get(pk=world["kari"].pk))


def test_a_learner_cannot_erase_anyone(client, world):
    client.force_login(world["ola"])
    assert (
        client.post(
            reverse("hr:person_erase", args=[world["kari"].pk]), {"confirm": "yes"}
        ).status_code
        == 404
    )


def test_hr_cannot_erase_someone_who_also_belongs_to_another_municipality(world):
    Membership.objects.create(user=world["kari"], municipality=world["annen"])
    with pytest.raises(ErasureRefused) as refused:
        person_erase(user=world["kari"], actor=world["hr"], municipality=world["m"])
    assert refused.value.code == "other_municipality"


def test_a_platform_admin_erases_anyone_with_two_factor(client, world):
    admin = User.objects.get(email="admin@endra.example")
    client.force_login(admin)
    url = reverse("hr:person_erase", args=[world["kari"].pk])
    assert "/konto/" in client.get(url)["Location"]  # two-factor first
    totp_for(admin)
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert is_erased(User.objects.get(pk=world["kari"].pk))


# --- Retention ----------------------------------------------------------------------------


def test_retention_anonymises_only_people_past_the_period(world):
    MunicipalitySettings.objects.update_or_create(
        municipality=world["m"], defaults={"retention_months": 12}
    )
    start = timezone.now()
    with time_machine.travel(start + dt.timedelta(days=200)):
        assert not any(r.municipality == world["m"] for r in retention_anonymise(dry_run=True))
    with time_machine.travel(start + dt.timedelta(days=300)):
        world["ola"].last_login = timezone.now()  # Ola came back
        world["ola"].save()
    with time_machine.travel(start + dt.timedelta(days=400)):
        due = {r.municipality: r for r in retention_anonymise(dry_run=True)}
        assert {p["id"] for p in due[world["m"]].people} == {world["kari"].pk, world["hr"].pk}
        assert not is_erased(User.objects.get(pk=world["kari"].pk))  # a dry run changes nothing
        retention_anonymise()
    assert is_erased(User.objects.get(pk=world["kari"].pk))
    assert not is_erased(User.objects.get(pk=world["ola"].pk))
    assert not is_erased(User.objects.get(pk=world["other_hr"].pk))  # Annenvik: 36 months


def test_the_dry_run_command_lists_people_per_municipality_and_changes_nothing(world):
    out = io.StringIO()
    with time_machine.travel(timezone.now() + dt.timedelta(days=365 * 3 + 40)):
        call_command("retention_anonymise", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Fjordvik" in text and "Kari Nordmann" in text and "would be anonymised" in text
    assert not is_erased(User.objects.get(pk=world["kari"].pk))


def test_the_retention_task_is_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "learners.tasks.retention_anonymise" in tasks
