from .assignments import Assignment, AssignmentPerson
from .certificates import Certificate
from .hr import MunicipalitySettings, SentReminder, UnitManager
from .learning import Enrolment, ModuleProgress, QuizAttempt, ReflectionAnswer
from .org import AuditLog, Membership, Municipality, OrgUnit, User, UserManager

__all__ = [
    "Assignment",
    "AssignmentPerson",
    "AuditLog",
    "Certificate",
    "Enrolment",
    "Membership",
    "ModuleProgress",
    "Municipality",
    "MunicipalitySettings",
    "OrgUnit",
    "QuizAttempt",
    "ReflectionAnswer",
    "SentReminder",
    "UnitManager",
    "User",
    "UserManager",
]
