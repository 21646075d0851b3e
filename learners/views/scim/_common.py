"""What every SCIM endpoint shares: the token check, rate limit and audit row, SCIM JSON
answers and errors, query parameters and list pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    ListResponse,
    PatchOp,
    SCIMException,
    ScimPolicy,
    SearchRequest,
)

from learners.lib import scim as resources
from learners.lib.ratelimit import over_limit
from learners.selectors import scim as selectors
from learners.services import scim as services
from learners.services.audit import audit_log_batch

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
    limit, window = settings.SCIM_RATE_LIMIT
    return over_limit("scim", key, limit, window)


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
        # One transaction for the change and its audit rows (one INSERT for all of them): one
        # commit per request. A refused request leaves nothing of its own (an error may come
        # after the first writes, or from the database itself); its audit row is written
        # alone.
        with transaction.atomic(), audit_log_batch():
            if _over_limit(f"token:{token.pk}"):
                response = _error(429, "Too many requests for this token.")
                response["Retry-After"] = str(settings.SCIM_RATE_LIMIT[1])
            else:
                request.scim_municipality = token.municipality
                config = getattr(token.municipality, "scim_config", None)
                request.scim_unit_attribute = config.unit_attribute if config else ""
                response = _handle(lambda: view(request, *args, **kwargs))
            refused = response.status_code >= 400 or transaction.get_rollback()
            if refused:
                transaction.set_rollback(True)
            else:
                services.scim_request_record(
                    token=token,
                    method=request.method,
                    path=request.path,
                    status=response.status_code,
                )
        if refused:
            with transaction.atomic():
                services.scim_request_record(
                    token=token,
                    method=request.method,
                    path=request.path,
                    status=response.status_code,
                )
        return response

    return wrapper


def _body(request) -> dict:
    payload = json.loads(request.body or b"{}")
    if not isinstance(payload, dict):
        raise json.JSONDecodeError("not an object", "", 0)
    return payload


def _patch_body(request) -> dict:
    """The PatchOp with null sub-attributes left out of list values: RFC 7643 (2.5) makes null
    the same as unassigned, and Entra ID removes members as [{"$ref": null, "value": id}],
    which would otherwise match no stored member (they all have a $ref)."""
    payload = _body(request)
    for operation in payload.get("Operations") or []:
        value = operation.get("value") if isinstance(operation, dict) else None
        if isinstance(value, list):
            operation["value"] = [
                {k: v for k, v in item.items() if v is not None} if isinstance(item, dict) else item
                for item in value
            ]
    return payload


def _changed(request, model, current):
    """`current` after the request's PUT (a replacement) or PATCH; None for any other method."""
    with POLICY:
        if request.method == "PUT":
            resource = model.model_validate(
                _body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
            )
            resource.replace(current)
            return resource
        if request.method == "PATCH":
            patch = PatchOp[model].model_validate(
                _patch_body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST
            )
            patch.patch(current)
            return current
    return None


def _one(request, model, found, *, show, delete, store) -> HttpResponse:
    """One resource: GET shows it, DELETE removes it, PUT and PATCH change it. `show(found)`
    makes the SCIM resource; `store(found, resource, before)` saves the changed `resource`
    (`before`: as it was shown before the change) and returns the stored row to show."""
    if request.method == "GET":
        return _resource_response(request, show(found), params=_query_params(request, model))
    if request.method == "DELETE":
        delete(found)
        return HttpResponse(status=204)
    current = show(found)
    before = current.model_copy(deep=True)
    resource = _changed(request, model, current)
    if resource is None:
        return _error(405, "Method not allowed.")
    return _resource_response(request, show(store(found, resource, before)))


def _location(request, name: str, pk) -> str:
    return request.build_absolute_uri(reverse(f"scim:{name}", args=[str(pk)]))


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


def _list(request, model, params, rows, to_resources) -> HttpResponse:
    start = max(params.start_index or 1, 1)
    count = resources.DEFAULT_PAGE if params.count is None else max(params.count, 0)
    count = min(count, resources.MAX_PAGE)
    total = rows.count()
    page = list(rows[start - 1 : start - 1 + count]) if count else []
    response = ListResponse[model](
        total_results=total,
        start_index=start,
        items_per_page=len(page),
        resources=to_resources(request, page) or None,
    )
    return _json(response.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=params))


def _filter_ast(params: SearchRequest):
    return params.filter.ast if params.filter is not None else None
