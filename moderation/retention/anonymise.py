"""Anonymising the disputes the retention schedule says are due (DESIGN.md rule 15).

A closed dispute (settled before panel, decided by it, or withdrawn) is due once it has been
closed for the schedule's period and its child has reached the schedule's age:
`schedule.dispute_due_on`, said here in SQL as two cut-off dates so the database finds the due
disputes itself. An open dispute has no closing day, so the child's age alone makes it due: it
is withdrawn first (withdrawal.py), so that every list, clock and figure reads it as closed,
unless it is on the agenda of a panel still to meet, which hears it first. One under an active
legal hold is skipped until the hold is released.

Anonymising removes the child's name, date of birth and case number, replaces the case's own
free text with a dated note, and deletes its documents and the chair's notes on it. The row and
everything the figures, charts and learning summaries count (dates, statuses, outcomes,
categories, agencies, levels) stay, and so do the panel's own records (decisions, votes,
conflicts, actions, the minutes): rule 13 kept child identifiers out of those when they were
typed. The work goes in batches of set-based statements (`anonymise`) over ids the caller pages
through (`due_batch`), so memory stays flat however many are due; the job commits each batch.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (
    and_,
    case,
    delete,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    update,
)

from moderation.extensions import db
from moderation.models import (
    AgendaItem,
    Dispute,
    DisputeAddition,
    DisputeDocument,
    DisputeStage,
    DisputeStatus,
    ItemNote,
    LegalHold,
    PanelDecision,
    PanelOutcome,
    RecordKind,
)
from moderation.models.dispute_terms import OPEN_STATUSES
from moderation.retention import schedule, withdrawal
from moderation.web.formatting import format_date

BATCH = 500


def removed(today):
    """What replaces each piece of the case's free text."""
    return f"[removed under the retention schedule on {format_date(today)}]"


def last_day_reaching(today, years):
    """The latest day whose anniversary `years` on (schedule.add_years) is on or before `today`:
    anything on or before it has had its time. Worked out by add_years itself, so the rule for
    29 February has one home."""
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # today is 29 February; that year has none
        day = date(today.year - years, 2, 28)
    while schedule.add_years(day + timedelta(days=1), years) <= today:
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class CutOffs:
    """`dispute_due_on(closed, dob, rule) <= today` as two cut-offs: closed on or before
    `closed_by`, and born on or before `born_by` (None: the child's age does not count), as of
    `today`, with the schedule's `age`."""

    closed_by: date
    born_by: date | None
    today: date | None = None
    age: int | None = None

    @classmethod
    def on(cls, today, disputes_rule=None):
        disputes_rule = disputes_rule or schedule.rule(RecordKind.DISPUTES)
        born_by = None
        if disputes_rule.until_age is not None:
            born_by = last_day_reaching(today, disputes_rule.until_age)
        return cls(last_day_reaching(today, disputes_rule.keep_for), born_by, today,
                   disputes_rule.until_age)


def decided_on():
    """The day the panel decided each dispute, as a column: its last decision (deferrals are
    not decisions); None if it has none."""
    return (select(func.max(PanelDecision.decided_on))
            .where(PanelDecision.dispute_id == Dispute.id,
                   PanelDecision.outcome != PanelOutcome.DEFERRED)
            .scalar_subquery())


def held():
    """The dispute has a legal hold in force."""
    return exists().where(LegalHold.dispute_id == Dispute.id, LegalHold.released_at.is_(None))


def due(cut_offs):
    """Not anonymised yet, and either closed long enough ago with the child old enough, or open
    with the child past the schedule's age and no panel still to hear it (holds aside)."""
    return and_(Dispute.anonymised_on.is_(None),
                or_(_closed_and_due(cut_offs),
                    and_(_open_past_age(cut_offs), ~withdrawal.panel_ahead(cut_offs.today))))


def _closed_and_due(cut_offs):
    settled = and_(Dispute.status == DisputeStatus.SETTLED,
                   Dispute.settled_on <= cut_offs.closed_by)
    decided = and_(Dispute.status == DisputeStatus.DECIDED, decided_on() <= cut_offs.closed_by)
    withdrawn = and_(Dispute.status == DisputeStatus.WITHDRAWN,
                     Dispute.withdrawn_on <= cut_offs.closed_by)
    old_enough = true() if cut_offs.born_by is None else or_(
        and_(Dispute.child_dob.is_(None), Dispute.child_expected_delivery_date.is_(None)),
        _age_from_by(cut_offs.born_by))
    return and_(or_(settled, decided, withdrawn), old_enough)


def _age_from_by(born_by):
    """The child's age counts from a day on or before `born_by`: their birth, or, for a child
    still recorded as unborn, the expected date of delivery. The birth may never have been
    recorded, and the expected date is the best the record holds: the child is kept to about
    the schedule's age, not for ever (Dispute.child_age_from). Two comparisons, not COALESCE,
    so each date's index can answer."""
    return or_(Dispute.child_dob <= born_by, Dispute.child_expected_delivery_date <= born_by)


