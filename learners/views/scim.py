"""SCIM 2.0 (RFC 7643/7644) under /scim/v2/: the municipality's identity system provisions its
people and groups with the municipality's bearer token. Payloads are read and written with
scim2-models; every answer, errors included, is SCIM JSON; every request is rate-limited per
token and audited."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    GroupMembership,
    ListResponse,
    Manager,
    Meta,
    NotFoundException,
    PatchOp,
    SCIMException,
    ScimPolicy,
    SearchRequest,
)

from learners.lib import scim as resources
from learners.lib.scim import EnterpriseUser, Group, GroupMember, Name, User, UserEmail
from learners.models import ScimGroup, ScimPerson
from learners.selectors import scim as selectors
from learners.services import scim as services

CONTENT_TYPE = "application/scim+json"
# Microsoft Entra sends attributes Endra does not keep, `remove` operations that name their
# value, and paths to entries that do not exist yet; scim2-models has a policy for each.
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


def _json(payload: dict, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(payload), status=status, content_type=CONTENT_TYPE)
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _error(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    error = Error(status=status, detail=detail, scim_type=scim_type)
    return _json(error.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE), status)


def _over_limit(key: str) -> bool:
    """Fixed-window counter in the shared cache."""
    limit, window = settings.SCIM_RATE_LIMIT
    bucket = f"scim:rl:{key}:{int(time.time() // window)}"
    cache.add(bucket, 0, timeout=window + 1)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window + 1)
        count = 1
    return count > limit


def _bearer(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, raw = header.partition(" ")
    return raw.strip() if scheme.lower() == "bearer" else ""


def _handle(view: Callable) -> Callable:
    try:
        return view()
    except SCIMException as exc:
        error = exc.to_error()
        return _json(error.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE), exc.status)
    except ValidationError as exc:
        error = Error.from_validation_errors(exc)[0]
        return _json(error.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE), error.status)
    except resources.NoEmail as exc:
        return _error(400, str(exc), "invalidValue")
    except json.JSONDecodeError:
        return _error(400, "The body is not JSON.", "invalidSyntax")


def scim_endpoint(view: Callable) -> Callable:
    """Authenticate the municipality's token, limit and audit the request, and turn SCIM
    exceptions into SCIM errors."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        address = request.META.get("REMOTE_ADDR") or "unknown"
        token = selectors.scim_token_find(raw=_bearer(request))
        if token is None:
            if _over_limit(f"ip:{address}"):
                return _error(429, "Too many requests.")
            response = _error(401, "A valid bearer token is required.")
            response["WWW-Authenticate"] = 'Bearer realm="Endra SCIM"'
            return response
        # One transaction for the change and its audit row: one commit per request.
        with transaction.atomic():
            if _over_limit(f"token:{token.pk}"):
                response = _error(429, "Too many requests for this token.")
                response["Retry-After"] = str(settings.SCIM_RATE_LIMIT[1])
            else:
                request.scim_municipality = token.municipality
                response = _handle(lambda: view(request, *args, **kwargs))
            services.scim_request_record(
                token=token, method=request.method, path=request.path, status=response.status_code
            )
        return response

    return wrapper


def _body(request) -> dict:
    payload = json.loads(request.body or b"{}")
    if not isinstance(payload, dict):
        raise json.JSONDecodeError("not an object", "", 0)
    return payload


def _location(request, name: str, pk) -> str:
    return request.build_absolute_uri(reverse(f"scim:{name}", args=[str(pk)]))


# --- Resources from rows ------------------------------------------------------------------


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
    if person.department or person.manager_id:
        manager = None
        if person.manager_id:
            manager = Manager(
                value=str(person.manager_id), ref=_location(request, "user", person.manager_id)
            )
        user[EnterpriseUser] = EnterpriseUser(department=person.department or None, manager=manager)
    return user


def _group(request, group: ScimGroup) -> Group:
    members = [
        GroupMember(value=pk, ref=_location(request, "user", pk), type="User")
        for pk in selectors.scim_group_members(group=group)
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


def _resource_response(request, resource, *, status=200, params=None) -> HttpResponse:
    ctx = Context.RESOURCE_CREATION_RESPONSE if status == 201 else Context.RESOURCE_QUERY_RESPONSE
    payload = resource.model_dump(scim_ctx=ctx, response_parameters=params)
    return _json(payload, status, {"Location": resource.meta.location})


def _query_params(request, model) -> SearchRequest:
    if request.method == "POST":  # /.search: the parameters come as a SearchRequest body
        return SearchRequest[model].model_validate(_body(request), scim_ctx=Context.SEARCH_REQUEST)
    query = {k: v for k, v in request.GET.items() if v != ""}
    for key in ("startIndex", "count"):
        if key in query:
            try:
                query[key] = int(query[key])
            except ValueError as exc:
                raise SCIMException(detail=f"{key} must be an integer.") from exc
    return SearchRequest[model].model_validate(query, scim_ctx=Context.SEARCH_REQUEST)


def _list(request, model, params, rows, to_resource) -> HttpResponse:
    start = max(params.start_index or 1, 1)
    count = resources.DEFAULT_PAGE if params.count is None else max(params.count, 0)
    count = min(count, resources.MAX_PAGE)
    total = rows.count()
    page = list(rows[start - 1 : start - 1 + count]) if count else []
    response = ListResponse[model](
        total_results=total,
        start_index=start,
        items_per_page=len(page),
        resources=[to_resource(request, row) for row in page] or None,
    )
    return _json(response.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=params))


