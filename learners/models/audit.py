"""The audit log: an append-only record of every important change."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .org import Municipality


class AuditAction(models.TextChoices):
    """Every action the audit log records. The writer refuses any other code."""

    ACTION_PLAN_CREATE = "action_plan.create", _("Action plan created")
    ACTION_PLAN_UPDATE = "action_plan.update", _("Action plan changed")
    ASSIGNMENT_CREATE = "assignment.create", _("Assignment created")
    ASSIGNMENT_END = "assignment.end", _("Assignment ended")
    ASSIGNMENT_PERSON_REMOVE = "assignment.person_remove", _("Person unassigned")
    ASSIGNMENT_JOIN = "assignment.join", _("Person added to assignments")
    ASSIGNMENT_COMPLETE = "assignment.complete", _("Assignment completed")
    ASSIGNMENT_REOPEN = "assignment.reopen", _("Assignment reopened")
    ASSIGNMENT_DUE_DATE_CHANGE = "assignment.due_date_change", _("Due date changed")
    CERTIFICATE_ISSUE = "certificate.issue", _("Certificate issued")
    CERTIFICATE_REISSUE = "certificate.reissue", _("Certificate issued again")
    CERTIFICATE_REVOKE = "certificate.revoke", _("Certificate revoked")
    CHANGE_AGENT_CREATE = "change_agent.create", _("Change agent added")
    CHANGE_AGENT_UPDATE = "change_agent.update", _("Change agent changed")
    CHANGE_AGENT_REMOVE = "change_agent.remove", _("Change agent removed")
    CHECK_IN_RECORD = "check_in.record", _("Follow-up recorded")
    EMPLOYEES_IMPORT = "employees.import", _("Employees imported")
    ENROLMENT_CREATE = "enrolment.create", _("Enrolled")
    ENROLMENT_LEAVE = "enrolment.leave", _("Left a course")
    ENROLMENT_COMPLETE = "enrolment.complete", _("Course completed")
    INVITATION_SEND = "invitation.send", _("Invitation to choose a password sent")
    MEMBERSHIP_CREATE = "membership.create", _("Membership created")
    MEMBERSHIP_UPDATE = "membership.update", _("Membership changed")
    MEMBERSHIP_END = "membership.end", _("Membership ended")
    MEMBERSHIP_RESTORE = "membership.restore", _("Membership restored")
    PERSON_CREATE = "person.create", _("Person created")
    PERSON_UPDATE = "person.update", _("Person changed")
    PERSON_ERASE = "person.erase", _("Personal data erased")
    PERSON_INVITE = "person.invite", _("Person invited to the municipality")
    PERSON_INVITATION_SEND = "person.invitation_send", _("Invitation to the municipality sent")
    PERSON_INVITATION_ACCEPT = "person.invitation_accept", _("Invitation accepted")
    PERSON_INVITATION_DECLINE = "person.invitation_decline", _("Invitation declined")
    PERSON_INVITATION_WITHDRAW = "person.invitation_withdraw", _("Invitation withdrawn")
    QUIZ_ATTEMPT_SUBMIT = "quiz_attempt.submit", _("Quiz answered")
    READINESS_SUBMIT = "readiness.submit", _("Readiness survey answered")
    REPORT_EXPORT = "report.export", _("Report exported")
    SCIM_REQUEST = "scim.request", _("SCIM request")
    SCIM_TOKEN_CREATE = "scim.token_create", _("SCIM token created")
    SCIM_TOKEN_ROTATE = "scim.token_rotate", _("SCIM token replaced")
    SCIM_TOKEN_REVOKE = "scim.token_revoke", _("SCIM token revoked")
    SCIM_CONFIG_UPDATE = "scim.config_update", _("SCIM settings changed")
    SCIM_GROUP_CREATE = "scim.group_create", _("SCIM group created")
    SCIM_GROUP_DELETE = "scim.group_delete", _("SCIM group deleted")
    SCIM_PERSON_DELETE = "scim.person_delete", _("Person deleted through SCIM")
    SETTINGS_UPDATE = "settings.update", _("Settings changed")
    UNIT_MANAGER_CREATE = "unit_manager.create", _("Unit manager appointed")


# What the HR log shows: HR's own actions and what follows from them, not every learner click.
HR_VISIBLE_ACTIONS = frozenset(
    {
        AuditAction.ASSIGNMENT_CREATE,
        AuditAction.ASSIGNMENT_END,
        AuditAction.ASSIGNMENT_PERSON_REMOVE,
        AuditAction.ASSIGNMENT_JOIN,
        AuditAction.ASSIGNMENT_COMPLETE,
        AuditAction.ASSIGNMENT_REOPEN,
        AuditAction.ASSIGNMENT_DUE_DATE_CHANGE,
        AuditAction.EMPLOYEES_IMPORT,
        AuditAction.REPORT_EXPORT,
        AuditAction.CERTIFICATE_REVOKE,
        AuditAction.SETTINGS_UPDATE,
        AuditAction.UNIT_MANAGER_CREATE,
        # Provisioning: the token's life and what the identity system removed; the request
        # rows (one per SCIM call) stay in the full log.
        AuditAction.SCIM_TOKEN_CREATE,
        AuditAction.SCIM_TOKEN_ROTATE,
        AuditAction.SCIM_TOKEN_REVOKE,
        AuditAction.SCIM_CONFIG_UPDATE,
        AuditAction.SCIM_GROUP_CREATE,
        AuditAction.SCIM_GROUP_DELETE,
        AuditAction.SCIM_PERSON_DELETE,
    }
)


class AuditLog(models.Model):
    """An append-only record of an important change: who did what, to what, when."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # One of AuditAction, checked by the writer. Not a field choice: a new action then needs
    # no migration.
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        # Append-only: an entry, once written, is never changed.
        if self.pk is not None:
            raise ValueError("Audit log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit log entries cannot be deleted.")

    @property
    def action_label(self) -> str:
        """The action's display text (the code itself for a code no longer declared)."""
        if self.action not in AuditAction.values:
            return self.action
        return str(AuditAction(self.action).label)
