"""Reads for SCIM provisioning: the token's municipality, and its people and groups, filtered
with SCIM filters translated to the database. Everything starts from one municipality: a
person or group of another is never found."""

from __future__ import annotations

import hashlib
import uuid

from django.db.models import Q, QuerySet
from scim2_models import InvalidFilterException
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterVisitor,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)

from learners.lib.prepared import Prepared
from learners.lib.scim import ENTERPRISE
from learners.models import Municipality, ScimGroup, ScimPerson, ScimToken

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:user"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:group"

# SCIM attribute (lower case) -> (field, kind). Strings compare case-insensitively (caseExact
# false in the published schemas); ids exactly.
USER_FIELDS = {
    "id": ("id", "id"),
    "username": ("user_name", "str"),
    "externalid": ("external_id", "exact"),
    "name.givenname": ("given_name", "str"),
    "name.familyname": ("family_name", "str"),
    "emails": ("email", "str"),
    "emails.value": ("email", "str"),
    "active": ("active", "bool"),
    "department": ("department", "str"),
    "manager": ("manager_id", "id"),
    "manager.value": ("manager_id", "id"),
    "meta.created": ("created_at", "date"),
    "meta.lastmodified": ("modified_at", "date"),
}
GROUP_FIELDS = {
    "id": ("id", "id"),
    "displayname": ("org_unit__name", "str"),
    "externalid": ("external_id", "exact"),
    "members": ("member", "id"),
    "members.value": ("member", "id"),
    "meta.created": ("created_at", "date"),
    "meta.lastmodified": ("modified_at", "date"),
}
_STRING_LOOKUPS = {
    CompareOperator.eq: "iexact",
    CompareOperator.co: "icontains",
    CompareOperator.sw: "istartswith",
    CompareOperator.ew: "iendswith",
}
_ORDER_LOOKUPS = {
    CompareOperator.gt: "gt",
    CompareOperator.ge: "gte",
    CompareOperator.lt: "lt",
    CompareOperator.le: "lte",
}


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# Read on every SCIM request: built once per process (learners.lib.prepared).
_token_by_digest = Prepared(
    lambda digest: (
        ScimToken.objects.select_related("municipality", "municipality__scim_config")
        .filter(digest=digest)
        .order_by("pk")[:1]
    ),
    str,
)


def scim_token_find(*, raw: str) -> ScimToken | None:
    """The token whose digest matches `raw`, with its municipality, or None."""
    if not raw:
        return None
    found = _token_by_digest.rows(token_digest(raw))
    return found[0] if found else None


