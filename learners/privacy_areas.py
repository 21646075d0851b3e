"""What Endra keeps about a person, area by area: each area says how to export it and how to
erase it. learners.services.privacy and learners.selectors.privacy walk AREAS, so a new kind
of personal data is covered by adding one PrivacyArea here
(tests/learners/services/test_privacy.py fails for a model with a path to a user that no area
claims)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from .models import (
    AssignmentPerson,
    Certificate,
    EndedMembership,
    Enrolment,
    Membership,
    MembershipInvitation,
    ModuleProgress,
    QuizAttempt,
    ReflectionAnswer,
    ScimPerson,
    ScormAttempt,
    UnitManager,
    User,
)
from .openbadges import credentials

ERASED_EMAIL_DOMAIN = "slettet.invalid"  # .invalid never resolves (RFC 2606)
ERASED_LEARNER_NAME = "Utstedt til en person som har fått sine opplysninger slettet"


@dataclass(frozen=True)
class PrivacyArea:
    """One kind of personal data: `export` returns plain JSON-able rows for a user, `erase`
    removes or blanks what identifies them and returns how many rows it touched."""

    key: str
    title: Any  # a lazy translation
    export: Callable[[User], list[dict]]
    erase: Callable[[User], int] | None = None
    # Models this area accounts for (checked by the coverage test).
    models: tuple[type[Model], ...] = ()
    # (model, lookup to the user, datetime field): counted as activity for retention.
    activity: tuple[tuple[type[Model], str, str], ...] = field(default=())


def _iso(value) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _rows(queryset, fields: list[str]) -> list[dict]:
    return [{k: _iso(v) for k, v in row.items()} for row in queryset.values(*fields)]


# --- Core areas -----------------------------------------------------------------------------


def _profile(user: User) -> list[dict]:
    return [
        {
            "id": user.pk,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        }
    ]


def _memberships(user: User) -> list[dict]:
    rows = Membership.objects.filter(user=user).order_by("created_at")
    return _rows(
        rows, ["municipality__name", "org_unit__name", "is_learner", "is_hr", "created_at"]
    )


def _memberships_erase(user: User) -> int:
    # Kept with their unit, so counts per unit stay right; only the HR role goes.
    return Membership.objects.filter(user=user, is_hr=True).update(is_hr=False)


def _managed_units(user: User) -> list[dict]:
    return _rows(UnitManager.objects.filter(user=user), ["org_unit__name", "created_at"])


def _managed_units_erase(user: User) -> int:
    return UnitManager.objects.filter(user=user).delete()[0]


def _enrolments(user: User) -> list[dict]:
    rows = Enrolment.objects.filter(user=user).order_by("created_at")
    fields = ["course__title", "municipality__name", "source", "status"]
    return _rows(rows, [*fields, "created_at", "completed_at"])


def _progress(user: User) -> list[dict]:
    rows = ModuleProgress.objects.filter(enrolment__user=user).order_by("done_at")
    return _rows(rows, ["enrolment__course__title", "module__title", "done_at"])


def _reflections(user: User) -> list[dict]:
    rows = ReflectionAnswer.objects.filter(enrolment__user=user).order_by("updated_at")
    return _rows(rows, ["module__title", "prompt", "text", "updated_at"])


def _reflections_erase(user: User) -> int:
    return ReflectionAnswer.objects.filter(enrolment__user=user).delete()[0]


def _attempts(user: User) -> list[dict]:
    rows = QuizAttempt.objects.filter(enrolment__user=user).order_by("started_at")
    fields = ["quiz_page__title", "number", "status", "answers", "score", "passed"]
    return _rows(rows, [*fields, "started_at", "submitted_at"])


def _scorm_attempts(user: User) -> list[dict]:
    rows = ScormAttempt.objects.filter(enrolment__user=user).order_by("started_at")
    fields = ["module__title", "number", "completion_status", "success_status", "score_raw"]
    more = ["score_max", "score_scaled", "location", "total_time", "cmi", "started_at"]
    return _rows(rows, [*fields, *more, "completed_at"])


def _scorm_attempts_erase(user: User) -> int:
    # The package's own data may hold free text (answers, comments): it goes; status and
    # score stay as the learning record, like a quiz attempt's.
    return ScormAttempt.objects.filter(enrolment__user=user).update(cmi={}, location="")


def _certificates(user: User) -> list[dict]:
    rows = Certificate.objects.filter(user=user).order_by("issued_at")
    fields = ["code", "learner_name", "title", "municipality_name", "completed_at"]
    return _rows(rows, [*fields, "issued_at", "revoked_at"])


def _certificates_erase(user: User) -> int:
    """Replace the name on `user`'s certificates, re-sign the stored credential with it and
    drop the stored PDF (it is rendered again, without the name, on the next download)."""
    count = 0
    for certificate in Certificate.objects.select_for_update().filter(user=user):
        stored = certificate.pdf.name if certificate.pdf else None
        if stored and certificate.pdf.storage.exists(stored):
            certificate.pdf.storage.delete(stored)
        certificate.learner_name = ERASED_LEARNER_NAME
        certificate.pdf = ""
        if certificate.credential:
            achievement = certificate.credential.get("credentialSubject", {}).get("achievement", {})
            certificate.credential = credentials.certificate_credential_sign(
                certificate,
                achievement_id=achievement.get("id", ""),
                narrative=achievement.get("criteria", {}).get("narrative", ""),
            )
        certificate.save(update_fields=["learner_name", "pdf", "credential"])
        count += 1
    return count


def _assignments(user: User) -> list[dict]:
    rows = AssignmentPerson.objects.filter(user=user).order_by("added_at")
    fields = ["assignment__course__title", "assignment__learning_path__title", "due_date"]
    return _rows(rows, [*fields, "added_at", "completed_at", "expires_on"])


AREAS: list[PrivacyArea] = [
    PrivacyArea(
        "profile",
        _("Profile"),
        _profile,
        models=(User,),
        activity=((User, "pk", "last_login"), (User, "pk", "date_joined")),
    ),
    PrivacyArea(
        "memberships",
        _("Municipalities and units"),
        _memberships,
        _memberships_erase,
        models=(Membership,),
        activity=((Membership, "user", "created_at"),),
    ),
    PrivacyArea(
        "managed_units",
        _("Units you lead"),
        _managed_units,
        _managed_units_erase,
        models=(UnitManager,),
    ),
    PrivacyArea(
        "enrolments",
        _("Courses"),
        _enrolments,
        models=(Enrolment,),
        activity=((Enrolment, "user", "created_at"), (Enrolment, "user", "completed_at")),
    ),
    PrivacyArea(
        "progress",
        _("Modules done"),
        _progress,
        models=(ModuleProgress,),
        activity=((ModuleProgress, "enrolment__user", "done_at"),),
    ),
    PrivacyArea(
        "reflections",
        _("Reflections"),
        _reflections,
        _reflections_erase,
        models=(ReflectionAnswer,),
        activity=((ReflectionAnswer, "enrolment__user", "updated_at"),),
    ),
    PrivacyArea(
        "attempts",
        _("Quiz attempts"),
        _attempts,
        models=(QuizAttempt,),
        activity=((QuizAttempt, "enrolment__user", "started_at"),),
    ),
    PrivacyArea(
        "scorm_attempts",
        _("SCORM attempts"),
        _scorm_attempts,
        _scorm_attempts_erase,
        models=(ScormAttempt,),
        activity=((ScormAttempt, "enrolment__user", "updated_at"),),
    ),
    PrivacyArea(
        "certificates",
        _("Certificates"),
        _certificates,
        _certificates_erase,
        models=(Certificate,),
    ),
    PrivacyArea(
        "assignments",
        _("Assigned learning"),
        _assignments,
        models=(AssignmentPerson,),
    ),
]


# --- Change in practice (action plans), when that part is installed --------------------------


def _model(name: str) -> type[Model] | None:
    try:
        return apps.get_model("learners", name)
    except LookupError:
        return None


def _blank(queryset, fields: list[str]) -> int:
    return queryset.update(**dict.fromkeys(fields, ""))


def _plans_export(user: User) -> list[dict]:
    plan_model = _model("ActionPlan")
    plans = []
    for plan in plan_model.objects.filter(user=user).order_by("created_at"):  # type: ignore[union-attr]
        row = {k: _iso(v) for k, v in plan.__dict__.items() if not k.startswith("_")}
        row["steps"] = _rows(plan.steps.all(), ["text", "due_date"])
        row["benefits"] = _rows(
            plan.benefits.all(),
            ["description", "indicator", "unit", "baseline_value", "target_value", "owner"],
        )
        row["check_ins"] = _rows(plan.check_ins.all(), ["days_after", "due_on", "completed_at"])
        row["measurements"] = _rows(
            _model("Measurement").objects.filter(check_in__plan=plan),  # type: ignore[union-attr]
            ["benefit__description", "value", "status", "note", "measured_on"],
        )
        plans.append({k: str(v) if hasattr(v, "as_tuple") else v for k, v in row.items()})
    return plans


def _plans_erase(user: User) -> int:
    # The free text goes; the rows, dates, numbers and statuses stay for HR's aggregates.
    plans = _model("ActionPlan").objects.filter(user=user)  # type: ignore[union-attr]
    fields = ["title", "change", "involve_employees", "involve_union", "involve_agents"]
    touched = _blank(plans, fields)
    touched += _blank(_model("PlanStep").objects.filter(plan__user=user), ["text"])  # type: ignore[union-attr]
    benefits = _model("Benefit").objects.filter(plan__user=user)  # type: ignore[union-attr]
    touched += _blank(benefits, ["description", "indicator", "unit", "owner"])
    notes = _model("Measurement").objects.filter(check_in__plan__user=user)  # type: ignore[union-attr]
    return touched + _blank(notes, ["note"])


def _readiness_export(user: User) -> list[dict]:
    rows = _model("ReadinessResponse").objects.filter(user=user)  # type: ignore[union-attr]
    return [
        {**row, "mean": str(row["mean"])}
        for row in _rows(
            rows, ["enrolment__course__title", "phase", "answers", "mean", "created_at"]
        )
    ]


def _agents_export(user: User) -> list[dict]:
    rows = _model("ChangeAgent").objects.filter(user=user)  # type: ignore[union-attr]
    return _rows(rows, ["municipality__name", "works_on", "source", "created_at"])


def _agents_erase(user: User) -> int:
    # A list of change agents is a list of names: an erased person leaves it.
    return _model("ChangeAgent").objects.filter(user=user).delete()[0]  # type: ignore[union-attr]


if _model("ActionPlan") is not None:
    AREAS += [
        PrivacyArea(
            "action_plans",
            _("Action plans"),
            _plans_export,
            _plans_erase,
            models=tuple(
                _model(name)  # type: ignore[misc]
                for name in (
                    "ActionPlan",
                    "PlanStep",
                    "Benefit",
                    "CheckIn",
                    "CheckInReminder",
                    "Measurement",
                )
            ),
            activity=((_model("ActionPlan"), "user", "updated_at"),),  # type: ignore[arg-type]
        ),
        PrivacyArea(
            "readiness",
            _("Change readiness self-assessments"),
            _readiness_export,
            models=(_model("ReadinessResponse"),),  # type: ignore[arg-type]
            activity=((_model("ReadinessResponse"), "user", "created_at"),),  # type: ignore[arg-type]
        ),
        PrivacyArea(
            "change_agent",
            _("Change agent"),
            _agents_export,
            _agents_erase,
            models=(_model("ChangeAgent"),),  # type: ignore[arg-type]
        ),
    ]


# --- Ownership: invitations to join a municipality, memberships a municipality ended --------


def _invitations_export(user: User) -> list[dict]:
    rows = MembershipInvitation.objects.filter(user=user).order_by("created_at")
    fields = ["municipality__name", "email", "first_name", "last_name", "org_unit__name"]
    return _rows(rows, [*fields, "role", "created_at", "answered_at", "accepted"])


def _invitations_erase(user: User) -> int:
    # They hold the name and e-mail the municipality gave: gone with the person.
    return MembershipInvitation.objects.filter(user=user).delete()[0]


def _ended_memberships_export(user: User) -> list[dict]:
    rows = EndedMembership.objects.filter(user=user).order_by("ended_at")
    return _rows(rows, ["municipality__name", "org_unit__name", "is_hr", "ended_at"])


def _ended_memberships_erase(user: User) -> int:
    # Kept with their unit, like current memberships; only the HR role goes.
    return EndedMembership.objects.filter(user=user, is_hr=True).update(is_hr=False)


def _ownership_areas() -> list[PrivacyArea]:
    return [
        PrivacyArea(
            "membership_invitations",
            _("Invitations from municipalities"),
            _invitations_export,
            _invitations_erase,
            models=(MembershipInvitation,),
        ),
        PrivacyArea(
            "ended_memberships",
            _("Ended memberships"),
            _ended_memberships_export,
            _ended_memberships_erase,
            models=(EndedMembership,),
        ),
    ]


AREAS += _ownership_areas()


def _scim_export(user: User) -> list[dict]:
    rows = ScimPerson.objects.filter(user=user).order_by("created_at")
    fields = ["municipality__name", "user_name", "external_id", "given_name", "family_name"]
    return _rows(rows, [*fields, "email", "active", "department", "created_at"])


def _scim_erase(user: User) -> int:
    # What the municipality's identity system said about the person goes with the person.
    return ScimPerson.objects.filter(user=user).delete()[0]


AREAS.append(
    PrivacyArea(
        "scim_records",
        _("Records from the municipality's identity system"),
        _scim_export,
        _scim_erase,
        models=(ScimPerson,),
    )
)
