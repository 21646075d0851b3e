from .assignments import Assignment, AssignmentJob, AssignmentPerson
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
from .rollups import WHOLE_MUNICIPALITY, ProgressRollup, ProgressRollupEntry, RollupState
from .scim import ScimConfig, ScimGroup, ScimPerson, ScimToken
from .scorm import ScormAttempt
from .sso import IdentityProvider
from .xapi import LrsConnection, XapiStatement

__all__ = [
    "HR_VISIBLE_ACTIONS",
    "ActionPlan",
    "Assignment",
    "AssignmentJob",
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
    "ProgressRollup",
    "ProgressRollupEntry",
    "QuizAttempt",
    "QuizStatistics",
    "ReadinessResponse",
    "ReflectionAnswer",
    "RollupState",
    "ScimConfig",
    "ScimGroup",
    "ScormAttempt",
    "ScimPerson",
    "ScimToken",
    "SentReminder",
    "UnitManager",
    "User",
    "UserManager",
    "WHOLE_MUNICIPALITY",
    "XapiStatement",
]