class _ToQ(FilterVisitor[Q]):
    """A parsed SCIM filter as a Django Q on one resource table."""

    def __init__(self, fields: dict[str, tuple[str, str]], core: str, prefix: str = ""):
        self.fields = fields
        self.core = core
        self.prefix = prefix

    def _field(self, path: AttrPath) -> tuple[str, str]:
        name = path.attr.lower() + (f".{path.sub_attr.lower()}" if path.sub_attr else "")
        uri = (path.uri or "").lower()
        if uri not in ("", self.core, ENTERPRISE.lower()):
            raise InvalidFilterException(detail=f"Unknown schema {path.uri}.")
        key = f"{self.prefix}.{name}" if self.prefix else name
        if key not in self.fields:
            raise InvalidFilterException(detail=f"Endra cannot filter on {key}.")
        return self.fields[key]

    def visit_comparison(self, node: Comparison) -> Q:
        field, kind = self._field(node.attr_path)
        op, value = node.op, node.value
        if op == CompareOperator.ne:
            return ~self.visit_comparison(Comparison(node.attr_path, CompareOperator.eq, value))
        if field == "member":
            return Q(pk__in=self._groups_of(value))
        if kind == "id":
            if op != CompareOperator.eq:
                raise InvalidFilterException(detail="Ids compare only with eq.")
            try:
                return Q(**{field: uuid.UUID(str(value))})
            except ValueError:
                return Q(pk__in=[])
        if kind == "bool":
            if op != CompareOperator.eq or not isinstance(value, bool):
                raise InvalidFilterException(detail="Booleans compare only with eq true/false.")
            return Q(**{field: value})
        if op in _ORDER_LOOKUPS:
            return Q(**{f"{field}__{_ORDER_LOOKUPS[op]}": value})
        if not isinstance(value, str):
            raise InvalidFilterException(detail="This attribute compares with a string.")
        if kind == "exact" and op == CompareOperator.eq:
            return Q(**{field: value})
        return Q(**{f"{field}__{_STRING_LOOKUPS[op]}": value})

    def _groups_of(self, value) -> QuerySet:
        try:
            person_id = uuid.UUID(str(value))
        except ValueError:
            return ScimGroup.objects.none().values("pk")
        units = ScimPerson.objects.filter(pk=person_id).values("org_unit_id")
        return ScimGroup.objects.filter(org_unit_id__in=units).values("pk")

    def visit_present(self, node: Present) -> Q:
        field, kind = self._field(node.attr_path)
        if field == "member":
            return Q(org_unit_id__in=ScimPerson.objects.values("org_unit_id"))
        if kind in ("str", "exact"):
            return ~Q(**{field: ""})
        return Q(**{f"{field}__isnull": False})

    def visit_not(self, node: Not) -> Q:
        return ~self.visit(node.expr)

    def visit_logical_expr(self, node: LogicalExpr) -> Q:
        result = self.visit(node.terms[0])
        for term in node.terms[1:]:
            if node.op == LogicalOperator.and_:
                result &= self.visit(term)
            else:
                result |= self.visit(term)
        return result

    def visit_value_path(self, node: ValuePath) -> Q:
        inner = _ToQ(self.fields, self.core, prefix=node.attr_path.attr.lower())
        return inner.visit(node.val_filter)


def scim_people(*, municipality: Municipality, filter_ast=None) -> QuerySet[ScimPerson]:
    """The municipality's SCIM people matching the parsed filter, oldest first."""
    rows = ScimPerson.objects.filter(municipality=municipality)
    if filter_ast is not None:
        rows = rows.filter(_ToQ(USER_FIELDS, CORE_USER).visit(filter_ast))
    return rows.select_related("org_unit__scim_group").order_by("created_at", "pk")


def scim_groups(*, municipality: Municipality, filter_ast=None) -> QuerySet[ScimGroup]:
    """The municipality's SCIM groups matching the parsed filter, oldest first."""
    rows = ScimGroup.objects.filter(municipality=municipality)
    if filter_ast is not None:
        rows = rows.filter(_ToQ(GROUP_FIELDS, CORE_GROUP).visit(filter_ast))
    return rows.select_related("org_unit").order_by("created_at", "pk")


def scim_person_get(*, municipality: Municipality, pk: str) -> ScimPerson | None:
    """The municipality's SCIM person with id `pk`; None for unknown, malformed or foreign."""
    try:
        key = uuid.UUID(pk)
    except ValueError:
        return None
    return (
        ScimPerson.objects.select_related("org_unit__scim_group", "user")
        .filter(municipality=municipality, pk=key)
        .first()
    )


def scim_group_get(*, municipality: Municipality, pk: str) -> ScimGroup | None:
    """The municipality's SCIM group with id `pk`; None for unknown, malformed or foreign."""
    try:
        key = uuid.UUID(pk)
    except ValueError:
        return None
    return (
        ScimGroup.objects.select_related("org_unit")
        .filter(municipality=municipality, pk=key)
        .first()
    )


def scim_group_members(*, groups: list[ScimGroup]) -> dict[str, list[str]]:
    """Group id -> ids of the people the municipality put in it, for a page of groups of one
    municipality in one query."""
    by_unit = {group.org_unit_id: str(group.pk) for group in groups}
    members: dict[str, list[str]] = {str(group.pk): [] for group in groups}
    if not groups:
        return members
    rows = ScimPerson.objects.filter(
        municipality_id=groups[0].municipality_id, org_unit_id__in=by_unit
    ).order_by("created_at")
    for pk, unit_id in rows.values_list("pk", "org_unit_id"):
        members[by_unit[unit_id]].append(str(pk))
    return members
