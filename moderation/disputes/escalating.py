"""Escalating a dispute stage by stage (rule 3) to the panel queue (rule 4), and what the
scheduler moves on by itself: a last stage or a settlement left unanswered, and each urgent stage
not answered by the end of its office day (rule 17)."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from moderation.calendar import UK, today
from moderation.disputes.clock import NOT_ESCALATING, clock, close_stage, open_stage
from moderation.disputes.papers import add_information, name_referrer_manager
from moderation.disputes.policy import current_policy, route_stages
from moderation.disputes.readers import may_read
from moderation.disputes.urgent_panel import urgent_panel_needed_by
from moderation.extensions import db
from moderation.models import (
    Dispute,
    DisputeStage,
    DisputeStatus,
    Role,
    SettlementReply,
    StageOutcome,
)
from moderation.models.types import utcnow
from moderation.notifications import notices
from moderation.web import audit
from moderation.web.boundary import Refusal
from moderation.web.permissions import NOT_YOURS, enforce


def why_not_escalate(user, dispute, on=None):
    """Why `user` may not escalate the dispute's current stage now, or None: NOT_YOURS for a
    dispute they may not read; else the referrer who raised it or a CSC manager, once CSC has
    answered the stage, when it is overdue (on `on`), or when urgent."""
    if not may_read(user, dispute):
        return NOT_YOURS
    if user.id != dispute.referrer_id and not user.has_role(Role.CSC_MANAGER):
        return "Only the referrer who raised the dispute, or CSC, can escalate it"
    stage = dispute.current_stage
    if stage is None or dispute.status != DisputeStatus.ESCALATING:
        return NOT_ESCALATING
    if not (stage.response or dispute.immediate_risk or clock(stage, on).overdue):
        return "You can escalate once CSC has answered this stage or its due date has passed"
    return None


def escalate(dispute, actor, to_position=None, skip_reason=None, on=None, manager_id=None,
             new_information=None):
    """Close the current stage unresolved and open the next (or a later one, rule 3).

    When the last stage ends unresolved, the dispute joins the panel queue (rule 4). The
    referrer may at the same time name their manager (`manager_id`) and add information for
    the next stage (`new_information`).
    """
    on = on or today()
    enforce(why_not_escalate(actor, dispute, on))
    stage = dispute.current_stage
    stages = route_stages(dispute)
    next_position = stage.position + 1
    to_position = to_position or next_position
    if to_position < next_position or to_position > len(stages) + 1:
        raise Refusal("Choose a later stage", "to_position")
    skipping = to_position > next_position
    if skipping and not dispute.immediate_risk and not (skip_reason or "").strip():
        raise Refusal("Give the reason for skipping a stage", "skip_reason")
    close_stage(stage, on, StageOutcome.UNRESOLVED)
    for skipped in stages[next_position - 1:to_position - 1]:
        _skip_stage(dispute, skipped, on, actor, skip_reason)
    advance(dispute, to_position, actor, on, skipped=to_position - next_position)
    if actor.id == dispute.referrer_id:
        _referrer_adds(dispute, actor, manager_id, new_information)
    return dispute


def _referrer_adds(dispute, referrer, manager_id, new_information):
    if manager_id is not None:
        name_referrer_manager(dispute, referrer, manager_id)
    if (new_information or "").strip():
        add_information(dispute, referrer, new_information)


def advance(dispute, to_position, actor, on, skipped=0, lapsed=False):
    """Open the stage at `to_position`, telling whoever answers it, or queue the dispute when
    there is none (`lapsed`: because the last stage ran out)."""
    stages = route_stages(dispute)
    if to_position > len(stages):
        return join_queue(dispute, actor, on, lapsed)
    opened = open_stage(dispute, stages[to_position - 1], on, actor)
    audit.record("dispute_escalated", dispute, actor=actor, to_stage=to_position,
                 skipped=skipped)
    if _tells_who_answers(dispute, opened, actor):
        notices.escalated(dispute, opened)
    return dispute


def _tells_who_answers(dispute, stage, actor):
    """Whoever answers a newly opened stage hears of it at once, except that on the escalation
    route a CSC manager who moves a dispute on to a stage CSC answers tells nobody new. On the
    urgent route they are always told (rule 17): the next manager is another person."""
    if dispute.immediate_risk or actor is None or actor.id == dispute.referrer_id:
        return True
    return not actor.has_role(stage.answering_role)


def _skip_stage(dispute, policy_stage, on, actor, reason):
    stage = open_stage(dispute, policy_stage, on, actor)
    close_stage(stage, on, StageOutcome.SKIPPED)
    stage.skip_reason = (reason or "").strip() or "Immediate risk of significant harm"


def join_queue(dispute, actor, on, lapsed=False):
    """Rule 4: unresolved after the last stage, the dispute waits for the panel. An urgent one
    needs a panel within two working days: the chairs and partnership managers hear at once."""
    dispute.status = DisputeStatus.QUEUED
    dispute.queued_on = on
    audit.record("dispute_queued", dispute, actor=actor, lapsed=lapsed)
    notices.queued(dispute, lapsed)
    if dispute.immediate_risk:
        notices.urgent_panel_needed(dispute, urgent_panel_needed_by(on))
    return dispute


def move_on(dispute, stage, outcome, actor, on):
    """Rule 17: close the urgent stage and open the next one at once, telling whoever answers
    it (or, after the last, send the dispute to an extraordinary panel)."""
    close_stage(stage, on, outcome)
    return advance(dispute, stage.position + 1, actor, on,
                    lapsed=outcome == StageOutcome.LAPSED)


# What the scheduler moves on -------------------------------------------------------------------


def lapse_last_stages(on=None):
    """Each working morning: disputes on the escalation route whose last stage passed its due
    date with no response join the queue (the urgent route's stages move on within minutes:
    move_on_urgent_stages). Locked rows another scheduler holds are left to it; a dispute
    already queued is no longer escalating, so a second run finds nothing."""
    on = on or today()
    lapsed = _locked(select(Dispute).join(DisputeStage).where(
        Dispute.status == DisputeStatus.ESCALATING, Dispute.immediate_risk.is_(False),
        DisputeStage.closed_on.is_(None), DisputeStage.due_on < on,
        DisputeStage.response.is_(None),
        DisputeStage.position >= len(current_policy().stages)))
    for dispute in lapsed:
        last_stage_lapsed(dispute, on)
    return len(lapsed)


def escalate_unanswered_settlements(on=None):
    """Settlements on the escalation route the referrer did not answer by their due date
    escalate, once (an urgent one moves on within minutes: move_on_urgent_stages)."""
    on = on or today()
    due = _locked(select(Dispute).where(Dispute.status == DisputeStatus.AWAITING_REFERRER,
                                        Dispute.immediate_risk.is_(False),
                                        Dispute.settlement_reply_due_on < on))
    for dispute in due:
        settlement_unanswered(dispute, on)
    return len(due)


def move_on_urgent_stages(now=None):
    """Every 15 minutes (rule 17): each urgent stage not answered by its due moment closes and
    the next opens, its answerers told at once (after the last, the dispute goes to an
    extraordinary panel); an urgent settlement the referrer has not confirmed by then moves on
    in the same way. The stage each opens is due the next working day, so a second run finds
    nothing."""
    now = now or utcnow()
    due = _locked(select(Dispute).join(DisputeStage).where(
        Dispute.immediate_risk.is_(True),
        Dispute.status.in_([DisputeStatus.ESCALATING, DisputeStatus.AWAITING_REFERRER]),
        DisputeStage.closed_on.is_(None), DisputeStage.due_at.is_not(None),
        DisputeStage.due_at < now))
    on = now.astimezone(UK).date()
    for dispute in due:
        if dispute.awaiting_referrer:
            settlement_unanswered(dispute, on)
        else:
            move_on(dispute, dispute.current_stage, StageOutcome.LAPSED, None, on)
    return len(due)


def _locked(statement):
    return db.session.scalars(statement.options(selectinload(Dispute.stages))
                              .with_for_update(skip_locked=True, of=Dispute)).unique().all()


def settlement_unanswered(dispute, on):
    """No reply by the due date: recorded as not answered, and the dispute escalates to the
    next stage as if unresolved (by the scheduler)."""
    stage = dispute.current_stage
    dispute.status = DisputeStatus.ESCALATING
    dispute.settlement_reply = SettlementReply.NOT_ANSWERED
    dispute.settlement_reply_due_on = None
    close_stage(stage, on, StageOutcome.SETTLEMENT_NOT_ANSWERED)
    audit.record("settlement_not_answered", dispute, actor=None, stage=stage.position)
    return advance(dispute, stage.position + 1, None, on)


def last_stage_lapsed(dispute, on):
    """The last stage passed its due date with no response: the dispute joins the queue (by
    the scheduler), and the referrer and CSC are told."""
    close_stage(dispute.current_stage, on, StageOutcome.LAPSED)
    return join_queue(dispute, None, on, lapsed=True)
