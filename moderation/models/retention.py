"""Data protection: the retention schedule, legal holds on disputes, and the retention job's
runs (DESIGN.md rule 15)."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.models.base import Base
from moderation.models.disputes import Dispute
from moderation.models.enums import LabelledEnum
from moderation.models.people import User
from moderation.models.types import UTCDateTime, utcnow


class RecordKind(LabelledEnum):
    """The kinds of record the schedule covers, in the order the schedule page lists them."""

    DISPUTES = "disputes"
    # Not kept for a period: an open dispute with no activity for this long is listed for the
    # partnership manager, who withdraws or holds it (retention/inactivity.py).
    INACTIVE_DISPUTES = "inactive_disputes"
    DOCUMENTS = "documents"
    MINUTES = "minutes"
    NOTIFICATIONS = "notifications"
    SIGN_IN_SESSIONS = "sign_in_sessions"
    AUDIT_EVENTS = "audit_events"


RecordKind.LABELS = {
    RecordKind.DISPUTES: "Disputes and their papers",
    RecordKind.INACTIVE_DISPUTES: "Open disputes with no activity",
    RecordKind.DOCUMENTS: "Documents",
    RecordKind.MINUTES: "Minutes",
    RecordKind.NOTIFICATIONS: "Notifications and the email outbox",
    RecordKind.SIGN_IN_SESSIONS: "Sign-in sessions",
    RecordKind.AUDIT_EVENTS: "Audit events",
}


class PeriodUnit(LabelledEnum):
    YEARS = "years"
    MONTHS = "months"


PeriodUnit.LABELS = {PeriodUnit.YEARS: "years", PeriodUnit.MONTHS: "months"}


class RetentionRule(Base):
    """How long one kind of record is kept, and why. What happens at the end is the kind's own
    (retention/schedule.py says it in words); the partnership manager sets the period and the
    reason. Kinds with no period of their own (documents go with their dispute, minutes are
    kept, sign-in sessions end by configuration) have `keep_for` None."""

    __tablename__ = "retention_rule"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    keep_for: Mapped[int | None] = mapped_column(Integer)
    unit: Mapped[str | None] = mapped_column(String(10))
    # Disputes only: kept at least until the child reaches this age.
    until_age: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    updated_by: Mapped[User | None] = relationship()

    @property
    def record_kind(self):
        return RecordKind(self.kind)


class LegalHold(Base):
    """A dispute kept from anonymisation (for example while a child safeguarding practice review
    uses it) until the hold is released."""

    __tablename__ = "legal_hold"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id", ondelete="CASCADE"),
                                            index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    release_reason: Mapped[str | None] = mapped_column(Text)

    dispute: Mapped[Dispute] = relationship(back_populates="holds")
    placed_by: Mapped[User] = relationship(foreign_keys=[placed_by_id])
    released_by: Mapped[User | None] = relationship(foreign_keys=[released_by_id])

    @property
    def active(self):
        return self.released_at is None


class RetentionRun(Base):
    """One run of the retention job, kept as the partnership manager's report of what it did.
    `counts` holds figures only (never a child's details): what was anonymised or deleted,
    and what was due but kept. Each batch adds its own to them in its own transaction, so a run
    that stops halfway still says what it did."""

    __tablename__ = "retention_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the run was found to have stopped before it finished (by itself, or by the next
    # run): its counts say what it did before then, and the managers have been told.
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    # None: the nightly scheduler job; otherwise who ran `flask retention` or the page's button.
    run_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    run_by: Mapped[User | None] = relationship()
