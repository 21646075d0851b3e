"""SCIM 2.0 (RFC 7643/7644) under /scim/v2/: the municipality's identity system provisions its
people and groups with the municipality's bearer token. Payloads are read and written with
scim2-models; every answer, errors included, is SCIM JSON; every request is rate-limited per
token and audited."""

from .discovery import not_found, resource_types, schemas, search_all, service_provider_config
from .groups import group, groups, groups_search
from .users import user, users, users_search

__all__ = [
    "group",
    "groups",
    "groups_search",
    "not_found",
    "resource_types",
    "schemas",
    "search_all",
    "service_provider_config",
    "user",
    "users",
    "users_search",
]
