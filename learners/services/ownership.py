"""Who owns an account, and how a municipality brings a person in. The CSV import, SCIM and
single sign-on all go through `person_bring_into_municipality`, so the rule is one rule:

- An account belongs to the municipalities it has memberships in (ended ones included: the
  municipality keeps the person's history and may restore the membership).
- A municipality may create new accounts, and change name or e-mail only of accounts that
  belong to it alone and are not platform staff.
- Any other existing account is never renamed, attached or assigned by the municipality: the
  person gets an invitation they accept themselves, signed in. Until then nothing of theirs is
  visible to the municipality.
- What the caller learns never tells a new e-mail from one that has an account elsewhere: both
  answer `Outcome.INVITED` ("an invitation goes out"), and later calls with the same person
  compare against what the municipality said, not against the account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from learners.lib.prepared import Prepared
from learners.models import (
    AuditAction,
    AuditLog,
    EndedMembership,
    Membership,
    MembershipInvitation,
    Municipality,
    OrgUnit,
    UnitManager,
    User,
)
from learners.selectors.org import preferred_language
from learners.services.audit import audit_log_write
from learners.services.mail import mail_send, site_url
from learners.services.memberships import membership_create
from learners.services.outbox import outbox_enqueue
from learners.services.rollups import rollup_refresh
from learners.validators import contains_identity_number

ROLES = ("learner", "hr", "manager")


class Outcome(StrEnum):
    """What bringing a person in did (or, in a dry run, would do). INVITED covers both a new
    account (an invitation to choose a password) and an existing account elsewhere (an
    invitation to join): a caller cannot and must not tell them apart."""

    INVITED = "invited"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass
class PersonPlan:
    """The municipality's view of one person after (or, dry run, before) bringing them in.
    `membership` is set only when the person is the municipality's member; `invitation` only
    while an existing account has not answered. Callers show `outcome` and `changes` only."""

    outcome: Outcome
    changes: list[str] = field(default_factory=list)
    membership: Membership | None = None
    invitation: MembershipInvitation | None = None
    created_user: User | None = None

    @property
    def user(self) -> User | None:
        """The account, only when it is the municipality's to see."""
        return self.membership.user if self.membership is not None else None


def is_staff_account(user: User) -> bool:
    return bool(user.is_staff or user.is_superuser)


def account_owner_ids(*, user: User) -> set[int]:
    """Ids of the municipalities `user` belongs to (current and ended memberships)."""
    current = Membership.objects.filter(user=user).values_list("municipality_id", flat=True)
    ended = EndedMembership.objects.filter(user=user).values_list("municipality_id", flat=True)
    return set(current) | set(ended)


def account_belongs_to_alone(*, user: User, municipality: Municipality) -> bool:
    """True when `user` is no staff account and belongs to `municipality` and no other: only
    then may the municipality change the account's name or e-mail, or erase it."""
    return not is_staff_account(user) and account_owner_ids(user=user) == {municipality.pk}


def account_may_join(*, user: User, municipality: Municipality) -> bool:
    """True when `municipality` may make `user` a member (or keep them one) without asking:
    the user is already its member, or its ended member, and no staff account."""
    if is_staff_account(user):
        return Membership.objects.filter(user=user, municipality=municipality).exists()
    return municipality.pk in account_owner_ids(user=user)


def _split_role(role: str) -> tuple[bool, bool]:
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}.")
    return role == "hr", role == "manager"


@dataclass(frozen=True)
class Person:
    """What a municipality says about one person (import row, SCIM resource, SSO claims)."""

    email: str
    first_name: str
    last_name: str
    org_unit: OrgUnit | None = None
    role: str = "learner"


@dataclass
class _Known:
    """What is stored about the people being planned, read in a few queries."""

    members: dict[int, Membership]
    invitations: dict[int, MembershipInvitation]
    owners: dict[int, set[int]]
    managed: set[tuple[int, int]]


