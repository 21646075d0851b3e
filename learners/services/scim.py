"""SCIM provisioning writes, each scoped to the token's municipality and run in one
transaction. People come in through the ownership rule (`person_bring_into_municipality`), so
a token never renames, attaches or reveals an account that is not its municipality's alone;
what a response shows is what the municipality said, kept in ScimPerson."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from scim2_models import InvalidValueException, UniquenessException

from learners.lib.scim import PersonData
from learners.models import (
    AuditAction,
    Membership,
    MembershipInvitation,
    Municipality,
    OrgUnit,
    ScimConfig,
    ScimGroup,
    ScimPerson,
    ScimToken,
    User,
)
from learners.selectors.scim import token_digest
from learners.validators import contains_identity_number

from .audit import audit_log_write
from .org import org_unit_create
from .ownership import membership_end, person_bring_into_municipality

TOKEN_PREFIX = "endra_scim_"  # noqa: S105 - a prefix, not a secret


# --- Tokens -------------------------------------------------------------------------------


@transaction.atomic
def scim_token_issue(*, municipality: Municipality, actor: User | None) -> str:
    """Create the municipality's SCIM token, replacing (rotating) any earlier one, and return
    it: the only time it is ever readable. Only its digest is stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    rotated = ScimToken.objects.filter(municipality=municipality).delete()[0] > 0
    token = ScimToken.objects.create(
        municipality=municipality, digest=token_digest(raw), hint=raw[: len(TOKEN_PREFIX) + 4]
    )
    audit_log_write(
        action=AuditAction.SCIM_TOKEN_ROTATE if rotated else AuditAction.SCIM_TOKEN_CREATE,
        actor=actor,
        municipality=municipality,
        target=token,
    )
    return raw


@transaction.atomic
def scim_token_revoke(*, municipality: Municipality, actor: User | None) -> bool:
    """Revoke the municipality's SCIM token; provisioning stops until a new one is issued."""
    deleted = ScimToken.objects.filter(municipality=municipality).delete()[0] > 0
    if deleted:
        audit_log_write(
            action=AuditAction.SCIM_TOKEN_REVOKE, actor=actor, municipality=municipality
        )
    return deleted


@transaction.atomic
def scim_config_set(*, municipality: Municipality, unit_attribute: str, actor: User | None):
    """Choose where the municipality's provisioning takes a person's unit from: its Groups
    ("") or the named enterprise attribute. People move the next time the identity system
    sends them."""
    if unit_attribute not in ScimConfig.UnitAttribute.values:
        raise ValueError(f"Unknown unit attribute {unit_attribute!r}.")
    config, _created = ScimConfig.objects.update_or_create(
        municipality=municipality, defaults={"unit_attribute": unit_attribute}
    )
    audit_log_write(
        action=AuditAction.SCIM_CONFIG_UPDATE,
        actor=actor,
        municipality=municipality,
        target=config,
        data={"unit_attribute": unit_attribute},
    )
    return config


