"""Settling a dispute before panel (rule 4): at once on a revised decision, or on the referrer's
acceptance of CSC's explanation, which the referrer confirms or declines."""

from moderation.calendar import add_working_days, region, today
from moderation.disputes.clock import close_stage, require_escalating, urgent_due
from moderation.disputes.escalating import move_on
from moderation.disputes.policy import current_policy
from moderation.models import DisputeStatus, SettlementReply, StageOutcome
from moderation.models.types import utcnow
from moderation.notifications import notices
from moderation.web import audit
from moderation.web.permissions import NOT_YOURS, enforce


def settle(dispute, actor, outcome, note, on=None):
    """Settle the dispute before panel on a revised decision: the referrer is told."""
    stage = require_escalating(dispute)
    on = on or today()
    close_stage(stage, on, StageOutcome.SETTLED)
    _record_settlement(dispute, outcome, note)
    _settled(dispute, on)
    audit.record("dispute_settled", dispute, actor=actor, stage=stage.position, outcome=outcome)
    return dispute


def propose_settlement(dispute, actor, outcome, note, on=None):
    """Settle on "the referrer accepts CSC's explanation": the referrer confirms or declines on
    their dispute page within the policy's working days; the stage stays open until then."""
    stage = require_escalating(dispute)
    on = on or today()
    _record_settlement(dispute, outcome, note)
    dispute.status = DisputeStatus.AWAITING_REFERRER
    dispute.settlement_reply = None
    if dispute.immediate_risk:  # the reply is due as an urgent stage is (rule 17)
        urgent_due(stage, utcnow())
        dispute.settlement_reply_due_on = stage.due_on
    else:
        dispute.settlement_reply_due_on = add_working_days(
            on, current_policy().settlement_reply_days, region())
    audit.record("settlement_proposed", dispute, actor=actor, stage=stage.position,
                 outcome=outcome, reply_due_on=dispute.settlement_reply_due_on.isoformat())
    notices.settlement_to_confirm(dispute)
    return dispute


def _record_settlement(dispute, outcome, note):
    dispute.settlement_outcome = outcome
    dispute.settlement_note = note.strip()


def _settled(dispute, on):
    dispute.status = DisputeStatus.SETTLED
    dispute.settled_on = on
    dispute.referrer_told_at = utcnow()
    notices.settled(dispute)


def why_not_reply_to_settlement(user, dispute):
    """Why `user` may not answer the dispute's settlement now, or None: NOT_YOURS unless they
    raised the dispute; once answered, or never proposed, there is nothing to answer."""
    if user.id != dispute.referrer_id:
        return NOT_YOURS
    if dispute.status != DisputeStatus.AWAITING_REFERRER:
        return "This settlement has already been answered"
    return None


def reply_to_settlement(dispute, actor, confirmed, on=None):
    """The referrer confirms the settlement (the dispute is settled) or declines it (the
    dispute returns to its stage, where they can escalate)."""
    enforce(why_not_reply_to_settlement(actor, dispute), "reply")
    on = on or today()
    stage = dispute.current_stage
    dispute.settlement_replied_at = utcnow()
    if confirmed:
        dispute.settlement_reply = SettlementReply.CONFIRMED
        close_stage(stage, on, StageOutcome.SETTLED)
        _settled(dispute, on)
    else:
        dispute.settlement_reply = SettlementReply.DECLINED
        dispute.status = DisputeStatus.ESCALATING
        notices.settlement_declined(dispute, stage)
    dispute.settlement_reply_due_on = None
    audit.record("settlement_answered", dispute, actor=actor, reply=dispute.settlement_reply)
    if not confirmed and dispute.immediate_risk:
        move_on(dispute, stage, StageOutcome.UNRESOLVED, actor, on)
    return dispute
