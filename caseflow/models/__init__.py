"""All models, imported here so Alembic and the app see the whole schema."""

from .admin import AdminEvent, RuleOverride, RuleOverrideChange
from .attachment import Attachment
from .audit import AuditCheckpoint, AuditVerification
from .calendar import CalendarChange, CalendarDay, CalendarYear
from .case import (
    AccessLog,
    Case,
    CaseCounter,
    Deadline,
    Event,
    Person,
    Referral,
    SweepLock,
    Visit,
)
from .domestic_violence import DvIncident, ProtectionOrder
from .geo import Jurisdiction, Organisation
from .hotline import HotlineCall
from .indicator import ExportJob, IndicatorSubmission, Plan, PlanTarget
from .legal_aid import LegalAid
from .mandatory_report import MandatoryReport
from .notification import Notification
from .person_record import PersonLink, PersonMerge, PersonRecord, ScreeningVisit
from .scheduler import SchedulerHeartbeat
from .security import LoginEvent, LoginThrottle, UserSession
from .transfer import CaseTransfer
from .user import ApiToken, User

__all__ = [
    "SweepLock",
    "AccessLog",
    "AdminEvent",
    "RuleOverride",
    "RuleOverrideChange",
    "Attachment",
    "ApiToken",
    "CalendarChange",
    "CalendarDay",
    "CalendarYear",
    "AuditCheckpoint",
    "AuditVerification",
    "Case",
    "CaseCounter",
    "CaseTransfer",
    "Deadline",
    "DvIncident",
    "Event",
    "ExportJob",
    "HotlineCall",
    "IndicatorSubmission",
    "Jurisdiction",
    "LegalAid",
    "LoginEvent",
    "LoginThrottle",
    "MandatoryReport",
    "Notification",
    "Organisation",
    "Person",
    "PersonLink",
    "PersonMerge",
    "PersonRecord",
    "Plan",
    "PlanTarget",
    "ProtectionOrder",
    "Referral",
    "SchedulerHeartbeat",
    "ScreeningVisit",
    "User",
    "UserSession",
    "Visit",
]
