from .assignments import Assignment, AssignmentPerson
from .audit import HR_VISIBLE_ACTIONS, AuditAction, AuditLog
from .certificates import Certificate
from .change import (
    ActionPlan,
    Benefit,
    BenefitStatus,
    ChangeAgent,
    CheckIn,
    CheckInReminder,
    Measurement,
    PlanStep,
    ReadinessResponse,
)
from .hr import MunicipalitySettings, SentReminder, UnitManager
from .learning import Enrolment, ModuleProgress, QuizAttempt, ReflectionAnswer
from .org import Membership, Municipality, OrgUnit, User, UserManager
from .outbox import OutboxMessage
from .ownership import EndedMembership, MembershipInvitation
from .quiz_stats import QuizStatistics
from .scim import ScimGroup, ScimPerson, ScimToken
from .scorm import ScormAttempt
from .sso import IdentityProvider
from .xapi import LrsConnection, XapiStatement

__all__ = [
    "HR_VISIBLE_ACTIONS",
    "ActionPlan",
    "Assignment",
    "AssignmentPerson",
    "AuditAction",
    "AuditLog",
    "Benefit",
    "BenefitStatus",
    "Certificate",
    "ChangeAgent",
    "CheckIn",
    "CheckInReminder",
    "EndedMembership",
    "IdentityProvider",
    "Enrolment",
    "Measurement",
    "Membership",
    "MembershipInvitation",
    "LrsConnection",
    "ModuleProgress",
    "Municipality",
    "MunicipalitySettings",
    "OrgUnit",
    "OutboxMessage",
    "PlanStep",
    "QuizAttempt",
    "QuizStatistics",
    "ReadinessResponse",
    "ReflectionAnswer",
    "ScimGroup",
    "ScormAttempt",
    "ScimPerson",
    "ScimToken",
    "SentReminder",
    "UnitManager",
    "User",
    "UserManager",
    "XapiStatement",
]
