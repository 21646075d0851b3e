"""HR security: two-factor authentication before HR pages and the admin, tenant isolation on
every HR URL, and the append-only audit log of HR actions that only that municipality sees."""

import datetime as dt

import pytest
from django.urls import URLPattern, reverse

from learners.models import AuditLog, ChangeAgent
from learners.services import certificates as certificate_services
from learners.services.assignments import assignment_create
from learners.services.change import change_agent_set
from learners.urls import hr as urls_hr
from tests.factories import UserFactory
from tests.learners.hr_support import complete_course, course_make, person, totp_for, unit

pytestmark = pytest.mark.django_db


def test_hr_without_two_factor_is_sent_to_totp_setup_before_any_hr_page(client, kommune):
    hr = person(kommune, None, name="Hanne HR", is_hr=True)
    client.force_login(hr)
    for name in ("hr:dashboard", "hr:people", "hr:assignments", "hr:import", "hr:log"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))
        assert "next=" in response["Location"]
    # The setup page itself is reachable (allauth may first ask for the password again).
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 200 or "reauthenticate" in setup["Location"]
    totp_for(hr)
    assert client.get(reverse("hr:dashboard")).status_code == 200


def test_staff_without_two_factor_is_sent_to_totp_setup_before_the_admin(client, kommune):
    editor = UserFactory(is_staff=True)
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert client.get("/django-admin/").status_code == 302
    totp_for(editor)
    response = client.get("/admin/")
    assert not response.get("Location", "").startswith(reverse("mfa_activate_totp"))


def test_a_plain_learner_is_not_asked_for_two_factor_and_gets_404_on_hr_pages(client, kommune):
    learner = person(kommune, unit(kommune, "Skole"), name="Lise Lærer")
    client.force_login(learner)
    response = client.get(reverse("hr:dashboard"))
    assert response.status_code == 404


def _walk(patterns):
    for pattern in patterns:
        assert isinstance(pattern, URLPattern)
        yield pattern


def test_every_hr_url_with_another_municipalitys_ids_answers_404(client, kommune, annen):
    """HR of Fjordvik tries every HR URL with Annenvik's unit, assignment, person, change
    agent and certificate ids."""
    hr = person(kommune, None, name="Hanne HR", is_hr=True)
    totp_for(hr)
    other_unit = unit(annen, "Annen enhet")
    other_person = person(annen, other_unit, name="Otto Annen")
    other_hr = person(annen, None, name="Olga HR", is_hr=True)
    other = assignment_create(
        municipality=annen, actor=other_hr, target="unit", course=course_make(),
        org_unit=other_unit, due_date=dt.date(2027, 1, 1),
    )  # fmt: skip
    enrolment = complete_course(other_person, other.course)
    certificate = certificate_services.certificate_issue(enrolment=enrolment)
    agent = change_agent_set(
        user=other_person, membership=other_person.memberships.get(), works_on="Turnus",
        source=ChangeAgent.Source.HR, actor=other_hr,
    )  # fmt: skip
    ids = {
        "unit_id": other_unit.pk,
        "assignment_id": other.pk,
        "user_id": other_person.pk,
        "pk": agent.pk,
        "code": certificate.code,
    }
    client.force_login(hr)
    checked = 0
    for pattern in _walk(urls_hr.urlpatterns):
        names = list(pattern.pattern.converters)
        if not names:
            continue
        url = reverse(f"hr:{pattern.name}", kwargs={name: ids[name] for name in names})
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (404, 405), (url, method, response.status_code)
            if response.status_code == 405:
                assert method.__name__ == "get"  # POST-only views refuse GET first
        checked += 1
    assert checked == len([p for p in urls_hr.urlpatterns if p.pattern.converters]) >= 11
    other.refresh_from_db()
    assert other.ended_at is None and other.people.count() == 1
    certificate.refresh_from_db()
    assert certificate.revoked_at is None and ChangeAgent.objects.filter(pk=agent.pk).exists()
    # Filters and forms with another municipality's ids never reach it, and exports show
    # nothing of it.
    response = client.get(reverse("hr:dashboard"), {"unit": other_unit.pk})
    assert response.status_code == 200 and response.context["unit"] is None
    assert "Annen enhet" not in response.content.decode()
    response = client.post(
        reverse("hr:assignments"),
        {"item": f"c{other.course_id}", "target": "unit", "org_unit": other_unit.pk},
    )
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(
        reverse("hr:assignments"),
        {"item": f"c{other.course_id}", "target": "people", "people": other_person.email},
    )
    assert other_person.email in str(response.context["form"].errors["people"])
    assert other.municipality.assignments.count() == 1
    assert not hr.memberships.get().municipality.assignments.exists()
    response = client.get(reverse("hr:people"), {"format": "csv"})
    assert "Otto" not in b"".join(response.streaming_content).decode("utf-8-sig")


def test_hr_actions_are_logged_append_only_and_shown_only_to_that_municipality(
    client, kommune, annen
):
    hr = person(kommune, None, name="Hanne HR", is_hr=True)
    totp_for(hr)
    other_hr = person(annen, None, name="Olga HR", is_hr=True)
    totp_for(other_hr)
    team = unit(kommune, "Team")
    person(kommune, team, name="Per Person")
    client.force_login(hr)
    course = course_make("Loggkurset")
    response = client.post(
        reverse("hr:assignments"),
        {"item": f"c{course.pk}", "target": "unit", "org_unit": team.pk,
         "include_subunits": "on", "due_days": "30"},
    )  # fmt: skip
    assert response.status_code == 302
    assignment_url = response["Location"]
    client.post(assignment_url + "avslutt/")
    client.get(reverse("hr:people"), {"format": "xlsx"})
    actions = list(
        AuditLog.objects.filter(municipality=kommune, actor=hr).values_list("action", flat=True)
    )
    assert {"assignment.create", "assignment.end", "report.export"} <= set(actions)
    entry = AuditLog.objects.filter(action="assignment.create", municipality=kommune).first()
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    page = client.get(reverse("hr:log")).content.decode()
    assert "Tildelte kurset «Loggkurset» til enheten Team" in page and "Hanne" in page
    client.force_login(other_hr)
    assert "Loggkurset" not in client.get(reverse("hr:log")).content.decode()
