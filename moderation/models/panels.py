"""Panel sessions and the monthly series that generate them."""

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    and_,
    false,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.calendar import today
from moderation.models.base import Base
from moderation.models.enums import LabelledEnum
from moderation.models.types import UTCDateTime, utcnow


class SessionStatus(LabelledEnum):
    SCHEDULED = "scheduled"
    AGENDA_FROZEN = "agenda_frozen"
    IN_SESSION = "in_session"
    MINUTES_DRAFT = "minutes_draft"
    MINUTES_APPROVED = "minutes_approved"
    CANCELLED = "cancelled"


SessionStatus.LABELS = {
    SessionStatus.SCHEDULED: "Scheduled",
    SessionStatus.AGENDA_FROZEN: "Agenda frozen",
    SessionStatus.IN_SESSION: "In session",
    SessionStatus.MINUTES_DRAFT: "Minutes in draft",
    SessionStatus.MINUTES_APPROVED: "Minutes approved",
    SessionStatus.CANCELLED: "Cancelled",
}


def _in_states(*states, doc):
    """A lifecycle question about a session: true in `states`; in a query, `status IN (...)`.

    Every "which sessions..." and "may this session..." asks one of these, so the lifecycle is
    spelt here only (a drifted copy of `opened` would show case papers before the agenda froze).
    """
    values = tuple(state.value for state in states)

    def answer(panel_session):
        return panel_session.status in values

    answer.__doc__ = doc
    return hybrid_property(answer).expression(lambda cls: cls.status.in_(values))


class SessionTerms:
    """What a session (or the series that makes it) sets out: when, where, how many cases."""

    starts_at: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    place: Mapped[str | None] = mapped_column(String(300))
    online_link: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int] = mapped_column(Integer)
    cutoff_working_days: Mapped[int] = mapped_column(Integer)


class PanelSeries(SessionTerms, Base):
    __tablename__ = "panel_series"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    description: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(String(200))
    first_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    sessions: Mapped[list["PanelSession"]] = relationship(back_populates="series")


