"""The SCIM resources Endra offers, described with scim2-models: only the attributes Endra
keeps, so the published schemas say exactly what a provisioning client can rely on. Pure
descriptions and conversions; no database access."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import EmailStr, Field
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    Email,
    ETag,
    Extension,
    Filter,
    GroupMembership,
    Manager,
    Mutability,
    Pagination,
    Patch,
    Reference,
    Required,
    Resource,
    ResourceType,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MAX_PAGE = 200
DEFAULT_PAGE = 100


class Name(ComplexAttribute):
    given_name: str | None = None
    """The given name of the person."""

    family_name: str | None = None
    """The family name of the person."""


class UserEmail(ComplexAttribute):
    value: Annotated[EmailStr | None, Required.true] = None
    """An e-mail address of the person."""

    type: Email.Type | None = None
    """What the address is for, e.g. 'work'."""

    primary: bool | None = None
    """The address Endra writes to."""


class EnterpriseUser(Extension):
    __schema__ = URN(ENTERPRISE)

    department: str | None = None
    """The person's department, as the identity system names it."""

    division: str | None = None
    """The person's division."""

    organization: str | None = None
    """The person's organization."""

    cost_center: str | None = None
    """The person's cost centre."""

    manager: Manager | None = None
    """The person's manager: the id of another User of the same municipality."""


class User(Resource[EnterpriseUser]):
    """A person of the municipality."""

    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:User")

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    """The person's unique name in the municipality's identity system."""

    name: Name | None = None
    """The person's name."""

    active: bool | None = None
    """False ends the person's membership in the municipality (history is kept)."""

    # Endra's accounts are e-mail accounts: a person without an address cannot be provisioned.
    emails: Annotated[list[UserEmail] | None, Required.true] = None
    """E-mail addresses; the primary one (or the first) is where Endra writes."""

    groups: Annotated[list[GroupMembership] | None, Mutability.read_only] = None
    """The group (org unit) the person is in."""


class GroupMember(ComplexAttribute):
    """A person in the unit (RFC 7643 members: value, $ref, type; Endra nests no groups)."""

    value: Annotated[str | None, Mutability.immutable, CaseExact.true] = None
    """The id of the User."""

    ref: Annotated[Reference[User] | None, Mutability.immutable] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    """The URI of the User."""

    type: Annotated[str | None, Mutability.immutable] = Field(None, examples=["User"])
    """Always 'User'."""


class Group(Resource[Any]):
    """An org unit of the municipality."""

    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:Group")

    display_name: Annotated[str | None, Required.true] = None
    """The unit's name."""

    members: list[GroupMember] | None = Field(None)
    """The people in the unit."""


def service_provider_config(*, documentation: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=documentation,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_PAGE),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        pagination=Pagination(
            cursor=False,
            index=True,
            default_pagination_method=Pagination.DefaultPaginationMethod.index,
            default_page_size=DEFAULT_PAGE,
            max_page_size=MAX_PAGE,
        ),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description="One token per municipality, created by a platform administrator.",
                primary=True,
            )
        ],
    )


def resource_types() -> list[ResourceType]:
    return [ResourceType.from_resource(User), ResourceType.from_resource(Group)]


def schemas() -> list:
    return [User.to_schema(), EnterpriseUser.to_schema(), Group.to_schema()]


@dataclass
class PersonData:
    """What a User resource says, in Endra's terms."""

    user_name: str
    external_id: str
    given_name: str
    family_name: str
    email: str
    emails: list[dict]
    active: bool | None
    department: str
    manager_id: str
    # division, organization and costCenter, as given (empty ones left out)
    enterprise: dict[str, str]
    # The unit the configured attribute names ("" for none); None when Groups give the unit.
    unit_name: str | None = None


class NoEmail(ValueError):
    """The resource gives no e-mail address Endra could write to."""


ENTERPRISE_STRINGS = {
    "division": "division",
    "organization": "organization",
    "costCenter": "cost_center",
}


def person_data(resource: User, *, unit_attribute: str = "") -> PersonData:
    """Read a validated User resource; raises NoEmail when it names no address.
    `unit_attribute` names the enterprise attribute that gives the person's unit ("" when the
    municipality's Groups give it)."""
    emails = [e.model_dump(mode="json", exclude_none=True) for e in resource.emails or []]
    chosen = next((e["value"] for e in emails if e.get("primary") and e.get("value")), None)
    chosen = chosen or next((e["value"] for e in emails if e.get("value")), None)
    if chosen is None and resource.user_name and "@" in resource.user_name:
        chosen = resource.user_name
    if not chosen:
        raise NoEmail("The User has no e-mail address (emails or an address as userName).")
    extension = resource[EnterpriseUser]
    manager = extension.manager if extension is not None else None
    enterprise = {
        name: value
        for name, field_name in ENTERPRISE_STRINGS.items()
        if extension is not None and (value := getattr(extension, field_name) or "")
    }
    department = (extension.department if extension is not None else None) or ""
    unit_name = None
    if unit_attribute:
        unit_name = (
            department if unit_attribute == "department" else enterprise.get(unit_attribute, "")
        )
    return PersonData(
        user_name=resource.user_name or "",
        external_id=resource.external_id or "",
        given_name=(resource.name.given_name if resource.name else None) or "",
        family_name=(resource.name.family_name if resource.name else None) or "",
        email=chosen.strip().lower(),
        emails=emails,
        active=resource.active,
        department=department,
        manager_id=(manager.value if manager is not None else None) or "",
        enterprise=enterprise,
        unit_name=unit_name.strip() if unit_name is not None else None,
    )
