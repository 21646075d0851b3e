"""SCIM 2.0 under /scim/v2/ (namespace `scim`)."""

from django.urls import path, re_path

from learners.views import scim

app_name = "scim"

urlpatterns = [
    path("ServiceProviderConfig", scim.service_provider_config, name="service_provider_config"),
    path("ResourceTypes", scim.resource_types, name="resource_types"),
    path("ResourceTypes/<str:pk>", scim.resource_types, name="resource_type"),
    path("Schemas", scim.schemas, name="schemas"),
    path("Schemas/<str:pk>", scim.schemas, name="schema"),
    path("Users", scim.users, name="users"),
    path("Users/.search", scim.users_search, name="users_search"),
    path("Users/<str:pk>", scim.user, name="user"),
    path("Groups", scim.groups, name="groups"),
    path("Groups/.search", scim.groups_search, name="groups_search"),
    path("Groups/<str:pk>", scim.group, name="group"),
    path(".search", scim.search_all, name="search_all"),
    re_path(r"^(?P<rest>.*)$", scim.not_found, name="not_found"),
]
