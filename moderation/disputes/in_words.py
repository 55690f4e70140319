"""A dispute as its pages say it: the child shown, a mismatch between what the referrer meant and
how CSC recorded it, and when a settlement's reply is due."""

from moderation.models import Classification, Intent
from moderation.web.formatting import format_date, format_datetime


def child_shown(dispute):
    """The child as a list or the papers show them: their initials, or "Anonymised" once the
    retention schedule has removed their details (rule 15), never a blank."""
    return "Anonymised" if dispute.anonymised else dispute.child_initials


def mismatch(dispute):
    """What the referrer meant against how CSC recorded it, in plain words; None if they agree."""
    recorded = dispute.effective_recorded_as
    if dispute.referrer_intent == Intent.REFERRAL and recorded == Classification.CONTACT:
        return "You made a referral; CSC recorded it as a contact"
    if dispute.referrer_intent == Intent.INFORMATION and recorded == Classification.REFERRAL:
        return "You shared information only; CSC recorded it as a referral"
    return None


MISMATCH_MEANING = {
    "You made a referral; CSC recorded it as a contact": (
        "A contact is logged but does not start an assessment, so nobody from children's social "
        "care is asked to see the child. If you believe the child needs an assessment, say so in "
        "your grounds: the escalation stages and the panel will look at whether it should have "
        "been treated as a referral."
    ),
    "You shared information only; CSC recorded it as a referral": (
        "CSC has treated your information as a request for them to act. That can lead to an "
        "assessment of the family. If that is not what you intended, explain why in your grounds."
    ),
}


def mismatch_meaning(dispute):
    """What a mismatch means for the referrer and what to do about it, while they still can:
    nothing once the dispute is closed (its grounds can no longer change)."""
    return None if dispute.closed else MISMATCH_MEANING.get(mismatch(dispute))


def settlement_reply_due(dispute):
    """By when the referrer must answer a settlement, in words: a time on the urgent route."""
    stage = dispute.current_stage
    if dispute.immediate_risk and stage is not None and stage.due_at is not None:
        return format_datetime(stage.due_at)
    return format_date(dispute.settlement_reply_due_on)
