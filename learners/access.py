"""Every object a view acts on is fetched here: `access_<thing>(...)` returns it or raises
Http404, scoped to the acting user (a learner's own rows) or to their HR scope (their
municipality, or the units they manage).

The answer is the same 404 for "does not exist" and "not yours", so an id from another
municipality tells nobody whether it exists. Each helper is one `get_object_or_404` over a
queryset that is already scoped, so the scope cannot be forgotten at a call site."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from courses.translations import canonical_id

from .models import (
    ActionPlan,
    Assignment,
    AssignmentPerson,
    Certificate,
    ChangeAgent,
    CheckIn,
    Enrolment,
    Membership,
    Municipality,
    OrgUnit,
    ScormAttempt,
    User,
)
from .permissions import HRScope, require_mfa
from .selectors.certificates import certificate_by_code
from .selectors.learning import enrolment_for
from .selectors.org import learner_home_membership

# --- HR: objects of the scope's municipality ------------------------------------------------


def access_org_unit(*, scope: HRScope, pk: int) -> OrgUnit:
    """A unit of the scope's municipality inside the scope, or 404."""
    unit = get_object_or_404(OrgUnit, pk=pk, municipality=scope.municipality)
    if not scope.covers(unit):
        raise Http404
    return unit


def access_assignment(*, scope: HRScope, pk: int) -> Assignment:
    """An assignment of the scope's municipality, or 404."""
    assignments = Assignment.objects.select_related("learning_path", "course", "org_unit")
    return get_object_or_404(assignments, pk=pk, municipality=scope.municipality)


def access_assigned(*, scope: HRScope, assignment_pk: int, user_pk: int) -> AssignmentPerson:
    """One person of an assignment of the scope's municipality, or 404."""
    return get_object_or_404(
        AssignmentPerson.objects.select_related("assignment__municipality"),
        assignment_id=assignment_pk,
        user_id=user_pk,
        assignment__municipality=scope.municipality,
    )


def access_member(*, scope: HRScope, pk: int) -> Membership:
    """The membership of user `pk` in the scope's municipality, inside the scope, or 404."""
    membership = get_object_or_404(
        Membership.objects.select_related("user", "org_unit"),
        user_id=pk,
        municipality=scope.municipality,
    )
    if scope.unit_paths and (membership.org_unit is None or not scope.covers(membership.org_unit)):
        raise Http404
    return membership


def access_change_agent(*, scope: HRScope, pk: int) -> ChangeAgent:
    """A change agent of the scope's municipality, or 404."""
    return get_object_or_404(ChangeAgent, pk=pk, municipality=scope.municipality)


def access_certificate_for_hr(*, scope: HRScope | None, code: str) -> Certificate:
    """A certificate of the scope's municipality, which HR may revoke or re-issue; scope None
    is a platform admin, who may act on any certificate."""
    certificate = certificate_by_code(code=code)
    if certificate is None:
        raise Http404
    if scope is not None and certificate.municipality_id != scope.municipality.pk:
        raise Http404
    return certificate


def access_person_for_erasure(
    *, scope: HRScope | None, pk: int
) -> tuple[User, Municipality | None]:
    """The person to erase and the municipality they are erased in: HR gets people of their
    own municipality, a platform admin (scope None) anyone, in their home municipality."""
    if scope is None:
        person = get_object_or_404(User, pk=pk)
        membership = learner_home_membership(user=person)
        return person, membership.municipality if membership else None
    return access_member(scope=scope, pk=pk).user, scope.municipality


# --- Learners: their own rows ---------------------------------------------------------------


def access_home_membership(*, user: User) -> Membership:
    """The learner's home membership (learners.selectors.org.learner_home_membership), or 404."""
    membership = learner_home_membership(user=user)
    if membership is None:
        raise Http404
    return membership


def access_own_enrolment(*, user: User, course_id: int, is_source: bool = False) -> Enrolment:
    """The user's own enrolment in a course, unless they left it; 404 otherwise."""
    enrolment = enrolment_for(user=user, course_id=course_id, is_source=is_source)
    if enrolment is None or enrolment.status == Enrolment.Status.LEFT:
        raise Http404
    return enrolment


def access_own_scorm_attempt(*, user: User, pk: int) -> ScormAttempt:
    """The user's own SCORM attempt, in an enrolment they have not left; 404 otherwise."""
    attempts = ScormAttempt.objects.select_related("package", "enrolment").exclude(
        enrolment__status=Enrolment.Status.LEFT
    )
    return get_object_or_404(attempts, pk=pk, enrolment__user_id=user.pk)


def access_plan(*, user: User, pk: int) -> ActionPlan:
    """The user's own plan, or 404 (the same answer for "missing" and "someone else's")."""
    plans = ActionPlan.objects.select_related("enrolment__course", "municipality")
    return get_object_or_404(plans, pk=pk, user_id=user.pk)


def access_check_in(*, user: User, plan_pk: int, pk: int) -> CheckIn:
    """A check-in of the user's own plan, or 404."""
    check_ins = CheckIn.objects.select_related("plan__enrolment__course", "plan__municipality")
    return get_object_or_404(check_ins, pk=pk, plan_id=plan_pk, plan__user_id=user.pk)


def access_plan_enrolment(*, user: User, course_id: int) -> Enrolment:
    """The user's completed enrolment in a course that ends with an action plan, or 404."""
    return get_object_or_404(
        Enrolment.objects.select_related("course", "municipality", "user"),
        user_id=user.pk,
        course_id=canonical_id(course_id),
        completed_at__isnull=False,
        course__action_plan_enabled=True,
    )


def access_readiness_enrolment(*, user: User, course_id: int) -> Enrolment:
    """The user's own enrolment (not left) in a course with an action plan, or 404."""
    enrolments = Enrolment.objects.select_related("course", "municipality", "user").exclude(
        status=Enrolment.Status.LEFT
    )
    return get_object_or_404(
        enrolments,
        user_id=user.pk,
        course_id=canonical_id(course_id),
        course__action_plan_enabled=True,
    )


def access_certificate(*, user: User, code: str, sso_mfa: bool = False) -> Certificate:
    """A certificate its owner, HR of its municipality or a platform admin may download."""
    certificate = certificate_by_code(code=code)
    if certificate is None or not user.is_authenticated:
        raise Http404
    if certificate.user_id == user.pk:
        return certificate
    is_hr_of = user.is_superuser or (
        Membership.objects.filter(
            user=user, municipality_id=certificate.municipality_id, is_hr=True
        ).exists()
    )
    if not is_hr_of:
        raise Http404
    require_mfa(
        user=user, sso_mfa=sso_mfa
    )  # someone else's certificate: HR data, behind the same gate
    return certificate
