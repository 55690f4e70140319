"""The meeting: attendance, conflicts, votes, decisions, actions and learning themes."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.calendar import region, today, working_days_between
from moderation.models.base import Base
from moderation.models.enums import LabelledEnum
from moderation.models.panels import AgendaItem, PanelMember, PanelSession
from moderation.models.people import Agency, Role, User
from moderation.models.types import UTCDateTime, utcnow


class AttendanceStatus(LabelledEnum):
    PRESENT = "present"
    APOLOGIES = "apologies"
    ABSENT = "absent"


AttendanceStatus.LABELS = {
    AttendanceStatus.PRESENT: "Present",
    AttendanceStatus.APOLOGIES: "Apologies",
    AttendanceStatus.ABSENT: "Absent",
}


class Attendance(Base):
    """One member's attendance at one session; a deputy records whom they stand for."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("session_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("panel_session.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    standing_for_id: Mapped[int | None] = mapped_column(ForeignKey("panel_member.id"))
    confidentiality_acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    member: Mapped[PanelMember] = relationship(foreign_keys=[member_id])
    standing_for: Mapped[PanelMember | None] = relationship(foreign_keys=[standing_for_id])


class Conflict(Base):
    """A member's declared conflict of interest on one agenda item."""

    __tablename__ = "conflict"
    __table_args__ = (UniqueConstraint("agenda_item_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id"), index=True)
    nature: Mapped[str] = mapped_column(Text)
    declared_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    member: Mapped[PanelMember] = relationship()


class PanelOutcome(LabelledEnum):
    UPHELD = "upheld"
    OVERTURN_ASSESSMENT = "overturn_s17"
    OVERTURN_STRATEGY = "overturn_s47"
    EARLY_HELP = "step_down_early_help"
    DEFERRED = "deferred"


PanelOutcome.LABELS = {
    PanelOutcome.UPHELD: "Uphold CSC's decision",
    PanelOutcome.OVERTURN_ASSESSMENT: "Overturn: refer for a child and family assessment (s17)",
    PanelOutcome.OVERTURN_STRATEGY: "Overturn: strategy discussion or section 47 enquiry",
    PanelOutcome.EARLY_HELP: "Step down to early help",
    PanelOutcome.DEFERRED: "Defer for more information",
}


class Vote(Base):
    """One agency's vote on one item (rule 7), enforced by the database."""

    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("agenda_item_id", "agency_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("panel_member.id"))
    outcome: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    # A vote the chair records for a representative speaking in the room.
    in_room: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    agency: Mapped[Agency] = relationship()
    member: Mapped[PanelMember] = relationship()


class LearningTheme(Base):
    """The partnership's list of learning themes: fixed to start, extendable."""

    __tablename__ = "learning_theme"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


decision_theme = Table(
    "decision_theme",
    Base.metadata,
    Column("decision_id", ForeignKey("panel_decision.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("learning_theme.id"), primary_key=True, index=True),
)


class PanelDecision(Base):
    """What the panel decided on one item, how, and what the referrer is told (rule 9)."""

    __tablename__ = "panel_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="CASCADE"), unique=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(30))
    method: Mapped[str] = mapped_column(String(30))
    tally: Mapped[dict] = mapped_column(JSON)
    dissenting_agencies: Mapped[list] = mapped_column(JSON)
    dissent: Mapped[str | None] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text)
    feedback: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date, index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    themes: Mapped[list[LearningTheme]] = relationship(
        secondary=decision_theme, order_by=LearningTheme.position)

    @property
    def outcome_label(self):
        return PanelOutcome(self.outcome).label


class ActionStatus(LabelledEnum):
    OPEN = "open"
    DONE = "done"
    NOT_POSSIBLE = "not_possible"
    NOT_DONE = "not_done"


ActionStatus.LABELS = {
    ActionStatus.OPEN: "Open",
    ActionStatus.DONE: "Done",
    ActionStatus.NOT_POSSIBLE: "Not possible: circumstances changed",
    ActionStatus.NOT_DONE: "Not done",
}


class Action(Base):
    """Something the panel asked someone to do, by a date counted in working days."""

    __tablename__ = "action"
    # Open actions by due date: the overdue lists and the weekly chase.
    __table_args__ = (Index("ix_action_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("panel_session.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    # Owned by one person, or by everyone holding a role (CSC's action after an overturn).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    owner_role: Mapped[str | None] = mapped_column(String(30))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    working_days: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.OPEN, index=True)
    status_note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    agency: Mapped[Agency] = relationship()
    session: Mapped[PanelSession] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()

    @property
    def owner_label(self):
        """Who owns it: the person, or "any" holder of the role."""
        if self.owner_id is not None:
            return self.owner.name
        return f"Any {Role(self.owner_role).label}"

    def days_left(self, on=None):
        """Working days until it is due (negative when overdue), from `on` (today unless
        given); None once it is closed."""
        if self.status != ActionStatus.OPEN:
            return None
        return working_days_between(on or today(), self.due_on, region())


class Notification(Base):
    """An in-app notification. `key` makes each one unique, so a repeated step adds nothing."""

    __tablename__ = "notification"
    __table_args__ = (
        # A person's newest first (the notifications page), and their newest unread ones (the
        # count beside the menu item on every page): read from an index, however many they have.
        Index("ix_notification_user_newest", "user_id", "created_at", "id"),
        Index("ix_notification_user_unread", "user_id", "created_at",
              postgresql_where=text("read_at IS NULL"), sqlite_where=text("read_at IS NULL")),
        # Who was told of an event: the keys that start with the event's (LIKE 'event:%'),
        # which PostgreSQL reads from an index only in the bytes' order.
        Index("ix_notification_key_prefix", "key", postgresql_ops={"key": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    message: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def urgent(self):
        """A notice of the urgent route (rule 14): its message says so first."""
        return self.message.startswith("URGENT:")


AgendaItem.votes = relationship(Vote, order_by=Vote.id, cascade="all, delete-orphan")
AgendaItem.conflicts = relationship(Conflict, order_by=Conflict.id, cascade="all, delete-orphan")
AgendaItem.decision = relationship(PanelDecision, uselist=False)
PanelSession.attendance = relationship(Attendance, order_by=Attendance.id,
                                       cascade="all, delete-orphan")


class EmailStatus(LabelledEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"
    KEPT = "kept"


EmailStatus.LABELS = {
    EmailStatus.PENDING: "Waiting to send",
    EmailStatus.SENT: "Sent",
    EmailStatus.DEAD: "Failed: needs a retry",
    EmailStatus.KEPT: "Kept in the outbox (not sent)",
}


class EmailMessage(Base):
    """The email outbox: written in the same transaction as the change that caused it, sent by
    the scheduler's delivery job. `key` (unique) makes each notification once only."""

    __tablename__ = "email_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=EmailStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EmailPreference(Base):
    """A user's choice not to receive one kind of email (policy-required kinds ignore it)."""

    __tablename__ = "email_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    wanted: Mapped[bool] = mapped_column(Boolean, default=True)
