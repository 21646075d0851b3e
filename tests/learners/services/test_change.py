"""Change in practice: plans, check-ins, reminders once each, the chart, readiness before and
after, and HR aggregates with the five-person threshold and tenant isolation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from learners.lib.charts import benefit_chart
from learners.models import CheckIn, CheckInReminder, ReadinessResponse
from learners.models.change import READINESS_STATEMENTS
from learners.permissions import HRScope
from learners.selectors.change import change_report, readiness_compare
from learners.services.change import (
    ChangeError,
    action_plan_create,
    check_in_record,
    readiness_submit,
)
from learners.services.learning import enrolment_create
from learners.tasks import change_followups_remind
from tests.learners.change_support import BENEFIT, completed, manager, plan_course, plan_for
from tests.learners.hr_support import course_make, unit

pytestmark = pytest.mark.django_db
KEYS = [key for key, _text in READINESS_STATEMENTS]


def test_plan_schedules_check_ins_at_30_90_and_180_days(bergen):
    user = manager(bergen, unit(bergen, "Helse"))
    plan = plan_for(user, plan_course())
    today = timezone.localdate()
    assert [(c.days_after, c.due_on) for c in plan.check_ins.all()] == [
        (d, today + dt.timedelta(days=d)) for d in (30, 90, 180)
    ]
    assert plan.benefits.count() == 1 and plan.steps.count() == 1


def test_no_plan_before_completion_or_where_the_editor_did_not_enable_it(bergen):
    user = manager(bergen, unit(bergen, "Helse"))
    enabled = plan_course()
    active = enrolment_create(user=user, course=enabled)
    with pytest.raises(ChangeError, match="not_completed"):
        action_plan_create(enrolment=active, data={"title": "x"}, steps=[], benefits=[BENEFIT])
    plain = course_make("Uten plan")
    with pytest.raises(ChangeError, match="not_enabled"):
        action_plan_create(
            enrolment=completed(user, plain), data={"title": "x"}, steps=[], benefits=[BENEFIT]
        )


def test_check_in_sets_the_benefit_status_and_refuses_foreign_benefits(bergen):
    user = manager(bergen, unit(bergen, "Helse"))
    plan = plan_for(user, plan_course())
    other = plan_for(manager(bergen, None, 2), plan_course("Annet kurs"))
    benefit = plan.benefits.get()
    first = plan.check_ins.first()
    check_in_record(
        check_in=first,
        rows=[{"benefit_id": benefit.pk, "value": Decimal("17"), "status": "at_risk", "note": ""}],
    )
    benefit.refresh_from_db()
    assert benefit.status == "at_risk"
    with pytest.raises(ChangeError):
        check_in_record(
            check_in=first,
            rows=[
                {
                    "benefit_id": other.benefits.get().pk,
                    "value": Decimal(1),
                    "status": "done",
                }
            ],
        )


def test_reminders_go_out_once_each_when_the_task_runs_twice(bergen, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = manager(bergen, unit(bergen, "Helse"))
    plan = plan_for(user, plan_course())
    plan_for(manager(bergen, None, 3), plan_course("Ikke forfalt"))  # nothing due yet
    CheckIn.objects.filter(plan=plan, days_after__in=[30, 90]).update(
        due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    mail.outbox.clear()
    assert change_followups_remind.delay().get() == 2
    assert change_followups_remind.delay().get() == 0
    assert len(mail.outbox) == 2
    assert CheckInReminder.objects.filter(check_in__plan=plan).count() == 2
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "Tid for oppfølging: Digitalt tilsyn om natten" in message.subject
    assert "i rute, i fare, realisert eller avsluttet" in message.body
    html = message.alternatives[0][0]
    assert f"/endring/planer/{plan.pk}/oppfolging/" in html


def test_a_recorded_check_in_is_not_reminded(bergen, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    plan = plan_for(manager(bergen, unit(bergen, "Helse")), plan_course())
    first = plan.check_ins.first()
    check_in_record(
        check_in=first,
        rows=[
            {
                "benefit_id": plan.benefits.get().pk,
                "value": Decimal(18),
                "status": "on_track",
            }
        ],
    )
    CheckIn.objects.filter(pk=first.pk).update(due_on=timezone.localdate())
    mail.outbox.clear()
    assert change_followups_remind.delay().get() == 0
    assert mail.outbox == []


def test_chart_svg_holds_every_point_and_is_labelled(bergen):
    plan = plan_for(manager(bergen, unit(bergen, "Helse")), plan_course())
    benefit = plan.benefits.get()
    for check_in, value in zip(plan.check_ins.all()[:2], ("17.5", "15"), strict=True):
        check_in_record(
            check_in=check_in,
            rows=[{"benefit_id": benefit.pk, "value": Decimal(value), "status": "on_track"}],
        )
    svg = str(benefit_chart(benefit=benefit, chart_id="c1"))
    assert 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">' in svg and '<desc id="c1-desc">' in svg
    assert svg.count('class="endra-chart__point"') == 2
    assert 'data-value="17.50"' in svg and 'data-value="15.00"' in svg
    assert "17,5 timer" in svg and "15 timer" in svg  # in the accessible description
    assert "stroke-dasharray" in svg and "style=" not in svg and "<script" not in svg


def _answers(value):
    return dict.fromkeys(KEYS, value)


def test_readiness_before_and_after_shows_the_change_per_statement(bergen):
    user = manager(bergen, unit(bergen, "Helse"))
    course = plan_course()
    enrolment = enrolment_create(user=user, course=course)
    readiness_submit(enrolment=enrolment, phase="before", answers={**_answers(2), "why": 1})
    with pytest.raises(ChangeError, match="answered"):
        readiness_submit(enrolment=enrolment, phase="before", answers=_answers(3))
    done = completed(user, course, when=timezone.now() - dt.timedelta(days=91))
    readiness_submit(enrolment=done, phase="after", answers={**_answers(4), "why": 5})
    compare = readiness_compare(enrolment=done)
    why = next(row for row in compare["rows"] if row["key"] == "why")
    assert (why["before"], why["after"], why["change"]) == (1, 5, 4)
    assert compare["mean_change"] == Decimal("2.20")


def test_readiness_after_opens_only_three_months_after_completion(bergen):
    user = manager(bergen, unit(bergen, "Helse"))
    done = completed(user, plan_course(), when=timezone.now() - dt.timedelta(days=80))
    with pytest.raises(ChangeError, match="too_early"):
        readiness_submit(enrolment=done, phase="after", answers=_answers(3))
    with pytest.raises(ChangeError, match="too_late"):
        readiness_submit(enrolment=done, phase="before", answers=_answers(3))
    with pytest.raises(ChangeError, match="incomplete"):
        readiness_submit(enrolment=done, phase="after", answers={"why": 3})


# --- HR aggregates ---------------------------------------------------------------------------


def _group(municipality, unit_, n, course, *, start=0, readiness=True):
    for i in range(start, start + n):
        user = manager(municipality, unit_, i)
        plan = plan_for(user, course)
        if readiness:
            enrolment = plan.enrolment
            ReadinessResponse.objects.create(
                user=user,
                municipality=municipality,
                enrolment=enrolment,
                phase="before",
                answers=_answers(3),
                mean=Decimal(3),
            )


def _row(report, name):
    return next(r for r in report["rows"] if r.label == name)


def test_four_people_are_hidden_five_are_shown(bergen):
    course = plan_course()
    helse = unit(bergen, "Helse")
    _group(bergen, helse, 4, course)
    report = change_report(scope=HRScope(municipality=bergen), base=None)
    for figures in (
        _row(report, "Helse").plans,
        _row(report, "Helse").before,
        report["total"].plans,
    ):
        assert figures.hidden
    _group(bergen, helse, 1, course, start=10)
    report = change_report(scope=HRScope(municipality=bergen), base=None)
    row = _row(report, "Helse")
    assert not row.plans.hidden and not row.before.hidden
    assert row.plans.plans == 5 and row.plans.benefits[""] == 5
    assert row.before.average == Decimal("3.0")


def test_each_group_of_five_is_shown_beside_another(bergen):
    course = plan_course()
    _group(bergen, unit(bergen, "Skole"), 5, course)
    _group(bergen, unit(bergen, "Omsorg"), 5, course, start=10, readiness=False)
    report = change_report(scope=HRScope(municipality=bergen), base=None)
    assert not _row(report, "Skole").plans.hidden and not _row(report, "Omsorg").plans.hidden
    assert _row(report, "Omsorg").before.people == 0 and not _row(report, "Skole").before.hidden
    assert report["total"].plans.plans == 10


def test_a_small_group_cannot_be_found_by_subtraction(bergen):
    course = plan_course()
    _group(bergen, unit(bergen, "Skole"), 2, course)
    _group(bergen, unit(bergen, "Omsorg"), 6, course, start=10)
    _group(bergen, unit(bergen, "Teknisk"), 7, course, start=20)
    report = change_report(scope=HRScope(municipality=bergen), base=None)
    assert _row(report, "Skole").plans.hidden
    assert _row(report, "Omsorg").plans.hidden  # the smallest shown group is hidden too
    assert not _row(report, "Teknisk").plans.hidden
    assert report["total"].plans.plans == 15


def test_sub_units_roll_up_into_their_parent(bergen):
    course = plan_course()
    helse = unit(bergen, "Helse")
    _group(bergen, unit(bergen, "Sykehjem", parent=helse), 3, course)
    _group(bergen, unit(bergen, "Hjemmetjeneste", parent=helse), 2, course, start=10)
    top = change_report(scope=HRScope(municipality=bergen), base=None)
    assert _row(top, "Helse").plans.plans == 5 and not _row(top, "Helse").plans.hidden
    inside = change_report(scope=HRScope(municipality=bergen), base=helse)
    assert all(r.plans.hidden for r in inside["rows"] if r.plans.people)
    assert inside["total"].plans.plans == 5


def test_another_municipalitys_plans_never_count(bergen, oslo):
    course = plan_course()
    _group(oslo, unit(oslo, "Bydel"), 6, course)
    report = change_report(scope=HRScope(municipality=bergen), base=None)
    assert report["total"].plans.plans == 0
    assert report["total"].before.responses == 0
