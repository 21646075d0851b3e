"""Who owns an account: invitations to join a second municipality, and memberships a
municipality has ended (kept so that it can restore them, and so that it keeps its claim)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from learners.validators import validate_no_identity_number

from .org import Municipality, OrgUnit

ROLE_CHOICES = [("learner", _("learner")), ("hr", _("HR")), ("manager", _("manager"))]


class MembershipInvitation(models.Model):
    """An invitation for an existing account to join `municipality`. Nothing of the person is
    visible to the municipality until they accept it themselves, signed in. Name and e-mail
    are what the municipality said about the person, never read from the account."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="membership_invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership_invitations"
    )
    email = models.EmailField(_("e-mail address"))
    first_name = models.CharField(
        _("first name"), max_length=150, blank=True, validators=[validate_no_identity_number]
    )
    last_name = models.CharField(
        _("last name"), max_length=150, blank=True, validators=[validate_no_identity_number]
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=16, choices=ROLE_CHOICES, default="learner")
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    accepted = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("membership invitation")
        verbose_name_plural = _("membership invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"],
                condition=models.Q(answered_at__isnull=True),
                name="one_open_invitation_per_municipality",
            )
        ]

    def __str__(self):
        return f"{self.email} -> {self.municipality}"


class EndedMembership(models.Model):
    """A membership the municipality ended (SCIM `active=false` or DELETE). The person keeps
    their history; the municipality no longer sees or reminds them, and can restore it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ended_memberships"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="ended_memberships"
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_hr = models.BooleanField(default=False)
    managed_unit_ids = models.JSONField(default=list, blank=True)
    ended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ended membership")
        verbose_name_plural = _("ended memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"], name="one_ended_membership_per_municipality"
            )
        ]

    def __str__(self):
        return f"{self.user_id} @ {self.municipality_id} (ended)"
