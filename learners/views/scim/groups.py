"""SCIM Groups: the municipality's org units."""

from __future__ import annotations

from django.http import HttpResponse
from scim2_models import Context, Meta, MutabilityException, NotFoundException

from learners.lib.scim import Group, GroupMember
from learners.models import ScimGroup
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


def _group(request, group: ScimGroup, member_ids: list[str] | None = None) -> Group:
    if member_ids is None:
        member_ids = selectors.scim_group_members(groups=[group])[str(group.pk)]
    members = [
        GroupMember(value=pk, ref=_location(request, "user", pk), type="User") for pk in member_ids
    ]
    return Group(
        id=str(group.pk),
        external_id=group.external_id or None,
        display_name=group.org_unit.name,
        members=members or None,
        meta=Meta(
            resource_type="Group",
            created=group.created_at,
            last_modified=group.modified_at,
            location=_location(request, "group", group.pk),
        ),
    )


# --- Groups -------------------------------------------------------------------------------


def _member_ids(request, resource: Group, current: list[str] | None = None) -> list[str]:
    """The members the request asks for. Where the municipality's unit comes from a person's
    attribute, groups only show who is in the unit: asking for other members is refused."""
    wanted = [m.value for m in resource.members or [] if m.value]
    if request.scim_unit_attribute and set(wanted) != set(current or []):
        raise MutabilityException(
            detail=(
                f"In this municipality a person's unit comes from their "
                f"{request.scim_unit_attribute}; set that attribute on the User instead."
            ),
        )
    return wanted


@scim_endpoint
def groups(request):
    municipality = request.scim_municipality
    if request.method == "POST":
        with POLICY:
            resource = Group.model_validate(
                _body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST
            )
        group = services.scim_group_create(
            municipality=municipality,
            display_name=resource.display_name or "",
            external_id=resource.external_id or "",
            member_ids=_member_ids(request, resource),
        )
        return _resource_response(request, _group(request, group), status=201)
    if request.method != "GET":
        return _error(405, "Method not allowed.")
    return _groups_list(request)


def _groups_list(request) -> HttpResponse:
    params = _query_params(request, Group)
    rows = selectors.scim_groups(
        municipality=request.scim_municipality, filter_ast=_filter_ast(params)
    )
    return _list(request, Group, params, rows, _groups_page)


def _groups_page(request, page: list[ScimGroup]) -> list[Group]:
    members = selectors.scim_group_members(groups=page)
    return [_group(request, group, members[str(group.pk)]) for group in page]


@scim_endpoint
def groups_search(request):
    if request.method != "POST":
        return _error(405, "Method not allowed.")
    return _groups_list(request)


@scim_endpoint
def group(request, pk: str):
    municipality = request.scim_municipality
    found = selectors.scim_group_get(municipality=municipality, pk=pk)
    if found is None:
        raise NotFoundException(detail="No such Group.")

    def store(group: ScimGroup, resource: Group, before: Group) -> ScimGroup:
        current_ids = [m.value for m in before.members or [] if m.value]
        return services.scim_group_replace(
            group=group,
            display_name=resource.display_name or "",
            external_id=resource.external_id or "",
            member_ids=_member_ids(request, resource, current_ids),
        )

    return _one(
        request,
        Group,
        found,
        show=lambda row: _group(request, row),
        delete=lambda row: services.scim_group_delete(group=row),
        store=store,
    )
