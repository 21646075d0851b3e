from .assignments import Assignment, AssignmentPerson
from .audit import AuditLog
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

__all__ = [
    "ActionPlan",
    "Assignment",
    "AssignmentPerson",
    "AuditLog",
    "Benefit",
    "BenefitStatus",
    "Certificate",
    "ChangeAgent",
    "CheckIn",
    "CheckInReminder",
    "EndedMembership",
    "Enrolment",
    "Measurement",
    "Membership",
    "MembershipInvitation",
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
    "SentReminder",
    "UnitManager",
    "User",
    "UserManager",
]