def scim_request_record(*, token: ScimToken, method: str, path: str, status: int) -> None:
    """Audit one use of the token (every request, whatever its answer)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)  # to the minute
    audit_log_write(
        action=AuditAction.SCIM_REQUEST,
        municipality=token.municipality,
        target=token,
        data={"method": method, "path": path[:200], "status": status},
    )


# --- People -------------------------------------------------------------------------------


def _check_user_name(municipality: Municipality, user_name: str, exclude=None) -> None:
    taken = ScimPerson.objects.filter(municipality=municipality).annotate(key=Lower("user_name"))
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.filter(key=user_name.lower()).exists():
        raise UniquenessException(detail="userName is already in use in this municipality.")


def _manager(municipality: Municipality, manager_id: str) -> ScimPerson | None:
    if not manager_id:
        return None
    key = _uuid_or_none(manager_id)
    manager = ScimPerson.objects.filter(municipality=municipality, pk=key).first() if key else None
    if manager is None:
        raise InvalidValueException(detail="manager.value is not a User of this municipality.")
    return manager


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _bring_in(person: ScimPerson, *, user: User | None) -> tuple[User, bool]:
    """The account `person` stands for, brought into the municipality; True when it was
    created now."""
    if contains_identity_number(f"{person.given_name} {person.family_name}"):
        # Endra keeps no identity numbers: the same refusal the import and sign-up give.
        raise InvalidValueException(detail="A name must not hold a national identity number.")
    plan = person_bring_into_municipality(
        municipality=person.municipality, email=person.email, first_name=person.given_name,
        last_name=person.family_name, org_unit=person.org_unit, source="scim", user=user,
    )  # fmt: skip
    if plan.membership is not None:
        return plan.membership.user, plan.created_user is not None
    assert plan.invitation is not None
    return plan.invitation.user, False


def _withdraw(person: ScimPerson) -> None:
    """End the person's place in the municipality: the membership (history stays theirs),
    or the invitation they have not answered."""
    membership = Membership.objects.filter(
        user=person.user, municipality=person.municipality
    ).first()
    if membership is not None:
        membership_end(membership=membership, source="scim")
        return
    invitations = MembershipInvitation.objects.filter(
        user=person.user, municipality=person.municipality, answered_at__isnull=True
    )
    for invitation in invitations:
        audit_log_write(
            action=AuditAction.PERSON_INVITATION_WITHDRAW,
            municipality=person.municipality,
            target=invitation,
            data={"source": "scim"},
        )
    invitations.delete()


def _apply(person: ScimPerson, data: PersonData) -> None:
    person.user_name = data.user_name
    person.external_id = data.external_id
    person.given_name = data.given_name
    person.family_name = data.family_name
    person.email = data.email
    person.emails = data.emails
    person.department = data.department
    person.enterprise = data.enterprise
    person.manager = _manager(person.municipality, data.manager_id)
    if data.unit_name is not None:  # the municipality's unit comes from an attribute
        person.org_unit = _unit_named(person.municipality, data.unit_name)


def _unit_named(municipality: Municipality, name: str) -> OrgUnit | None:
    """The municipality's org unit called `name` (upper and lower case alike); no name, no
    unit. A name that matches no unit, or several, is refused: the identity system then shows
    the person as not provisioned, with this message, until HR or IT fixes the name."""
    if not name:
        return None
    units = list(
        OrgUnit.objects.annotate(key=Lower("name")).filter(
            municipality=municipality, key=name.lower()
        )[:2]
    )
    if len(units) == 1:
        return units[0]
    if not units:
        raise InvalidValueException(detail=f"No org unit of the municipality is named {name!r}.")
    raise InvalidValueException(detail=f"Several org units of the municipality are named {name!r}.")


def scim_person_create(*, municipality: Municipality, data: PersonData) -> ScimPerson:
    """Provision a person in `municipality`: a new account, the municipality's own member
    updated, or, for an account that is not its alone, an invitation. The answer is the same
    in every case. Run inside the caller's transaction, without a savepoint of its own (a
    provisioning run brings in thousands): on an error the caller rolls back."""
    try:
        return _person_create(municipality, data)
    except IntegrityError as exc:
        # The userName is taken in this municipality (the unique constraint decides, also
        # between concurrent requests). The transaction is to be rolled back: nothing of
        # this call stays (learners.views.scim._common rolls back every refused request).
        raise UniquenessException(
            detail="userName is already in use in this municipality."
        ) from exc


@transaction.atomic(savepoint=False)
def _person_create(municipality: Municipality, data: PersonData) -> ScimPerson:
    # SCIM's default is active; a later PATCH may remove the attribute (None, still active).
    person = ScimPerson(municipality=municipality, active=data.active is not False)
    _apply(person, data)
    user, created = _bring_in(person, user=None)
    if not created and ScimPerson.objects.filter(municipality=municipality, user=user).exists():
        # The municipality already provisioned this address under another userName.
        raise UniquenessException(detail="Another User of this municipality has this e-mail.")
    person.user = user
    person.save(force_insert=True)
    if person.active is False:
        _withdraw(person)
    return person


@transaction.atomic
def scim_person_replace(*, person: ScimPerson, data: PersonData) -> ScimPerson:
    """Replace what the municipality says about `person`; active=false ends the membership
    in this municipality only, active=true restores it."""
    person = (
        ScimPerson.objects.select_for_update(of=("self",))
        .select_related("user", "municipality")
        .get(pk=person.pk)
    )
    _check_user_name(person.municipality, data.user_name, exclude=person)
    was_active = person.active is not False
    _apply(person, data)
    person.active = data.active
    if person.active is not False:
        person.user = _bring_in(person, user=person.user)[0]
    elif was_active:
        _withdraw(person)
    person.save()
    return person


@transaction.atomic
def scim_person_delete(*, person: ScimPerson) -> None:
    """The identity system no longer provisions `person`: the membership in this municipality
    ends (history, progress and certificates stay the person's) and the record goes."""
    if person.active is not False:
        _withdraw(person)
    audit_log_write(
        action=AuditAction.SCIM_PERSON_DELETE,
        municipality=person.municipality,
        target=person,
        data={"user_id": person.user_id},
    )
    person.delete()


# --- Groups (org units) -------------------------------------------------------------------


def _members(municipality: Municipality, member_ids: list[str]) -> list[ScimPerson]:
    parsed = {_uuid_or_none(pk) for pk in member_ids}
    keys = {key for key in parsed if key is not None}
    if len(keys) != len(parsed):
        raise InvalidValueException(detail="A member is not a User of this municipality.")
    found = list(ScimPerson.objects.filter(municipality=municipality, pk__in=keys))
    if len(found) != len(keys):
        raise InvalidValueException(detail="A member is not a User of this municipality.")
    return found


def _members_set(group: ScimGroup, member_ids: list[str]) -> None:
    """Put exactly `member_ids` in the group's unit: people who join move to the unit (and
    get its assignments, as a late joiner does); people who leave keep their last unit in
    Endra until the identity system puts them in another group."""
    unit = group.org_unit
    wanted = _members(group.municipality, member_ids)
    wanted_ids = {p.pk for p in wanted}
    ScimPerson.objects.filter(municipality=group.municipality, org_unit=unit).exclude(
        pk__in=wanted_ids
    ).update(org_unit=None, modified_at=timezone.now())
    for person in wanted:
        if person.org_unit_id == unit.pk:
            continue
        person.org_unit = unit
        person.save(update_fields=["org_unit", "modified_at"])
        if person.active is not False:
            _bring_in(person, user=person.user)


def _unit_for(municipality: Municipality, name: str) -> OrgUnit:
    name = name.strip()
    if not name:
        raise InvalidValueException(detail="displayName is required.")
    free = OrgUnit.objects.filter(municipality=municipality, name=name, scim_group__isnull=True)
    unit = free.order_by("depth", "path").first()
    if unit is None:
        if ScimGroup.objects.filter(municipality=municipality, org_unit__name=name).exists():
            raise UniquenessException(detail="A Group with this displayName exists.")
        unit = org_unit_create(municipality=municipality, name=name)
    return unit


@transaction.atomic
def scim_group_create(
    *, municipality: Municipality, display_name: str, external_id: str, member_ids: list[str]
) -> ScimGroup:
    """Link a group to the municipality's unit of that name, or create the unit at the top."""
    unit = _unit_for(municipality, display_name)
    group = ScimGroup.objects.create(
        municipality=municipality, org_unit=unit, external_id=external_id
    )
    _members_set(group, member_ids)
    audit_log_write(
        action=AuditAction.SCIM_GROUP_CREATE,
        municipality=municipality,
        target=group,
        data={"org_unit_id": unit.pk},
    )
    return group


@transaction.atomic
def scim_group_replace(
    *, group: ScimGroup, display_name: str, external_id: str, member_ids: list[str]
) -> ScimGroup:
    """Rename the group's unit, and set its external id and members."""
    group = ScimGroup.objects.select_for_update().select_related("org_unit").get(pk=group.pk)
    name = display_name.strip()
    if not name:
        raise InvalidValueException(detail="displayName is required.")
    if name != group.org_unit.name:
        if ScimGroup.objects.filter(municipality=group.municipality, org_unit__name=name).exists():
            raise UniquenessException(detail="A Group with this displayName exists.")
        _unit_rename(group.org_unit, name)
    group.external_id = external_id
    group.save(update_fields=["external_id", "modified_at"])
    _members_set(group, member_ids)
    return group


def _unit_rename(unit: OrgUnit, name: str) -> None:
    # Units are kept sorted by name among their siblings (treebeard's node_order_by), so a
    # renamed unit moves to its new place instead of breaking the order later inserts use.
    unit.name = name
    unit.save(update_fields=["name"])
    sibling = unit.get_siblings().exclude(pk=unit.pk).first()
    if sibling is not None:
        unit.move(sibling, "sorted-sibling")


@transaction.atomic
def scim_group_delete(*, group: ScimGroup) -> None:
    """Unlink the group. The unit, its people and its assignments stay: HR owns them."""
    audit_log_write(
        action=AuditAction.SCIM_GROUP_DELETE,
        municipality=group.municipality,
        target=group,
        data={"org_unit_id": group.org_unit_id},
    )
    group.delete()
