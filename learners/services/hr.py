"""Writes for HR's own settings: unit managers and the municipality's options. The errors HR
actions raise are declared here too (assignments use them)."""

from django.db import transaction

from learners.models import (
    AuditAction,
    Membership,
    Municipality,
    MunicipalitySettings,
    OrgUnit,
    UnitManager,
    User,
)

from .audit import audit_log_write

ROLES = ("learner", "hr", "manager")


class HRError(ValueError):
    """An HR action that is not allowed; `code` says why, for the form to explain."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@transaction.atomic
def unit_manager_set(*, org_unit: OrgUnit, user: User, actor: User | None) -> UnitManager:
    """Make `user` (a member of the unit's municipality) a manager of `org_unit`."""
    if not Membership.objects.filter(user=user, municipality_id=org_unit.municipality_id).exists():
        raise HRError("not_member")
    manager, created = UnitManager.objects.get_or_create(
        user=user, org_unit=org_unit, defaults={"municipality_id": org_unit.municipality_id}
    )
    if created:
        audit_log_write(
            action=AuditAction.UNIT_MANAGER_CREATE,
            actor=actor,
            municipality=org_unit.municipality,
            target=manager,
            data={"user_id": user.pk, "org_unit_id": org_unit.pk},
        )
    return manager


@transaction.atomic
def municipality_settings_update(
    *, municipality: Municipality, actor: User | None, **values
) -> MunicipalitySettings:
    """Save the HR settings (reminder schedule and any other option) of `municipality`."""
    allowed = {
        field.name
        for field in MunicipalitySettings._meta.concrete_fields
        if field.editable and field.name not in {"id", "municipality"}
    }
    if not set(values) <= allowed:
        raise HRError("unknown_setting")
    current, _created = MunicipalitySettings.objects.update_or_create(
        municipality=municipality, defaults=values
    )
    audit_log_write(
        action=AuditAction.SETTINGS_UPDATE,
        actor=actor,
        municipality=municipality,
        target=current,
        data=values,
    )
    return current
