"""Withdrawing a dispute (DESIGN.md rule 15: no open dispute is kept for ever).

A withdrawn dispute is closed without an outcome: off the panel queue and any draft agenda, its
open stage closed so that no clock, alert or scheduled job acts on it again, and counted as
withdrawn in the figures. The retention schedule keeps it as it keeps a closed one, from the day
it was withdrawn.

Two things withdraw a dispute. The partnership manager withdraws one nobody has acted on for the
schedule's period (inactivity.py lists them), with a reason; the referrer and CSC are told. The
retention job withdraws an open dispute whose child is past the schedule's age before it
anonymises it, so that what is left reads true.

Neither takes a dispute off the agenda of a panel still to meet (frozen, or in session, on or
after today): its members have its papers, and the panel hears it first. The chair can defer it
there. An agenda whose day has passed without the meeting closing holds the dispute as deferred.
"""

from sqlalchemy import exists, select, update
from sqlalchemy.orm import contains_eager

from moderation.disputes.child_identifiers import Child, refuse
from moderation.extensions import db
from moderation.models import (
    AgendaItem,
    Dispute,
    DisputeStage,
    DisputeStatus,
    PanelSession,
    StageOutcome,
)
from moderation.models.dispute_terms import OPEN_STATUSES
from moderation.models.types import utcnow
from moderation.notifications import notices
from moderation.panels import agenda
from moderation.retention import schedule
from moderation.web import audit, cache
from moderation.web.boundary import Refusal
from moderation.web.formatting import format_date
from moderation.web.permissions import enforce
from moderation.web.words import in_sentence

# Why an item on an agenda whose day has passed reads as deferred: no case detail.
OFF_THE_AGENDA = "Withdrawn before the panel heard it."


def panel_ahead(today):
    """The dispute (in SQL) is on the agenda of a panel still to meet: frozen or in session,
    sitting today or later, and not deferred there."""
    return exists().where(
        AgendaItem.dispute_id == Dispute.id, AgendaItem.deferred.is_(False),
        AgendaItem.session_id == PanelSession.id, PanelSession.meeting_ahead,
        PanelSession.held_on >= today)


def by_schedule_reason(age):
    return f"Withdrawn by the retention schedule: the child is over {age}."


def withdraw(dispute, actor, reason, today):
    """The partnership manager withdraws an open dispute, with the reason (required; it must not
    name the child, as the list of inactive disputes and the notices point to it). Refused once
    closed or anonymised, and while a panel still to meet has it on its agenda. Audited; the
    referrer (and the manager they named) and CSC's managers are told."""
    text = _reason(dispute, reason, actor)
    _lock(dispute)
    enforce(why_not_withdraw(actor, dispute))
    _refuse_on_a_panel_ahead(dispute, today)
    close([dispute.id], today, text, actor)
    audit.record("dispute_withdrawn", dispute, actor=actor)
    notices.withdrawn(dispute)
    return dispute


def close(dispute_ids, today, reason, actor=None):
    """Withdraw those of these disputes still open, in a few statements (the caller has kept
    them off a panel still to meet): off any draft agenda, deferred on an agenda whose day has
    passed, their open stages closed, and their status, day, reason and who (None: the
    retention schedule) recorded. Flushes; returns how many were withdrawn."""
    still_open = db.session.scalars(select(Dispute.id).where(
        Dispute.id.in_(dispute_ids), Dispute.status.in_(OPEN_STATUSES))).all()
    if not still_open:
        return 0
    _off_draft_agendas(still_open, actor)
    _deferred_on_past_agendas(still_open)
    now = utcnow()
    db.session.execute(update(DisputeStage).where(
        DisputeStage.dispute_id.in_(still_open), DisputeStage.closed_on.is_(None))
        .values(closed_on=today, closed_at=now, outcome=StageOutcome.WITHDRAWN))
    db.session.execute(update(Dispute).where(Dispute.id.in_(still_open)).values(
        status=DisputeStatus.WITHDRAWN, withdrawn_on=today, withdrawn_reason=reason,
        withdrawn_by_id=actor.id if actor else None, settlement_reply_due_on=None,
        last_activity_at=now))
    cache.forget(cache.FIGURES)  # every worker counts the withdrawn figure again
    return len(still_open)


def _off_draft_agendas(dispute_ids, actor):
    """A draft agenda changes freely: the chair's own removal, so the rest close up."""
    items = db.session.scalars(
        select(AgendaItem).join(AgendaItem.session)
        .where(AgendaItem.dispute_id.in_(dispute_ids),
               PanelSession.agenda_draft)
        .options(contains_eager(AgendaItem.session))).all()
    for item in items:
        agenda.remove_item(item.session, actor, item)
    db.session.flush()


def _deferred_on_past_agendas(dispute_ids):
    """A frozen agenda, or a meeting never closed, whose day has passed: the item is concluded,
    so the meeting can close without it."""
    db.session.execute(update(AgendaItem).where(
        AgendaItem.dispute_id.in_(dispute_ids), AgendaItem.deferred.is_(False),
        AgendaItem.session_id.in_(select(PanelSession.id).where(
            PanelSession.meeting_ahead)))
        .values(deferred=True, deferral_reason=OFF_THE_AGENDA))


def _reason(dispute, typed, writer):
    """The reason, refused if it names this child or any child whose dispute the writer may
    read (rule 13, as for a hold's reason)."""
    text = schedule.typed_reason(typed, "Enter why the dispute is withdrawn")
    child = Child(dispute.child_name, dispute.child_age_from, dispute.child_case_number)
    refuse([("The reason", "reason", text)], writer, [child])
    return text


def _lock(dispute):
    # Two managers withdrawing at once, or a stage answered meanwhile: the second waits here
    # (PostgreSQL), then reads the dispute as the first left it.
    db.session.execute(select(Dispute).where(Dispute.id == dispute.id).with_for_update()
                       .execution_options(populate_existing=True))


def why_not_withdraw(user, dispute):
    """None, or why `dispute` cannot be withdrawn: only an open dispute not anonymised can. The
    rule `dispute.withdraw` and `withdraw` both ask; a panel still to hear it is `withdraw`'s
    refusal alone, said on the page with what to do."""
    if dispute.anonymised:
        return "The dispute has been anonymised: there is nothing left to withdraw"
    if dispute.withdrawn:
        return f"Dispute {dispute.reference} was withdrawn on {format_date(dispute.withdrawn_on)}"
    if dispute.closed:
        return (f"Dispute {dispute.reference} is closed "
                f"({in_sentence(DisputeStatus(dispute.status).label)}): only an open dispute "
                "can be withdrawn")
    return None


def panel_hearing(dispute, today):
    """The session still to meet whose agenda holds the dispute, or None."""
    return db.session.scalar(
        select(PanelSession).join(AgendaItem, AgendaItem.session_id == PanelSession.id)
        .where(AgendaItem.dispute_id == dispute.id, AgendaItem.deferred.is_(False),
               PanelSession.meeting_ahead, PanelSession.held_on >= today)
        .order_by(PanelSession.held_on).limit(1))


def _refuse_on_a_panel_ahead(dispute, today):
    panel_session = panel_hearing(dispute, today)
    if panel_session is not None:
        raise Refusal(f"Dispute {dispute.reference} is on the agenda of the panel on "
                      f"{format_date(panel_session.held_on)}: the panel hears it first. The chair "
                      "can defer it there; then it can be withdrawn", "reason")