def _known(municipality: Municipality, users: list[User]) -> _Known:
    by_id = {u.pk: u for u in users}
    ids = list(by_id)
    owners: dict[int, set[int]] = {pk: set() for pk in ids}
    members: dict[int, Membership] = {}
    # One read gives both who owns each account and the memberships here.
    for membership in Membership.objects.filter(user_id__in=ids):
        owners[membership.user_id].add(membership.municipality_id)
        if membership.municipality_id == municipality.pk:
            membership.user = by_id[membership.user_id]
            membership.municipality = municipality
            members[membership.user_id] = membership
    for user_id, municipality_id in EndedMembership.objects.filter(user_id__in=ids).values_list(
        "user_id", "municipality_id"
    ):
        owners[user_id].add(municipality_id)
    return _Known(
        members=members,
        invitations={
            i.user_id: i
            for i in MembershipInvitation.objects.filter(
                municipality=municipality, user_id__in=ids, answered_at__isnull=True
            )
        },
        owners=owners,
        managed=set(
            UnitManager.objects.filter(municipality=municipality, user_id__in=ids).values_list(
                "user_id", "org_unit_id"
            )
        ),
    )


def _plan_one(
    person: Person, user: User | None, known: _Known, municipality: Municipality
) -> PersonPlan:
    _split_role(person.role)
    if user is None:
        return PersonPlan(outcome=Outcome.INVITED, changes=["Ny person"])
    membership = known.members.get(user.pk)
    unit = person.org_unit
    changes: list[str] = []
    if membership is not None:
        may_rename = not is_staff_account(user) and known.owners[user.pk] == {municipality.pk}
        if may_rename and (user.first_name, user.last_name) != (
            person.first_name,
            person.last_name,
        ):
            changes.append("Navn")
        if may_rename and user.email != person.email:
            changes.append("E-post")
        if unit is not None and membership.org_unit_id != unit.pk:
            changes.append("Enhet")
        if person.role == "hr" and not membership.is_hr:
            changes.append("Rolle")
        if (
            person.role == "manager"
            and unit is not None
            and (user.pk, unit.pk) not in known.managed
        ):
            changes.append("Rolle")
        outcome = Outcome.CHANGED if changes else Outcome.UNCHANGED
        return PersonPlan(outcome=outcome, changes=changes, membership=membership)
    invitation = known.invitations.get(user.pk)
    if invitation is not None:
        if (invitation.first_name, invitation.last_name) != (person.first_name, person.last_name):
            changes.append("Navn")
        if unit is not None and invitation.org_unit_id != unit.pk:
            changes.append("Enhet")
        if person.role != "learner" and invitation.role != person.role:
            changes.append("Rolle")
        outcome = Outcome.CHANGED if changes else Outcome.UNCHANGED
        return PersonPlan(outcome=outcome, changes=changes, invitation=invitation)
    # An existing account with no place here reads exactly like a new e-mail.
    return PersonPlan(outcome=Outcome.INVITED, changes=["Ny person"])


def people_plan(*, municipality: Municipality, people: list[Person]) -> list[PersonPlan]:
    """What bringing each of `people` into `municipality` would do, saving nothing (the dry
    run), in a constant number of queries. Scoped to `municipality`: a plan shows only its own
    members and its own invitations."""
    emails = {p.email.strip().lower() for p in people}
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    known = _known(municipality, list(users.values()))
    return [_plan_one(p, users.get(p.email.strip().lower()), known, municipality) for p in people]


def person_plan(
    *,
    municipality: Municipality,
    email: str,
    first_name: str,
    last_name: str,
    org_unit: OrgUnit | None = None,
    role: str = "learner",
    user: User | None = None,
) -> PersonPlan:
    """What `person_bring_into_municipality` would do for one person, saving nothing. Pass
    `user` to match an account other than by e-mail (SSO: the provider's subject; SCIM: the
    municipality's own record), never to look one up for the caller."""
    person = Person(email.strip().lower(), first_name, last_name, org_unit, role)
    if user is None:
        user = User.objects.filter(email=person.email).first()
    known = _known(municipality, [user] if user is not None else [])
    return _plan_one(person, user, known, municipality)


