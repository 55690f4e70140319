"""Agencies, users and their roles."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.models.base import Base
from moderation.models.enums import LabelledEnum
from moderation.models.types import UTCDateTime, utcnow


class AgencyKind(LabelledEnum):
    HEALTH = "health"
    POLICE = "police"
    CSC = "csc"
    EDUCATION = "education"
    PROBATION = "probation"
    OTHER = "other"


AgencyKind.LABELS = AGENCY_KIND_LABELS = {
    AgencyKind.HEALTH: "Health",
    AgencyKind.POLICE: "Police",
    AgencyKind.CSC: "Children's social care",
    AgencyKind.EDUCATION: "Education",
    AgencyKind.PROBATION: "Probation",
    AgencyKind.OTHER: "Other",
}


class Role(LabelledEnum):
    """What a user may do. Order matters: the first role a user holds picks their home page."""

    ADMIN = "admin"
    PARTNERSHIP_MANAGER = "partnership_manager"
    CHAIR = "chair"
    PANEL_MEMBER = "panel_member"
    CSC_MANAGER = "csc_manager"
    REFERRER = "referrer"
    DATA_PROTECTION_OFFICER = "data_protection_officer"


Role.LABELS = ROLE_LABELS = {
    Role.REFERRER: "Referrer",
    Role.CSC_MANAGER: "CSC front-door manager",
    Role.PANEL_MEMBER: "Agency representative (panel member)",
    Role.CHAIR: "Panel chair",
    Role.PARTNERSHIP_MANAGER: "Partnership manager",
    Role.ADMIN: "Administrator",
    Role.DATA_PROTECTION_OFFICER: "Data protection officer",
}


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[AgencyKind] = mapped_column(String(20))
    is_core: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    users: Mapped[list["User"]] = relationship(back_populates="agency")

    @property
    def kind_label(self):
        return AgencyKind(self.kind).label


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(30), primary_key=True)


def new_session_token():
    return secrets.token_urlsafe(24)


class User(UserMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the login id: rotating it signs the user out everywhere.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship(back_populates="users")
    role_links: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan")

    @property
    def roles(self):
        held = {link.role for link in self.role_links}
        return [role for role in Role if role.value in held]

    @roles.setter
    def roles(self, roles):
        wanted = {Role(role).value for role in roles}
        self.role_links = [link for link in self.role_links if link.role in wanted]
        for role in sorted(wanted - {link.role for link in self.role_links}):
            self.role_links.append(UserRole(role=role))

    def has_role(self, *roles):
        held = {link.role for link in self.role_links}
        return any(Role(role).value in held for role in roles)

    @property
    def primary_role(self):
        roles = self.roles
        return roles[0] if roles else None

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self):
        self.session_token = new_session_token()


def email_key(email):
    """Emails are compared without case or surrounding space."""
    return (email or "").strip().lower()


def lower(column):
    return func.lower(column)
