import pytest

from tests.factories import MembershipFactory, MunicipalityFactory, OrgUnitFactory


@pytest.fixture
def bergen(db):
    from learners.models import Municipality

    return Municipality.objects.get(number="4601")


@pytest.fixture
def oslo(db):
    from learners.models import Municipality

    return Municipality.objects.get(number="0301")


@pytest.fixture
def learner(bergen):
    unit = OrgUnitFactory(municipality=bergen, name="Hjemmetjenesten")
    return MembershipFactory(municipality=bergen, org_unit=unit).user


@pytest.fixture
def other_learner(oslo):
    unit = OrgUnitFactory(municipality=oslo, name="Bydel Frogner")
    return MembershipFactory(municipality=oslo, org_unit=unit).user


__all__ = ["MunicipalityFactory"]
