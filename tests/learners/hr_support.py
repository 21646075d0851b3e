"""Builders shared by the HR tests: courses, paths, people in units, an HR user with TOTP."""

import itertools
import uuid

from allauth.mfa.models import Authenticator
from wagtail.models import Page

from courses.models import CatalogPage, CoursePage, LearningPath, LearningPathCourse, ModulePage
from learners.models import Enrolment, Membership, ModuleProgress, User
from learners.services.memberships import membership_create
from tests.factories import OrgUnitFactory, UserFactory

_seq = itertools.count(1)


def catalog() -> CatalogPage:
    found = CatalogPage.objects.first()
    if found:
        return found
    return Page.get_first_root_node().add_child(
        instance=CatalogPage(title="Kurs", slug=f"kurs-hr-{next(_seq)}")
    )


def course_make(title: str = "Personvern i praksis") -> CoursePage:
    """A published course with one required module."""
    n = next(_seq)
    course = catalog().add_child(
        instance=CoursePage(title=title, slug=f"hr-kurs-{n}", summary="Et kurs.")
    )
    course.add_child(instance=ModulePage(title="Modul 1", slug=f"modul-{n}"))
    return course


def path_make(
    title: str = "Ledergrunnlag for digital omstilling", *, courses=None, validity_months=None
) -> LearningPath:
    path = LearningPath.objects.create(
        slug=f"lop-{next(_seq)}", title=title, validity_months=validity_months
    )
    for index, (course, required) in enumerate(courses or [(course_make(), True)]):
        LearningPathCourse.objects.create(
            path=path, course=course, required=required, sort_order=index
        )
    return path


def person(municipality, unit=None, *, name="Kari Nordmann", is_hr=False, email=None):
    first, last = name.split(" ", 1)
    kwargs = {"first_name": first, "last_name": last}
    if email:
        kwargs["email"] = email
    user = UserFactory(**kwargs)
    membership_create(user=user, municipality=municipality, org_unit=unit, is_hr=is_hr)
    return user


def people_in(municipality, org_unit, count: int) -> list[User]:
    """`count` existing members of `org_unit`, made in two statements."""
    tag = uuid.uuid4().hex[:8]
    users = User.objects.bulk_create(
        [
            User(email=f"p{tag}{i}@kommune.example", first_name="Per", last_name=f"Nr{i:04d}")
            for i in range(count)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(user=user, municipality=municipality, org_unit=org_unit) for user in users]
    )
    return users


def unit(municipality, name, parent=None):
    return OrgUnitFactory(municipality=municipality, name=name, parent=parent)


def totp_for(user) -> None:
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )


def complete_course(user, course, *, when=None) -> Enrolment:
    """Mark `user` done with `course` as the learning service would, then send the signal."""
    from django.utils import timezone

    from learners.signals import course_completed

    enrolment = Enrolment.objects.get(user=user, course=course)
    for module in ModulePage.objects.child_of(course):
        ModuleProgress.objects.get_or_create(
            enrolment=enrolment, module=module, defaults={"done_at": when or timezone.now()}
        )
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.completed_at = when or timezone.now()
    enrolment.save()
    course_completed.send(sender=Enrolment, enrolment_id=enrolment.pk)
    return enrolment


def start_course(user, course) -> None:
    enrolment = Enrolment.objects.get(user=user, course=course)
    module = ModulePage.objects.child_of(course).first()
    from django.utils import timezone

    ModuleProgress.objects.create(enrolment=enrolment, module=module, done_at=timezone.now())
