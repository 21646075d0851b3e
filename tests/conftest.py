import io

import pytest
from django.core.cache import cache
from django.core.management import call_command

from learners import openbadges as ob
from learners.models import Municipality
from learners.services.certificates import certificate_issue
from tests.factories import (
    CoursePageFactory,
    EnrolmentFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrgUnitFactory,
)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Private files (certificate PDFs) of each test in its own directory."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed the demo site and starter courses once per test run: every test starts from it
    (inside its own rolled-back transaction). Tests with transaction=True flush the tables
    afterwards, so they seed what they need themselves."""
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def demo(db):
    """The seeded demo (already loaded once per session)."""


@pytest.fixture
def bergen(db):
    return Municipality.objects.get(number="4601")


@pytest.fixture
def oslo(db):
    return Municipality.objects.get(number="0301")


@pytest.fixture
def kommune(db):
    """A fresh municipality with nothing in it, for tests that count everything they see;
    `annen` is the other one. (`bergen` and `oslo` are the seeded ones, with demo data.)"""
    return MunicipalityFactory(name="Fjordvik")


@pytest.fixture
def annen(db):
    return MunicipalityFactory(name="Annenvik")


@pytest.fixture
def learner(bergen):
    unit = OrgUnitFactory(municipality=bergen, name="Hjemmetjenesten")
    return MembershipFactory(municipality=bergen, org_unit=unit).user


@pytest.fixture
def other_learner(oslo):
    unit = OrgUnitFactory(municipality=oslo, name="Bydel Frogner")
    return MembershipFactory(municipality=oslo, org_unit=unit).user


__all__ = ["MunicipalityFactory"]


@pytest.fixture
def certificate_settings(settings, tmp_path):
    """What issuing and checking certificates needs: a signing key, media in a temporary folder,
    a public base URL and a rate limit no test reaches by accident."""
    settings.ENDRA_SIGNING_KEY = ob.private_key_to_multibase(ob.generate_private_key())
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WAGTAILADMIN_BASE_URL = "https://endra.example.no"
    settings.CERTIFICATE_RATE_LIMIT = (1000, 60)
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def certificate(certificate_settings, learner, bergen):
    """One certificate issued to a Bergen learner."""
    course = CoursePageFactory(title="Endringsledelse for mellomledere")
    enrolment = EnrolmentFactory(user=learner, municipality=bergen, course=course)
    return certificate_issue(enrolment=enrolment)


@pytest.fixture(autouse=True)
def kept_content_forgotten():
    """Each test starts with nothing kept of the published content (courses.published): a test
    that changes pages behind Wagtail's back must not leave its pages to the next one."""
    from courses import published

    published.forget_all()
    yield
    published.forget_all()
