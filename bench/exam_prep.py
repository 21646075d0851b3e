"""The learners of `make bench-exam`: fresh people in one municipality, each with a password and
a verified e-mail address, enrolled in a course with a module quiz they have never tried.

Every ramp step gets its own people, so each of them starts a first attempt exactly as an exam
class does. Called by bench/django_side.py (`exam-setup`) inside Django; rows are written in
bulk (one password hash for everyone, as generate_scale_data does: hashing is the slow part).
"""

from __future__ import annotations

import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction

from courses.models import CoursePage, ModulePage
from learners.models import Enrolment, Membership, Municipality, User

EMAIL_DOMAIN = "eksamen.endra.example"
DEFAULT_MUNICIPALITY = "0301"  # Oslo: the biggest, with the scale data behind it


def exam_quiz() -> ModulePage:
    """The first live module quiz of the bokmål courses (the quiz every learner will take)."""
    modules = ModulePage.objects.live().filter(completion="quiz").order_by("path")
    for module in modules:
        course = module.get_parent().specific
        same_language = module.locale_id == course.locale_id
        if isinstance(course, CoursePage) and course.live and same_language and module.has_quiz:
            return module
    raise SystemExit("no live module with a quiz: seed the demo first (manage.py seed_demo)")


@transaction.atomic
def exam_learners_prepare(
    steps: list[int], *, municipality_number: str = DEFAULT_MUNICIPALITY, tag: str | None = None
) -> dict:
    """`steps[i]` new learners for step i. Returns the password, the e-mail addresses per step
    and the URLs the virtual users open."""
    tag = tag or secrets.token_hex(3)
    password = secrets.token_urlsafe(12)
    municipality = Municipality.objects.get(number=municipality_number)
    module = exam_quiz()
    course = module.get_parent().specific
    hashed = make_password(password)
    emails = [
        [f"eksamen-{tag}-{step}-{i}@{EMAIL_DOMAIN}" for i in range(count)]
        for step, count in enumerate(steps)
    ]
    flat = [email for step in emails for email in step]
    users = User.objects.bulk_create(
        [
            User(
                email=email,
                password=hashed,
                first_name="Eksamen",
                last_name=email.split("@")[0].removeprefix("eksamen-"),
            )
            for email in flat
        ],
        batch_size=1000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [Membership(user=u, municipality=municipality) for u in users], batch_size=1000
    )
    Enrolment.objects.bulk_create(
        [Enrolment(user=u, municipality=municipality, course_id=course.pk) for u in users],
        batch_size=1000,
    )
    return {
        "tag": tag,
        "password": password,
        "steps": emails,
        "municipality": f"{municipality.number} {municipality.name}",
        "course_url": course.url,
        "module_url": module.url,
        "quiz_url": f"/laering/quiz/{module.pk}/",
        "quiz_page_id": module.pk,
    }