def _open_past_age(cut_offs):
    """Open, and the child has reached the schedule's age: whatever the dispute's state, the
    age is enough (an open dispute has no closing day to count from)."""
    if cut_offs.born_by is None:
        return false()
    return and_(Dispute.status.in_(OPEN_STATUSES), _age_from_by(cut_offs.born_by))


def due_batch(cut_offs, after_id=0, size=None):
    """The next `size` due and unheld disputes' ids after `after_id`, in id order (keyset
    pagination: each batch reads on from the last, never the whole list)."""
    return db.session.scalars(
        select(Dispute.id).where(Dispute.id > after_id, due(cut_offs), ~held())
        .order_by(Dispute.id).limit(size or BATCH)).all()


def due_count(cut_offs):
    """How many due disputes the next run would anonymise (those on hold aside)."""
    return db.session.scalar(select(func.count(Dispute.id)).where(due(cut_offs), ~held()))


def held_count(cut_offs):
    """How many due disputes a legal hold keeps as they are."""
    return db.session.scalar(select(func.count(Dispute.id)).where(due(cut_offs), held()))


def open_due_count(cut_offs):
    """How many of the due, unheld disputes are open: a run withdraws them first."""
    return db.session.scalar(select(func.count(Dispute.id)).where(
        due(cut_offs), _open_past_age(cut_offs), ~held()))


def panel_waiting_count(cut_offs):
    """How many open disputes past the age wait for a panel still to meet (unheld: a hold
    keeps them anyway): due once it has met."""
    return db.session.scalar(select(func.count(Dispute.id)).where(
        Dispute.anonymised_on.is_(None), _open_past_age(cut_offs),
        withdrawal.panel_ahead(cut_offs.today), ~held()))


def due_references(cut_offs, after_id=0, size=None):
    """(id, reference) of the next due and unheld disputes: what a dry run lists."""
    return db.session.execute(
        select(Dispute.id, Dispute.reference).where(Dispute.id > after_id, due(cut_offs),
                                                    ~held())
        .order_by(Dispute.id).limit(size or BATCH)).all()


def documents_of(cut_offs):
    """How many documents the due, unheld disputes hold (a dry run's count)."""
    return db.session.scalar(
        select(func.count(DisputeDocument.id))
        .join(Dispute, DisputeDocument.dispute_id == Dispute.id)
        .where(due(cut_offs), ~held()))


def anonymise(dispute_ids, today):
    """Anonymise these disputes (due and unheld: the caller chose them) in a few set-based
    statements; flushes, never commits. Returns how many documents went."""
    if not dispute_ids:
        return 0
    text = literal(removed(today))
    _update(Dispute, Dispute.id, dispute_ids, child_name=None, child_name_key=None,
            child_name_pair=None, child_case_key=None,
            child_dob=None, child_expected_delivery_date=None, child_case_number=None,
            anonymised_on=today,
            referral_summary=text, grounds=text, told_reasons=_unless_empty(Dispute.told_reasons,
                                                                            text),
            settlement_note=_unless_empty(Dispute.settlement_note, text),
            csc_rationale=_unless_empty(Dispute.csc_rationale, text),
            withdrawn_reason=_typed_withdrawal(text))
    _update(DisputeStage, DisputeStage.dispute_id, dispute_ids,
            response=_unless_empty(DisputeStage.response, text),
            skip_reason=_unless_empty(DisputeStage.skip_reason, text))
    _update(DisputeAddition, DisputeAddition.dispute_id, dispute_ids, text=text)
    # Only released holds are left on a dispute that is anonymised.
    _update(LegalHold, LegalHold.dispute_id, dispute_ids, LegalHold.released_at.is_not(None),
            reason=text, release_reason=_unless_empty(LegalHold.release_reason, text))
    db.session.execute(delete(ItemNote).where(ItemNote.agenda_item_id.in_(
        select(AgendaItem.id).where(AgendaItem.dispute_id.in_(dispute_ids))))
        .execution_options(synchronize_session=False))
    return db.session.execute(
        delete(DisputeDocument).where(DisputeDocument.dispute_id.in_(dispute_ids))
        .execution_options(synchronize_session=False)).rowcount


def _update(model, key, ids, *where, **values):
    # Set-based, so no row is loaded: the session is not kept in step (the job commits each
    # batch, which expires whatever it holds).
    db.session.execute(update(model).where(key.in_(ids), *where).values(**values)
                       .execution_options(synchronize_session=False))


def _unless_empty(column, text):
    """The note in place of the text, where there was text: an empty field stays empty."""
    return case((column.is_(None), null()), else_=text)


def _typed_withdrawal(text):
    """A partnership manager typed why they withdrew it (case free text); the schedule's own
    reason says only the child's age, and stays."""
    return case((Dispute.withdrawn_by_id.is_(None), Dispute.withdrawn_reason), else_=text)