def _filter_ast(params: SearchRequest):
    return params.filter.ast if params.filter is not None else None


# --- Users --------------------------------------------------------------------------------


@scim_endpoint
def users(request):
    municipality = request.scim_municipality
    if request.method == "POST":
        with POLICY:
            resource = User.model_validate(
                _body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST
            )
        person = services.scim_person_create(
            municipality=municipality, data=resources.person_data(resource)
        )
        return _resource_response(request, _user(request, person), status=201)
    if request.method != "GET":
        return _error(405, "Method not allowed.")
    return _users_list(request)


def _users_list(request) -> HttpResponse:
    params = _query_params(request, User)
    rows = selectors.scim_people(
        municipality=request.scim_municipality, filter_ast=_filter_ast(params)
    )
    return _list(request, User, params, rows, _user)


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
    if request.method == "GET":
        params = _query_params(request, User)
        return _resource_response(request, _user(request, person), params=params)
    if request.method == "DELETE":
        services.scim_person_delete(person=person)
        return HttpResponse(status=204)
    current = _user(request, person)
    with POLICY:
        if request.method == "PUT":
            resource = User.model_validate(
                _body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
            )
            resource.replace(current)
        elif request.method == "PATCH":
            patch = PatchOp[User].model_validate(
                _body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST
            )
            patch.patch(current)
            resource = current
        else:
            return _error(405, "Method not allowed.")
    person = services.scim_person_replace(person=person, data=resources.person_data(resource))
    return _resource_response(request, _user(request, _reload_person(person)))


# --- Groups -------------------------------------------------------------------------------


def _member_ids(resource: Group) -> list[str]:
    return [m.value for m in resource.members or [] if m.value]


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
            member_ids=_member_ids(resource),
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
    return _list(request, Group, params, rows, _group)


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
    if request.method == "GET":
        params = _query_params(request, Group)
        return _resource_response(request, _group(request, found), params=params)
    if request.method == "DELETE":
        services.scim_group_delete(group=found)
        return HttpResponse(status=204)
    current = _group(request, found)
    with POLICY:
        if request.method == "PUT":
            resource = Group.model_validate(
                _body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
            )
            resource.replace(current)
        elif request.method == "PATCH":
            patch = PatchOp[Group].model_validate(
                _body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST
            )
            patch.patch(current)
            resource = current
        else:
            return _error(405, "Method not allowed.")
    updated = services.scim_group_replace(
        group=found,
        display_name=resource.display_name or "",
        external_id=resource.external_id or "",
        member_ids=_member_ids(resource),
    )
    return _resource_response(request, _group(request, updated))


# --- Discovery ----------------------------------------------------------------------------


def _discovery(request, items, pk=None):
    if request.method != "GET":
        return _error(405, "Method not allowed.")
    ctx = Context.RESOURCE_QUERY_RESPONSE
    if pk is not None:
        for item in items:
            if str(item.id) == pk:
                return _json(item.model_dump(scim_ctx=ctx))
        raise NotFoundException(detail="Not found.")
    response = ListResponse[type(items[0])](
        total_results=len(items), start_index=1, items_per_page=len(items), resources=items
    )
    return _json(response.model_dump(scim_ctx=Context.SEARCH_RESPONSE))


@scim_endpoint
def service_provider_config(request):
    if request.method != "GET":
        return _error(405, "Method not allowed.")
    config = resources.service_provider_config(
        documentation=request.build_absolute_uri("/") + "#koble-til-kommunen"
    )
    config.meta = Meta(
        resource_type="ServiceProviderConfig",
        location=request.build_absolute_uri(reverse("scim:service_provider_config")),
    )
    return _json(config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _with_meta(request, items, kind: str, name: str):
    for item in items:
        item.meta = Meta(resource_type=kind, location=_location(request, name, item.id))
    return items


@scim_endpoint
def resource_types(request, pk: str | None = None):
    items = _with_meta(request, resources.resource_types(), "ResourceType", "resource_type")
    return _discovery(request, items, pk)


@scim_endpoint
def schemas(request, pk: str | None = None):
    items = _with_meta(request, resources.schemas(), "Schema", "schema")
    return _discovery(request, items, pk)


@scim_endpoint
def search_all(request):
    return _error(501, "Search Users and Groups separately, at /Users/.search and /Groups/.search.")


@scim_endpoint
def not_found(request, rest: str = ""):
    return _error(404, "No such SCIM endpoint.")
