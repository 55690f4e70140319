"""All models, imported here so that Alembic and the app see one metadata."""

from moderation.models.audit import AuditEvent
from moderation.models.base import Base
from moderation.models.disputes import (
    Classification,
    ConcernCategory,
    CscOutcome,
    Dispute,
    DisputeConcern,
    DisputeStage,
    DisputeStatus,
    DisputeType,
    EscalationPolicy,
    Intent,
    PolicyStage,
    ReferralMethod,
    StageOutcome,
)
from moderation.models.panels import (
    AgendaItem,
    MemberRole,
    PanelMember,
    PanelSeries,
    PanelSession,
    SessionStatus,
)
from moderation.models.people import Agency, AgencyKind, Role, User, UserRole

__all__ = [
    "AgendaItem",
    "Agency",
    "AgencyKind",
    "AuditEvent",
    "Base",
    "Classification",
    "ConcernCategory",
    "CscOutcome",
    "Dispute",
    "DisputeConcern",
    "DisputeStage",
    "DisputeStatus",
    "DisputeType",
    "EscalationPolicy",
    "Intent",
    "MemberRole",
    "PanelMember",
    "PanelSeries",
    "PanelSession",
    "PolicyStage",
    "ReferralMethod",
    "Role",
    "SessionStatus",
    "StageOutcome",
    "User",
    "UserRole",
]
