"""Builders for the change-in-practice tests: a course that ends with an action plan, a
learner who completed it, and a plan with one benefit."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from learners.services.change import action_plan_create
from learners.services.learning import enrolment_create
from tests.learners.hr_support import complete_course, course_make, person

BENEFIT = {
    "description": "Mindre tid på dokumentasjon",
    "indicator": "Timer dokumentasjon per uke",
    "unit": "timer",
    "baseline_value": Decimal("20"),
    "baseline_date": dt.date(2026, 1, 1),
    "target_value": Decimal("12"),
    "target_date": dt.date(2026, 12, 31),
    "owner": "Enhetsleder",
}


def plan_course(title="Gevinstrealisering i praksis"):
    course = course_make(title)
    course.action_plan_enabled = True
    course.save()
    return course


def completed(user, course, *, when=None):
    enrolment_create(user=user, course=course)
    return complete_course(user, course, when=when or timezone.now())


def plan_for(user, course, *, benefits=None, title="Digitalt tilsyn om natten"):
    enrolment = completed(user, course)
    return action_plan_create(
        enrolment=enrolment,
        data={"title": title, "change": "Vi tar i bruk digitalt tilsyn.", "involve_union": "HTV"},
        steps=[{"text": "Informere de ansatte", "due_date": dt.date(2026, 2, 1)}],
        benefits=benefits or [dict(BENEFIT)],
    )


def manager(municipality, unit, n=0):
    return person(municipality, unit, name=f"Leder Nummer{n}")