class PanelSession(SessionTerms, Base):
    __tablename__ = "panel_session"
    # One session per series date, enforced by the database so that generating twice, even from
    # two processes at once, never makes a duplicate.
    __table_args__ = (UniqueConstraint("series_id", "planned_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("panel_series.id"), index=True)
    planned_on: Mapped[date] = mapped_column(Date)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    agenda_cutoff_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default=SessionStatus.SCHEDULED, index=True)
    schedule_note: Mapped[str | None] = mapped_column(Text)
    change_reason: Mapped[str | None] = mapped_column(Text)
    # RFC 5545 SEQUENCE: raised by every move or cancellation so calendars apply the change.
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Why the chair started the meeting before the session's date (recorded in the minutes).
    early_start_reason: Mapped[str | None] = mapped_column(Text)
    # A one-off session called for an immediate-risk dispute (rule 14), frozen on creation.
    extraordinary: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    series: Mapped[PanelSeries | None] = relationship(back_populates="sessions")

    # The lifecycle: scheduled -> agenda frozen -> in session -> minutes draft -> minutes
    # approved, or cancelled before the meeting. Ask these, never the status values.
    agenda_draft = _in_states(
        SessionStatus.SCHEDULED,
        doc="Scheduled, its agenda not yet frozen: the agenda, date and place can still change.")
    is_cancelled = _in_states(SessionStatus.CANCELLED, doc="Cancelled: it will not meet.")
    opened = _in_states(
        SessionStatus.AGENDA_FROZEN, SessionStatus.IN_SESSION, SessionStatus.MINUTES_DRAFT,
        SessionStatus.MINUTES_APPROVED,
        doc="The agenda is frozen, so its papers, meeting and actions exist (rule 12: a dispute's "
            "papers reach the panel only from here).")
    before_meeting = _in_states(
        SessionStatus.SCHEDULED, SessionStatus.AGENDA_FROZEN,
        doc="The meeting has not started: urgent items can still be added, guests removed.")
    to_come = _in_states(
        SessionStatus.SCHEDULED, SessionStatus.AGENDA_FROZEN, SessionStatus.IN_SESSION,
        doc="Neither cancelled nor over: guests can still be invited, members still prepare.")
    meeting_ahead = _in_states(
        SessionStatus.AGENDA_FROZEN, SessionStatus.IN_SESSION,
        doc="The agenda is frozen and the meeting still to come or under way: the register is "
            "open and an item's guests read its papers.")
    papers_in_use = _in_states(
        SessionStatus.AGENDA_FROZEN, SessionStatus.IN_SESSION, SessionStatus.MINUTES_DRAFT,
        doc="Opened and its minutes not yet approved: members may still keep notes on papers.")
    record_open = _in_states(
        SessionStatus.IN_SESSION, SessionStatus.MINUTES_DRAFT,
        doc="The meeting is under way or its minutes are in draft: its record (actions, "
            "decisions) can still change.")
    in_session = _in_states(SessionStatus.IN_SESSION, doc="The meeting is under way.")
    has_minutes = _in_states(
        SessionStatus.MINUTES_DRAFT, SessionStatus.MINUTES_APPROVED,
        doc="The meeting is over: its minutes are in draft or approved.")
    minutes_draft = _in_states(SessionStatus.MINUTES_DRAFT, doc="Its minutes are in draft.")
    minutes_approved = _in_states(
        SessionStatus.MINUTES_APPROVED, doc="Its minutes are approved: the record is final.")
    ready_to_start = _in_states(
        SessionStatus.AGENDA_FROZEN,
        doc="The agenda is frozen and the meeting has not started: the chair may start it.")


class MemberRole(LabelledEnum):
    CHAIR = "chair"
    DEPUTY_CHAIR = "deputy_chair"
    REPRESENTATIVE = "representative"


MemberRole.LABELS = {
    MemberRole.CHAIR: "Chair",
    MemberRole.DEPUTY_CHAIR: "Deputy chair",
    MemberRole.REPRESENTATIVE: "Agency representative",
}

# The seats that chair the panel: either may run a session.
CHAIRING = (MemberRole.CHAIR, MemberRole.DEPUTY_CHAIR)


class PanelMember(Base):
    """Membership of the panel: who sits for which agency, their deputies, and from when until
    when. Ended memberships stay as history (attendance and votes refer to them); a person has at
    most one current membership."""

    __tablename__ = "panel_member"
    __table_args__ = (
        Index("uq_panel_member_current_user", "user_id", unique=True,
              sqlite_where=text("left_on IS NULL"), postgresql_where=text("left_on IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    deputy_for_id: Mapped[int | None] = mapped_column(ForeignKey("panel_member.id"))
    # The private calendar feed's secret; replacing it revokes the old feed address.
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True)
    # They sit on sessions held from joined_on to left_on, their last day (rule 12).
    joined_on: Mapped[date] = mapped_column(Date, default=today)
    left_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user: Mapped["User"] = relationship()  # noqa: F821
    agency: Mapped["Agency"] = relationship()  # noqa: F821
    deputy_for: Mapped["PanelMember | None"] = relationship(remote_side=[id])

    @classmethod
    def sitting_on(cls, held_on):
        """The memberships that cover the day `held_on` (a date or a date column): rule 12."""
        return (cls.joined_on <= held_on) & (cls.left_on.is_(None) | (cls.left_on >= held_on))

    @classmethod
    def chairing_on(cls, *days):
        """The chair and deputy chair seats that cover every one of `days` (dates or date
        columns): a session's date and today, for who may manage it now."""
        return and_(cls.role.in_(CHAIRING), *(cls.sitting_on(day) for day in days))


class VotingStatus(LabelledEnum):
    NOT_OPEN = "not_open"
    OPEN = "open"
    CLOSED = "closed"


VotingStatus.LABELS = {
    VotingStatus.NOT_OPEN: "Voting not open",
    VotingStatus.OPEN: "Voting open",
    VotingStatus.CLOSED: "Voting closed",
}


class AgendaItem(Base):
    """A dispute on a session's agenda, in order, with its time."""

    __tablename__ = "agenda_item"
    __table_args__ = (UniqueConstraint("session_id", "dispute_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("panel_session.id", ondelete="CASCADE"))
    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[int] = mapped_column(Integer, default=20)
    deferred: Mapped[bool] = mapped_column(Boolean, default=False)
    deferral_reason: Mapped[str | None] = mapped_column(Text)
    voting: Mapped[str] = mapped_column(String(20), default=VotingStatus.NOT_OPEN)
    # An immediate-risk dispute the chair added to a frozen agenda, beyond its capacity.
    added_after_freeze: Mapped[bool] = mapped_column(Boolean, default=False,
                                                     server_default=false())

    session: Mapped[PanelSession] = relationship(back_populates="agenda")
    dispute: Mapped["Dispute"] = relationship()  # noqa: F821

    @property
    def voting_started(self):
        """Voting has opened (and may have closed since)."""
        return self.voting != VotingStatus.NOT_OPEN

    @property
    def voting_open(self):
        return self.voting == VotingStatus.OPEN

    @property
    def voting_closed(self):
        return self.voting == VotingStatus.CLOSED

    @property
    def concluded(self):
        """Decided or deferred: nothing more happens to it at this session."""
        return self.deferred or self.decision is not None


PanelSession.agenda = relationship(
    AgendaItem, order_by=AgendaItem.position, back_populates="session",
    cascade="all, delete-orphan",
)
