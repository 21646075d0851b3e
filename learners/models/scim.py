"""SCIM provisioning: the municipality's bearer token, and what its identity system said about
each person and group. Responses are built from these rows, never from the account itself, so
a token learns nothing about an account beyond what its own municipality told Endra."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .org import Municipality, OrgUnit


class ScimToken(models.Model):
    """The one bearer token of a municipality's provisioning client. Only a SHA-256 digest is
    kept (the token is 256 random bits, so a slow hash adds nothing); the token itself is
    shown once, when it is created or rotated. Who created it is in the audit log."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="scim_token"
    )
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(_("starts with"), max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SCIM token")
        verbose_name_plural = _("SCIM tokens")

    def __str__(self):
        return f"{self.municipality} ({self.hint}...)"


class ScimConfig(models.Model):
    """How a municipality's provisioning is read. By default each SCIM Group is an org unit
    and its members are the unit's people; a municipality whose identity system keeps the
    unit as an attribute of the person names that attribute instead. Kept apart from the
    token, so rotating or revoking the token keeps the choice."""

    class UnitAttribute(models.TextChoices):
        GROUPS = "", _("Groups: each SCIM group is an org unit")
        DEPARTMENT = "department", _("The person's department (enterprise extension)")
        DIVISION = "division", _("The person's division (enterprise extension)")
        ORGANIZATION = "organization", _("The person's organization (enterprise extension)")
        COST_CENTER = "costCenter", _("The person's cost centre (enterprise extension)")

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="scim_config"
    )
    unit_attribute = models.CharField(
        _("the unit comes from"),
        max_length=32,
        blank=True,
        choices=UnitAttribute.choices,
        default=UnitAttribute.GROUPS,
        help_text=_(
            "An attribute's value is matched to an org unit's name (upper and lower case alike);"
            " a value that names no unit is refused, so the identity system reports it."
        ),
    )

    class Meta:
        verbose_name = _("SCIM settings")
        verbose_name_plural = _("SCIM settings")

    def __str__(self):
        return str(self.municipality_id)


class ScimGroup(models.Model):
    """A SCIM Group: one org unit of the municipality, linked to its identity system."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="scim_groups"
    )
    org_unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="scim_group")
    external_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SCIM group")
        verbose_name_plural = _("SCIM groups")

    def __str__(self):
        return str(self.org_unit_id)


class ScimPerson(models.Model):
    """A SCIM User: what the municipality's identity system said about one person, and the
    account it stands for (which may be a member, or someone invited who has not answered)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="scim_people"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_records"
    )
    user_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField()
    emails = models.JSONField(default=list, blank=True)
    # None: the identity system did not say (SCIM's default is active).
    active = models.BooleanField(null=True, default=True)
    department = models.CharField(max_length=255, blank=True)
    # The enterprise extension's other strings Endra keeps: division, organization, costCenter.
    enterprise = models.JSONField(default=dict, blank=True)
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SCIM person")
        verbose_name_plural = _("SCIM people")
        constraints = [
            models.UniqueConstraint(
                "municipality", Lower("user_name"), name="scim_user_name_unique_per_municipality"
            ),
            models.UniqueConstraint(
                fields=["municipality", "user"], name="scim_one_record_per_account"
            ),
        ]

    def __str__(self):
        return self.user_name
