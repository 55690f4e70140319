"""The panel's decision on an item (rule 9), deferral, and what either means for the dispute.

A decision records the outcome the count reached (rule 8), the rationale, at least one learning
theme and the feedback to the referrer; the dispute closes and the referrer is told. An item
deferred goes to the next session with room on its agenda, or back to the queue; an urgent one
never to an ordinary session (rule 17): back to the chair's urgent box, needing a panel within two
working days, whether the chair deferred it or the panel decided "deferred for more information".
"""

from sqlalchemy import select

from moderation.actions.services import act_on_overturn
from moderation.calendar import today
from moderation.disputes.child_identifiers import refuse_on_agenda
from moderation.disputes.urgent_panel import urgent_panel_needed_by
from moderation.extensions import db
from moderation.meeting import rules
from moderation.meeting.quorum import quorum
from moderation.meeting.voting import count, lock
from moderation.models import (
    DisputeStatus,
    LearningTheme,
    PanelDecision,
    PanelOutcome,
    PanelSession,
)
from moderation.notifications import notices
from moderation.panels import agenda
from moderation.panels.permissions import session_access
from moderation.web import audit, cache
from moderation.web.boundary import Refusal
from moderation.web.formatting import format_date
from moderation.web.permissions import NOT_YOURS, enforce


def themes():
    """The learning themes a decision may name, in the partnership's order."""
    return db.session.scalars(
        select(LearningTheme).where(LearningTheme.active.is_(True))
        .order_by(LearningTheme.position)
    ).all()


def record_decision(item, actor, *, rationale, feedback, theme_ids, dissent=None,
                    casting_vote=None):
    """Rule 9: outcome (from the count, rule 8), rationale, at least one learning theme and the
    feedback to the referrer; the dispute closes and the referrer is told."""
    item = lock(item)
    _check_decision(item)
    try:
        result = count(item, casting_vote or None)
    except rules.VotingError as error:
        raise Refusal(str(error), "casting_vote") from None
    if result.needs_casting_vote:
        raise Refusal("The vote is tied: select the chair's casting vote", "casting_vote")
    chosen = [t for t in themes() if t.id in set(theme_ids)]
    if not chosen:
        raise Refusal("Select at least one learning theme", "themes")
    # Rule 9 itself, not only the form: a decision without its rationale or feedback is none.
    if not rationale.strip():
        raise Refusal("Enter the panel's rationale", "rationale")
    if not feedback.strip():
        raise Refusal("Enter the feedback to the referrer", "feedback")
    refuse_on_agenda(item.session, [
        ("The rationale", "rationale", rationale), ("The dissent", "dissent", dissent),
        ("The feedback to the referrer", "feedback", feedback)], actor)
    decision = PanelDecision(
        agenda_item_id=item.id, dispute_id=item.dispute_id, outcome=result.outcome,
        method=result.method, tally=result.tally, dissenting_agencies=list(result.dissenting),
        dissent=(dissent or "").strip() or None, rationale=rationale.strip(),
        feedback=feedback.strip(), decided_on=item.session.held_on, recorded_by_id=actor.id,
        themes=chosen)
    db.session.add(decision)
    item.decision = decision
    _close_dispute(item, result.outcome)
    act_on_overturn(item, actor, result.outcome)
    cache.forget(cache.FIGURES)  # every worker counts the outcome figures again
    audit.record("decision_recorded", item.dispute, actor=actor, item=item.id,
                 outcome=result.outcome, method=result.method)
    return decision


def _check_decision(item):
    if item.decision is not None:
        raise Refusal("A decision has already been recorded on this item", "rationale")
    if not item.session.in_session:
        raise Refusal("Decisions are recorded while the meeting is in session", "rationale")
    if not item.voting_closed:
        raise Refusal("Close voting before recording the decision", "rationale")
    found = quorum(item.session, item)
    if not found.met:
        raise Refusal(found.explanation + " No decision can be recorded.", "rationale")


def _close_dispute(item, outcome):
    dispute = item.dispute
    if outcome == PanelOutcome.DEFERRED:
        # Deferred for more information: back to the queue for a later session.
        _deferred(item, "The panel deferred it for more information.")
        return
    dispute.status = DisputeStatus.DECIDED
    notices.decision(item, dispute.csc_decision_maker_id)


def defer(item, actor, reason):
    """Defer an undecided item to the next session (added there if its agenda has room, else
    back to the queue, where rule 5 order brings it forward). An urgent one goes to no ordinary
    session: back to the chair's urgent box (rule 17). Returns the session it went to, if any."""
    item = lock(item)
    enforce(why_not_defer_now(item), "reason")
    refuse_on_agenda(item.session, [("The reason", "reason", reason)], actor)
    _deferred(item, reason.strip())
    following = None if item.dispute.immediate_risk else _next_open_session(item.session)
    if following is not None:
        agenda.add_item(following, actor, item.dispute_id)
    audit.record("item_deferred", item.dispute, actor=actor, item=item.id,
                 to_session=following.id if following else None)
    return following


def why_not_defer(user, item):
    """`item.defer` and `defer`: the chair of the session defers an item not yet decided or
    deferred, from the freeze until the meeting closes."""
    if not session_access(user, item.session).runs_meeting:
        return NOT_YOURS
    return why_not_defer_now(item)


def why_not_defer_now(item):
    """Why it cannot be done now, whoever asks, or None: what the service checks (whose it
    is, the route has asked already, with a 404 for NOT_YOURS)."""
    if item.concluded:
        return "This item has already been decided or deferred"
    return None if item.session.meeting_ahead else "Items can be deferred once the agenda is frozen"


def _deferred(item, reason):
    """Mark the item deferred and tell who needs to know. An urgent dispute waits for no monthly
    panel: the chairs and the referrer hear by when another panel must sit (rule 17)."""
    item.deferred = True
    item.deferral_reason = reason
    if not item.dispute.immediate_risk:
        notices.item_deferred(item)
        return
    needed_by = urgent_panel_needed_by(item.session.held_on)
    notices.item_deferred(item, needed_by)
    notices.urgent_panel_needed(
        item.dispute, needed_by, event=f"deferred-item-{item.id}",
        why=f"was deferred by the panel on {format_date(item.session.held_on)}")


def _next_open_session(panel_session):
    """The next session whose agenda is still open and has room, if any."""
    candidates = db.session.scalars(
        select(PanelSession)
        .where(PanelSession.agenda_draft,
               PanelSession.held_on > panel_session.held_on, PanelSession.held_on >= today())
        .order_by(PanelSession.held_on).limit(1)
    ).all()
    return next((s for s in candidates if agenda.room(s)), None)