# The account with an address, locked for the rest of the transaction: read for every person
# an import, a provisioning run or a sign-in brings in (learners.lib.prepared).
_account_locked = Prepared(
    lambda email: User.objects.select_for_update().filter(email=email).order_by("pk")[:1], str
)


def person_bring_into_municipality(
    *,
    municipality: Municipality,
    email: str,
    first_name: str,
    last_name: str,
    org_unit: OrgUnit | None = None,
    role: str = "learner",
    actor: User | None = None,
    source: str = "import",
    user: User | None = None,
    email_verified: bool = True,
) -> PersonPlan:
    """Bring the person with `email` into `municipality` (scoped to it alone): a new account
    is created with a membership and queued an invitation to choose a password; a member
    whose account belongs to the municipality alone is updated; the municipality's ended
    member is restored; any other existing account is left untouched and gets an invitation
    to join, which they accept themselves. `source` ("import", "scim", "sso") goes to the
    audit row."""
    email = email.strip().lower()
    if org_unit is not None and org_unit.municipality_id != municipality.pk:
        raise ValueError("The unit belongs to another municipality.")
    if contains_identity_number(first_name) or contains_identity_number(last_name):
        raise ValueError("A name must not hold a national identity number.")
    _split_role(role)
    # No savepoint of its own (a provisioning run brings in thousands): the checks above
    # raise before anything is written, and a database error ends the caller's transaction.
    with transaction.atomic(savepoint=False):
        if user is None:
            found = _account_locked.rows(email)
            user = found[0] if found else None
        if user is None:
            return _person_create(
                municipality=municipality, email=email, first_name=first_name,
                last_name=last_name, org_unit=org_unit, role=role, actor=actor, source=source,
                email_verified=email_verified,
            )  # fmt: skip
        return _person_bring_existing(
            municipality=municipality, email=email, first_name=first_name,
            last_name=last_name, org_unit=org_unit, role=role, actor=actor, source=source,
            user=user,
        )  # fmt: skip


def _person_bring_existing(
    *, municipality, email, first_name, last_name, org_unit, role, actor, source, user
) -> PersonPlan:
    plan = person_plan(
        municipality=municipality, email=email, first_name=first_name, last_name=last_name,
        org_unit=org_unit, role=role, user=user,
    )  # fmt: skip
    if plan.membership is None and account_may_join(user=user, municipality=municipality):
        membership = membership_restore(user=user, municipality=municipality, actor=actor)
        plan = person_plan(
            municipality=municipality, email=email, first_name=first_name,
            last_name=last_name, org_unit=org_unit, role=role, user=user,
        )  # fmt: skip
        plan.outcome = Outcome.CHANGED
        plan.changes = ["Gjenopprettet", *plan.changes]
        plan.membership = membership
    if plan.membership is not None:
        if plan.changes:
            _member_update(
                plan, municipality=municipality, email=email, first_name=first_name,
                last_name=last_name, org_unit=org_unit, role=role, actor=actor, source=source,
            )  # fmt: skip
        return plan
    return _invitation_write(
        plan, municipality=municipality, user=user, email=email, first_name=first_name,
        last_name=last_name, org_unit=org_unit, role=role, actor=actor, source=source,
    )  # fmt: skip


def _person_create(
    *, municipality, email, first_name, last_name, org_unit, role, actor, source,
    email_verified,
) -> PersonPlan:  # fmt: skip
    user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
    # The municipality vouches for the address; the invitation link proves it works.
    EmailAddress.objects.create(user=user, email=email, verified=email_verified, primary=True)
    membership = _membership_write(
        user=user, municipality=municipality, org_unit=org_unit, role=role, actor=actor,
        new_account=True,
    )  # fmt: skip
    audit_log_write(
        action=AuditAction.PERSON_CREATE,
        actor=actor,
        municipality=municipality,
        target=membership,
        data={"user_id": user.pk, "source": source},
    )
    return PersonPlan(
        outcome=Outcome.INVITED,
        changes=["Ny person"],
        membership=membership,
        created_user=user,
    )


