"""Referral records, CSC decisions, disputes, and the escalation policy whose stages they run."""

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.models.base import Base
from moderation.models.dispute_terms import (
    CLOSED_STATUSES,
    VOICES,
    ConcernCategory,
    DisputeStatus,
    Route,
)
from moderation.models.people import Agency, User
from moderation.models.types import UTCDateTime, utcnow


class EscalationPolicy(Base):
    """The partnership's escalation procedure. One row: the policy in force."""

    __tablename__ = "escalation_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # What to do now, shown to a referrer who marks immediate risk.
    urgent_contact: Mapped[str] = mapped_column(Text)
    # The named person told at once of every immediate-risk dispute (rule 14).
    urgent_contact_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Working days the referrer has to confirm a settlement made on their acceptance.
    settlement_reply_days: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    # Working days CSC has to act on the panel overturning its decision.
    csc_action_days: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Working days the members present have to comment on the draft minutes.
    minutes_comment_days: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    # The end of the office day by which each urgent stage is answered (rule 17): one still
    # unanswered then moves on by itself.
    urgent_due_time: Mapped[time] = mapped_column(Time, default=time(17, 0),
                                                  server_default="17:00:00")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    urgent_contact_user: Mapped[User | None] = relationship(
        foreign_keys=[urgent_contact_user_id])
    stages: Mapped[list["PolicyStage"]] = relationship(
        primaryjoin="and_(PolicyStage.policy_id == EscalationPolicy.id, "
                    "PolicyStage.route == 'standard')",
        order_by="PolicyStage.position", cascade="all, delete-orphan")
    urgent_stages: Mapped[list["PolicyStage"]] = relationship(
        primaryjoin="and_(PolicyStage.policy_id == EscalationPolicy.id, "
                    "PolicyStage.route == 'urgent')",
        order_by="PolicyStage.position", cascade="all, delete-orphan", overlaps="stages")

    def route(self, route):
        """The stages of one route."""
        return self.urgent_stages if route == Route.URGENT else self.stages


