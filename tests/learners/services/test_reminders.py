"""Reminders: N days before the due date and when overdue, never twice, per-municipality
schedule, a weekly HR digest of what became overdue; Norwegian with plain-text and HTML."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse

from learners.models import SentReminder
from learners.services.assignments import assignment_create
from learners.services.hr import municipality_settings_update
from learners.services.reminders import hr_digest_send, reminders_send
from learners.tasks import hr_reminders_send
from tests.factories import MunicipalityFactory
from tests.learners.hr_support import complete_course, course_make, person, totp_for, unit

pytestmark = pytest.mark.django_db
DUE = dt.date(2027, 3, 15)


@pytest.fixture
def setup(db):
    kommune, annen = MunicipalityFactory(name="Fjordvik"), MunicipalityFactory(name="Annenvik")
    hr = person(kommune, None, name="Hanne HR", is_hr=True, email="hanne@fjordvik.no")
    other_hr = person(annen, None, name="Olga HR", is_hr=True, email="olga@annenvik.no")
    team = unit(kommune, "Team")
    kari = person(kommune, team, name="Kari Nordmann", email="kari@fjordvik.no")
    ola = person(annen, unit(annen, "Team"), name="Ola Annen", email="ola@annenvik.no")
    course = course_make("Personvern")
    assignment_create(
        municipality=kommune, actor=hr, target="unit", org_unit=team, course=course, due_date=DUE
    )
    assignment_create(
        municipality=annen, actor=other_hr, target="people", people=[ola], course=course,
        due_date=DUE + dt.timedelta(days=60),
    )  # fmt: skip
    mail.outbox.clear()
    return {"kommune": kommune, "annen": annen, "hr": hr, "kari": kari, "course": course}


def _to(address):
    return [m for m in mail.outbox if address in m.to]


def test_a_learner_is_reminded_n_days_before_the_due_date_once(setup):
    assert reminders_send(today=DUE - dt.timedelta(days=8)) == 0
    assert reminders_send(today=DUE - dt.timedelta(days=7)) == 1
    assert reminders_send(today=DUE - dt.timedelta(days=6)) == 0  # never the same one twice
    [message] = _to("kari@fjordvik.no")
    assert message.subject == "[Endra] Påminnelse: Personvern innen 15.03.2027"
    assert "fullføre innen 15. mars 2027" in message.body and "om 7 dager" in message.body
    assert message.alternatives[0][1] == "text/html" and "<strong>" in message.alternatives[0][0]
    assert not _to("ola@annenvik.no")


def test_an_overdue_learner_is_told_once_and_a_completed_one_never(setup):
    colleague = person(setup["kommune"], setup["kari"].memberships.get().org_unit, name="Per P")
    complete_course(colleague, setup["course"])
    after = DUE + dt.timedelta(days=1)
    assert reminders_send(today=after) == 1
    assert reminders_send(today=after + dt.timedelta(days=3)) == 0
    [message] = _to("kari@fjordvik.no")
    assert message.subject.startswith("[Endra] Fristen har gått ut")
    assert not _to(colleague.email)


def test_the_sent_reminder_table_refuses_a_duplicate(setup):
    reminders_send(today=DUE - dt.timedelta(days=7))
    sent = SentReminder.objects.get()
    with pytest.raises(IntegrityError):
        SentReminder.objects.create(
            assignment_person=sent.assignment_person, kind=sent.kind, due_date=sent.due_date
        )


def test_each_municipality_sets_its_own_schedule(setup):
    municipality_settings_update(
        municipality=setup["kommune"], actor=setup["hr"], remind_days_before=14
    )
    assert reminders_send(today=DUE - dt.timedelta(days=14)) == 1
    municipality_settings_update(
        municipality=setup["kommune"], actor=setup["hr"], reminders_enabled=False
    )
    assert reminders_send(today=DUE + dt.timedelta(days=1)) == 0


def test_hr_changes_the_schedule_on_the_settings_page(client, setup):
    totp_for(setup["hr"])
    client.force_login(setup["hr"])
    response = client.post(
        reverse("hr:settings"),
        # retention_months belongs to the privacy settings on the same page.
        {
            "language": "nb",
            "reminders_enabled": "on",
            "remind_days_before": "3",
            "hr_digest": "on",
            "retention_months": "36",
        },
    )
    assert response.status_code == 302
    current = setup["kommune"].hr_settings
    assert (current.remind_days_before, current.overdue_reminders) == (3, False)


def test_hr_gets_a_weekly_digest_of_who_became_overdue_once(setup):
    assert hr_digest_send(today=DUE) == 0
    assert hr_digest_send(today=DUE + dt.timedelta(days=1)) == 1
    [digest] = _to("hanne@fjordvik.no")
    assert "Kari Nordmann" in digest.body and "Personvern" in digest.body
    assert digest.alternatives[0][1] == "text/html"
    assert not _to("olga@annenvik.no")
    assert hr_digest_send(today=DUE + dt.timedelta(days=8)) == 0


def test_the_reminder_tasks_are_on_the_beat_schedule_and_run(setup):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "learners.tasks.hr_reminders_send",
        "learners.tasks.hr_digest_send",
        "learners.tasks.hr_assignments_reopen",
    } <= tasks
    assert hr_reminders_send.delay().get() == 0  # nothing is due today (2027 is far off)


def test_a_reminder_speaks_the_learners_language(setup):
    """Subject and body go through the catalogues: a person who chose nynorsk gets nynorsk,
    one who chose English gets English."""
    kari = setup["kari"]
    kari.language = "nn"
    kari.save(update_fields=["language"])
    assert reminders_send(today=DUE - dt.timedelta(days=7)) == 1
    [message] = _to("kari@fjordvik.no")
    assert message.subject == "[Endra] Påminning: Personvern innan 15.03.2027"
    assert "Hald fram her" in message.body and "Helsing Endra" in message.body
    assert 'lang="nn"' in message.alternatives[0][0]
    mail.outbox.clear()
    kari.language = "en"
    kari.save(update_fields=["language"])
    assert reminders_send(today=DUE + dt.timedelta(days=1)) == 1
    [message] = _to("kari@fjordvik.no")
    assert message.subject == "[Endra] The due date has passed: Personvern"


def test_the_hr_digest_subject_is_in_the_municipalitys_written_standard(setup):
    municipality_settings_update(municipality=setup["kommune"], actor=setup["hr"], language="nn")
    assert hr_digest_send(today=DUE + dt.timedelta(days=1)) == 1
    [digest] = _to("hanne@fjordvik.no")
    assert digest.subject == "[Endra] Vekeoversikt: 1 har passert fristen"
