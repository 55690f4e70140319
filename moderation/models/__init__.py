"""All models, imported here so that Alembic and the app see one metadata."""

from moderation.models.audit import AuditEvent
from moderation.models.base import Base
from moderation.models.people import Agency, AgencyKind, Role, User, UserRole

__all__ = ["AuditEvent", "Agency", "AgencyKind", "Base", "Role", "User", "UserRole"]
