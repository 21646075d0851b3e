"""SCIM discovery: ServiceProviderConfig, ResourceTypes and Schemas, and the answers for
what Endra does not serve."""

from __future__ import annotations

from django.urls import reverse
from scim2_models import Context, ListResponse, Meta, NotFoundException

from learners.lib import scim as resources

from ._common import _error, _json, _location, scim_endpoint

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