def _membership_write(
    *, user, municipality, org_unit, role, actor, new_account=False
) -> Membership:
    is_hr, is_manager = _split_role(role)
    membership = membership_create(
        user=user, municipality=municipality, org_unit=org_unit, is_hr=is_hr, actor=actor,
        new_account=new_account,
    )  # fmt: skip
    if is_manager and org_unit is not None:
        UnitManager.objects.get_or_create(
            user=user, org_unit=org_unit, defaults={"municipality": municipality}
        )
    return membership


def _member_update(
    plan: PersonPlan, *, municipality, email, first_name, last_name, org_unit, role, actor,
    source,
) -> None:  # fmt: skip
    membership = plan.membership
    assert membership is not None
    user = membership.user
    fields = []
    if "Navn" in plan.changes:
        user.first_name, user.last_name = first_name, last_name
        fields += ["first_name", "last_name"]
    if "E-post" in plan.changes:
        if User.objects.filter(email=email).exclude(pk=user.pk).exists():
            plan.changes.remove("E-post")  # taken: never merge two accounts
        else:
            user.email = email
            fields.append("email")
            EmailAddress.objects.filter(user=user, primary=True).update(email=email)
    if fields:
        user.save(update_fields=fields)
    plan.membership = _membership_write(
        user=user, municipality=municipality, org_unit=org_unit, role=role, actor=actor
    )
    audit_log_write(
        action=AuditAction.PERSON_UPDATE,
        actor=actor,
        municipality=municipality,
        target=plan.membership,
        data={"user_id": user.pk, "source": source, "changes": plan.changes},
    )


def _invitation_write(
    plan: PersonPlan, *, municipality, user, email, first_name, last_name, org_unit, role,
    actor, source,
) -> PersonPlan:  # fmt: skip
    invitation = plan.invitation
    if invitation is None:
        try:
            with transaction.atomic():
                invitation = MembershipInvitation.objects.create(
                    municipality=municipality, user=user, email=email, first_name=first_name,
                    last_name=last_name, org_unit=org_unit, role=role,
                )  # fmt: skip
        except IntegrityError:  # a concurrent call invited them first
            invitation = MembershipInvitation.objects.get(
                municipality=municipality, user=user, answered_at__isnull=True
            )
        _invitation_queue(invitation)
    elif plan.changes:
        invitation.first_name, invitation.last_name = first_name, last_name
        invitation.org_unit = org_unit or invitation.org_unit
        if role != "learner":
            invitation.role = role
        invitation.save(update_fields=["first_name", "last_name", "org_unit", "role"])
    audit_log_write(
        action=AuditAction.PERSON_INVITE,
        actor=actor,
        municipality=municipality,
        target=invitation,
        data={"source": source},
    )
    plan.invitation = invitation
    return plan


def _invitation_queue(invitation: MembershipInvitation) -> None:
    outbox_enqueue(
        "learners.tasks.membership_invitation_send",
        invitation_id=invitation.pk,
        dedup_key=f"membership-invitation:{invitation.pk}",
    )


def invitations_open_for(*, user: User):
    """The invitations waiting for `user`'s own answer (scoped to the signed-in person)."""
    return (
        MembershipInvitation.objects.filter(user=user, answered_at__isnull=True)
        .select_related("municipality", "org_unit")
        .order_by("created_at")
    )


