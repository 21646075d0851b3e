"""SCIM Users: the municipality's people."""

from __future__ import annotations

from django.http import HttpResponse
from scim2_models import Context, GroupMembership, Manager, Meta, NotFoundException

from learners.lib import scim as resources
from learners.lib.scim import EnterpriseUser, Name, User, UserEmail
from learners.models import ScimPerson
from learners.selectors import scim as selectors
from learners.services import scim as services

from ._common import (
    POLICY,
    _body,
    _error,
    _filter_ast,
    _list,
    _location,
    _one,
    _query_params,
    _resource_response,
    scim_endpoint,
)


def _user(request, person: ScimPerson) -> User:
    group = getattr(person.org_unit, "scim_group", None) if person.org_unit else None
    name = Name(given_name=person.given_name or None, family_name=person.family_name or None)
    user = User(
        id=str(person.pk),
        external_id=person.external_id or None,
        user_name=person.user_name,
        name=name if (person.given_name or person.family_name) else None,
        active=person.active,
        emails=[UserEmail.model_validate(e) for e in person.emails] or None,
        groups=[
            GroupMembership(
                value=str(group.pk),
                display=person.org_unit.name,
                ref=_location(request, "group", group.pk),
                type="direct",
            )
        ]
        if group is not None
        else None,
        meta=Meta(
            resource_type="User",
            created=person.created_at,
            last_modified=person.modified_at,
            location=_location(request, "user", person.pk),
        ),
    )
    if person.department or person.manager_id or person.enterprise:
        manager = None
        if person.manager_id:
            manager = Manager(
                value=str(person.manager_id), ref=_location(request, "user", person.manager_id)
            )
        extra = person.enterprise or {}
        user[EnterpriseUser] = EnterpriseUser(
            department=person.department or None,
            division=extra.get("division"),
            organization=extra.get("organization"),
            cost_center=extra.get("costCenter"),
            manager=manager,
        )
    return user


# --- Users --------------------------------------------------------------------------------


@scim_endpoint
def users(request):
    municipality = request.scim_municipality
    if request.method == "POST":
        with POLICY:
            resource = User.model_validate(
                _body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST
            )
        data = resources.person_data(resource, unit_attribute=request.scim_unit_attribute)
        person = services.scim_person_create(municipality=municipality, data=data)
        return _resource_response(request, _user(request, person), status=201)
    if request.method != "GET":
        return _error(405, "Method not allowed.")
    return _users_list(request)


def _users_list(request) -> HttpResponse:
    params = _query_params(request, User)
    rows = selectors.scim_people(
        municipality=request.scim_municipality, filter_ast=_filter_ast(params)
    )
    return _list(request, User, params, rows, lambda r, page: [_user(r, p) for p in page])


@scim_endpoint
def users_search(request):
    if request.method != "POST":
        return _error(405, "Method not allowed.")
    return _users_list(request)


def _reload_person(person: ScimPerson) -> ScimPerson:
    found = selectors.scim_person_get(municipality=person.municipality, pk=str(person.pk))
    assert found is not None
    return found


@scim_endpoint
def user(request, pk: str):
    municipality = request.scim_municipality
    person = selectors.scim_person_get(municipality=municipality, pk=pk)
    if person is None:
        raise NotFoundException(detail="No such User.")

    def store(found: ScimPerson, resource: User, before: User) -> ScimPerson:
        data = resources.person_data(resource, unit_attribute=request.scim_unit_attribute)
        return _reload_person(services.scim_person_replace(person=found, data=data))

    return _one(
        request,
        User,
        person,
        show=lambda row: _user(request, row),
        delete=lambda row: services.scim_person_delete(person=row),
        store=store,
    )