class PolicyStage(Base):
    __tablename__ = "policy_stage"
    __table_args__ = (UniqueConstraint("policy_id", "route", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("escalation_policy.id", ondelete="CASCADE"))
    route: Mapped[str] = mapped_column(String(10), default=Route.STANDARD,
                                       server_default=Route.STANDARD.value)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    who_acts: Mapped[str] = mapped_column(Text)
    answering_role: Mapped[str] = mapped_column(String(30))
    working_days: Mapped[int] = mapped_column(Integer)
    # Independent second screening: not answered by the person who made the original decision.
    independent: Mapped[bool] = mapped_column(Boolean, default=False)


def initials(name):
    """The first letter of each word of a name, in capitals: letters only, so "Zoë Ó'Brien" is
    "ZÓ" and "<script>" is "S"; a word with no letter gives none."""
    firsts = (next((c for c in word if c.isalpha()), "") for word in (name or "").split())
    return "".join(firsts).upper()


# Exactly one of the date of birth and the expected date of delivery, until anonymised (neither).
BORN_OR_DUE = (
    "(child_dob IS NULL AND child_expected_delivery_date IS NOT NULL)"
    " OR (child_dob IS NOT NULL AND child_expected_delivery_date IS NULL)"
    " OR (anonymised_on IS NOT NULL AND child_dob IS NULL"
    " AND child_expected_delivery_date IS NULL)")


# The open disputes (OPEN_STATUSES), as a partial index's predicate says them.
OPEN_WHERE = "status IN ('escalating', 'awaiting_referrer', 'queued')"


class Dispute(Base):
    __tablename__ = "dispute"
    __table_args__ = (
        Index("ix_dispute_status_urgent_level", "status", "immediate_risk", "level_of_need"),
        Index("ix_dispute_child_dob_name", "child_dob", "child_name_key"),
        # An unborn child's repeats are found by name and an expected date near this one.
        Index("ix_dispute_child_due_name", "child_expected_delivery_date", "child_name_key"),
        CheckConstraint(BORN_OR_DUE, name="child_born_or_due"),
        # The open disputes with no activity since a day, oldest first (retention/inactivity.py).
        Index("ix_dispute_status_last_activity", "status", "last_activity_at"),
        # CSC's work list: the open disputes, urgent first then newest received, read backwards
        # a page at a time (the predicate names OPEN_STATUSES, dispute_terms.py).
        Index("ix_dispute_open_newest", "immediate_risk", "raised_on", "id",
              sqlite_where=text(OPEN_WHERE), postgresql_where=text(OPEN_WHERE)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=DisputeStatus.ESCALATING, index=True)
    raised_on: Mapped[date] = mapped_column(Date, index=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    referrer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    referring_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)

    # The child: shown only where need-to-know allows; elsewhere the reference and initials.
    # All seven are None once the dispute is anonymised under the retention schedule.
    child_name: Mapped[str | None] = mapped_column(String(200))
    child_name_key: Mapped[str | None] = mapped_column(String(200))  # for repeat matching
    # A child is born (a date of birth) or unborn (an expected date of delivery), never both;
    # recording the birth replaces the expected date (disputes/raising.record_birth).
    child_dob: Mapped[date | None] = mapped_column(Date)
    child_expected_delivery_date: Mapped[date | None] = mapped_column(Date)
    child_case_number: Mapped[str | None] = mapped_column(String(50), index=True)
    # What typed text and a subject access search find the child by (rule 13,
    # disputes/child_identifiers.py): the first and last words of the name, folded and sorted
    # ("carter leo"), and the case number's letters and digits in lower case ("ns40211").
    child_name_pair: Mapped[str | None] = mapped_column(String(200), index=True)
    child_case_key: Mapped[str | None] = mapped_column(String(50), index=True)
    # The day the retention job removed the child's details and the free text (rule 15).
    anonymised_on: Mapped[date | None] = mapped_column(Date, index=True)
    # The last time anything happened to the dispute, kept at every flush by
    # models/activity.py: an indexed column, so that the open disputes nobody has touched for a
    # year are found among 720,000 without reading every stage, note and document.
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow,
                                                       nullable=False)

    # The referral record.
    referral_date: Mapped[date] = mapped_column(Date)
    referral_method: Mapped[str] = mapped_column(String(20))
    referrer_intent: Mapped[str] = mapped_column(String(20))
    level_of_need: Mapped[int] = mapped_column(Integer)
    referral_summary: Mapped[str] = mapped_column(Text)

    # CSC's decision as the referrer was told it, and as CSC confirms or corrects it.
    csc_decision_date: Mapped[date] = mapped_column(Date, index=True)
    told_recorded_as: Mapped[str] = mapped_column(String(20))
    told_outcome: Mapped[str] = mapped_column(String(40))
    told_decision_maker: Mapped[str | None] = mapped_column(String(200))
    told_reasons: Mapped[str | None] = mapped_column(Text)
    csc_recorded_as: Mapped[str | None] = mapped_column(String(20))
    csc_outcome: Mapped[str | None] = mapped_column(String(40))
    csc_decision_maker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    csc_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # CSC's own record (DESIGN.md §3): its rationale, who decided and who authorised it (a user
    # where they are one, else a typed name), and when and how the referrer was told.
    csc_rationale: Mapped[str | None] = mapped_column(Text)
    csc_decision_maker_name: Mapped[str | None] = mapped_column(String(200))
    csc_authorising_manager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    csc_authorising_manager_name: Mapped[str | None] = mapped_column(String(200))
    csc_told_referrer_on: Mapped[date | None] = mapped_column(Date)
    csc_told_referrer_how: Mapped[str | None] = mapped_column(String(20))
    # The referrer's manager, named by the referrer at escalation: reads the dispute and adds
    # information to it as the referrer can.
    referrer_manager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)

    # The challenge.
    dispute_type: Mapped[str] = mapped_column(String(30))
    grounds: Mapped[str] = mapped_column(Text)
    immediate_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    # Indexed: a subject access search offers the disputes linked as repeats of those found.
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("dispute.id"), index=True)

    # How it ended before panel, or when it joined the queue.
    settled_on: Mapped[date | None] = mapped_column(Date, index=True)
    settlement_outcome: Mapped[str | None] = mapped_column(String(40))
    settlement_note: Mapped[str | None] = mapped_column(Text)
    referrer_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queued_on: Mapped[date | None] = mapped_column(Date, index=True)
    # A settlement on the referrer's acceptance waits for their reply until this working day.
    settlement_reply_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    settlement_reply: Mapped[str | None] = mapped_column(String(20))
    settlement_replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Withdrawn (rule 15): when, why, and by whom (None: by the retention schedule).
    withdrawn_on: Mapped[date | None] = mapped_column(Date, index=True)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    referrer: Mapped[User] = relationship(foreign_keys=[referrer_id])
    referring_agency: Mapped[Agency] = relationship()
    csc_decision_maker: Mapped[User | None] = relationship(foreign_keys=[csc_decision_maker_id])
    csc_authorising_manager: Mapped[User | None] = relationship(
        foreign_keys=[csc_authorising_manager_id])
    referrer_manager: Mapped[User | None] = relationship(foreign_keys=[referrer_manager_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    concerns: Mapped[list["DisputeConcern"]] = relationship(cascade="all, delete-orphan")
    stages: Mapped[list["DisputeStage"]] = relationship(
        order_by="DisputeStage.position", cascade="all, delete-orphan",
        back_populates="dispute",
    )
    repeat_of: Mapped["Dispute | None"] = relationship(remote_side=[id])
    holds: Mapped[list["LegalHold"]] = relationship(  # noqa: F821 (models/retention.py)
        order_by="LegalHold.placed_at", back_populates="dispute")

    @property
    def child_initials(self):
        """The child's initials; empty once anonymised (the minutes keep theirs)."""
        return initials(self.child_name)

    @property
    def unborn(self):
        """Not born when last recorded: the dispute holds an expected date of delivery."""
        return self.child_expected_delivery_date is not None

    @property
    def child_age_from(self):
        """The day the child's age counts from: their birth, or, unborn, the day they are
        expected (retention's age limb)."""
        return self.child_dob or self.child_expected_delivery_date

    @property
    def anonymised(self):
        return self.anonymised_on is not None

    @property
    def current_stage(self):
        open_stages = [stage for stage in self.stages if stage.closed_on is None]
        return open_stages[-1] if open_stages else None

    @property
    def route(self):
        return Route.URGENT if self.immediate_risk else Route.STANDARD

    @property
    def awaiting_referrer(self):
        return self.status == DisputeStatus.AWAITING_REFERRER

    @property
    def escalating(self):
        return self.status == DisputeStatus.ESCALATING

    @property
    def queued(self):
        """Waiting for the threshold moderation panel."""
        return self.status == DisputeStatus.QUEUED

    @property
    def settled(self):
        return self.status == DisputeStatus.SETTLED

    @property
    def withdrawn(self):
        return self.status == DisputeStatus.WITHDRAWN

    @property
    def closed(self):
        """Settled before panel, decided by it, or withdrawn: nothing more happens to it."""
        return self.status in CLOSED_STATUSES

    @property
    def effective_recorded_as(self):
        """How CSC recorded it: CSC's own confirmation, else what the referrer was told."""
        return self.csc_recorded_as or self.told_recorded_as

    @property
    def effective_outcome(self):
        return self.csc_outcome or self.told_outcome

    @property
    def concern_categories(self):
        return [ConcernCategory(c.category) for c in self.concerns]


# The panel queue in rule 5's order (queries.queue_order), over the few queued disputes only:
# a page of the queue is its first rows, and counting the queue reads this small index, where
# the whole status index made PostgreSQL sort every queued dispute for a page and start a
# parallel worker to count them (6 and 15 ms at 720,000).
Index("ix_dispute_queued_order", Dispute.immediate_risk.desc(), Dispute.level_of_need.desc(),
      Dispute.csc_decision_date, Dispute.id, sqlite_where=text("status = 'queued'"),
      postgresql_where=text("status = 'queued'"))


class DisputeConcern(Base):
    __tablename__ = "dispute_concern"

    dispute_id: Mapped[int] = mapped_column(
        ForeignKey("dispute.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class DisputeStage(Base):
    """One escalation stage of one dispute, with the policy's terms copied when it opened."""

    __tablename__ = "dispute_stage"
    __table_args__ = (
        UniqueConstraint("dispute_id", "position"),
        Index("ix_dispute_stage_open_due", "closed_on", "due_on"),
        # The urgent stages still open, by the moment each is due: what the 15-minute job reads.
        Index("ix_dispute_stage_urgent_open_due_at", "due_at",
              sqlite_where=text("closed_on IS NULL AND due_at IS NOT NULL"),
              postgresql_where=text("closed_on IS NULL AND due_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    answering_role: Mapped[str] = mapped_column(String(30))
    working_days: Mapped[int] = mapped_column(Integer)
    independent: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_on: Mapped[date] = mapped_column(Date)
    # When it opened and closed, for the urgent route's working hours (older stages: unknown).
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_on: Mapped[date] = mapped_column(Date)
    # An urgent stage is due at a moment (the end of the office day, rule 17), not a whole day.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    response: Mapped[str | None] = mapped_column(Text)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20))
    skip_reason: Mapped[str | None] = mapped_column(Text)

    dispute: Mapped[Dispute] = relationship(back_populates="stages")
    responded_by: Mapped[User | None] = relationship(foreign_keys=[responded_by_id])
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])

    @property
    def voice(self):
        return VOICES.get(self.answering_role, VOICES["csc_manager"])

    @property
    def answered(self):
        """Answered and still open: the answer was "not resolved", and on the escalation route
        the referrer chooses whether to escalate (rule 3). No clock runs on it."""
        return self.closed_on is None and self.response is not None