@transaction.atomic
def invitation_answer(*, invitation_id: int, user: User, accept: bool) -> Membership | None:
    """`user` accepts or declines their own open invitation; accepting makes them a member
    with the unit and role the municipality gave. Another person's id raises DoesNotExist."""
    invitation = (
        MembershipInvitation.objects.select_for_update()
        .filter(user=user, answered_at__isnull=True)
        .get(pk=invitation_id)
    )
    invitation.answered_at = timezone.now()
    invitation.accepted = accept
    invitation.save(update_fields=["answered_at", "accepted"])
    membership = None
    if accept:
        membership = _membership_write(
            user=user, municipality=invitation.municipality, org_unit=invitation.org_unit,
            role=invitation.role, actor=user,
        )  # fmt: skip
    audit_log_write(
        action=AuditAction.PERSON_INVITATION_ACCEPT
        if accept
        else AuditAction.PERSON_INVITATION_DECLINE,
        actor=user,
        municipality=invitation.municipality,
        target=invitation,
        data={"user_id": user.pk},
    )
    return membership


@transaction.atomic
def membership_end(
    *, membership: Membership, actor: User | None = None, source: str = "scim"
) -> EndedMembership:
    """End `membership` in its municipality only: the person can no longer act there, gets no
    reminders from it and is not counted by it; enrolments, progress and certificates stay
    theirs. The unit, HR role and managed units are kept for `membership_restore`."""
    managed = list(
        UnitManager.objects.filter(
            user_id=membership.user_id, municipality_id=membership.municipality_id
        ).values_list("org_unit_id", flat=True)
    )
    ended, _ = EndedMembership.objects.update_or_create(
        user_id=membership.user_id,
        municipality_id=membership.municipality_id,
        defaults={
            "org_unit_id": membership.org_unit_id,
            "is_hr": membership.is_hr,
            "managed_unit_ids": managed,
        },
    )
    UnitManager.objects.filter(
        user_id=membership.user_id, municipality_id=membership.municipality_id
    ).delete()
    audit_log_write(
        action=AuditAction.MEMBERSHIP_END,
        actor=actor,
        municipality=membership.municipality,
        target=membership,
        data={"user_id": membership.user_id, "source": source},
    )
    membership.delete()
    rollup_refresh(user_ids=[membership.user_id])  # no longer counted here
    return ended


@transaction.atomic
def membership_restore(
    *, user: User, municipality: Municipality, actor: User | None = None
) -> Membership:
    """Restore the membership `municipality` ended for `user`, with its unit and roles."""
    ended = EndedMembership.objects.select_for_update().get(user=user, municipality=municipality)
    membership = membership_create(
        user=user,
        municipality=municipality,
        org_unit=ended.org_unit,
        is_hr=ended.is_hr,
        actor=actor,
    )
    for unit in OrgUnit.objects.filter(pk__in=ended.managed_unit_ids, municipality=municipality):
        UnitManager.objects.get_or_create(
            user=user, org_unit=unit, defaults={"municipality": municipality}
        )
    ended.delete()
    audit_log_write(
        action=AuditAction.MEMBERSHIP_RESTORE,
        actor=actor,
        municipality=municipality,
        target=membership,
        data={"user_id": user.pk},
    )
    return membership


@transaction.atomic
def membership_invitation_send(*, invitation_id: int) -> None:
    """E-mail the person their invitation once (to the account's own address); a redelivered
    task finds the audit row and stops."""
    invitation = (
        MembershipInvitation.objects.select_for_update()
        .select_related("user", "municipality")
        .filter(pk=invitation_id, answered_at__isnull=True)
        .first()
    )
    if invitation is None:
        return
    target = {"target_type": "MembershipInvitation", "target_id": str(invitation.pk)}
    if AuditLog.objects.filter(action=AuditAction.PERSON_INVITATION_SEND, **target).exists():
        return
    mail_send(
        to=[invitation.user.email],
        template="membership_invitation",
        context={
            "user": invitation.user,
            "municipality": invitation.municipality,
            "link": site_url(reverse("learners:invitations")),
        },
        language=preferred_language(user=invitation.user),
    )
    audit_log_write(
        action=AuditAction.PERSON_INVITATION_SEND,
        municipality=invitation.municipality,
        target=invitation,
        data={"user_id": invitation.user_id},
    )
