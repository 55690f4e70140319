"""The words a dispute is recorded in: what the referrer intended and CSC decided, the kind of
disagreement, its status (open or closed), each stage's outcome and route, the referrer's reply
to a settlement, and whose voice answers a stage."""

from dataclasses import dataclass

from moderation.models.enums import LabelledEnum


class Intent(LabelledEnum):
    REFERRAL = "referral"
    INFORMATION = "information"


Intent.LABELS = {
    Intent.REFERRAL: "A referral asking children's social care to act",
    Intent.INFORMATION: "Information only",
}


class Classification(LabelledEnum):
    CONTACT = "contact"
    REFERRAL = "referral"


Classification.LABELS = {Classification.CONTACT: "Contact", Classification.REFERRAL: "Referral"}


class CscOutcome(LabelledEnum):
    NO_FURTHER_ACTION = "no_further_action"
    INFORMATION_OR_ADVICE = "information_or_advice"
    SIGNPOSTED = "signposted"
    EARLY_HELP = "step_down_early_help"
    ASSESSMENT = "child_and_family_assessment"
    STRATEGY_DISCUSSION = "strategy_discussion_s47"


CscOutcome.LABELS = {
    CscOutcome.NO_FURTHER_ACTION: "No further action",
    CscOutcome.INFORMATION_OR_ADVICE: "Information or advice",
    CscOutcome.SIGNPOSTED: "Signposted to another agency",
    CscOutcome.EARLY_HELP: "Step down to early help",
    CscOutcome.ASSESSMENT: "Child and family assessment (section 17)",
    CscOutcome.STRATEGY_DISCUSSION: "Strategy discussion or section 47 enquiry",
}


class DisputeType(LabelledEnum):
    THRESHOLD_NOT_MET = "threshold_not_met"
    CONTACT_NOT_REFERRAL = "contact_not_referral"
    STEP_DOWN_OR_CLOSURE = "step_down_or_closure"
    OTHER = "other"


DisputeType.LABELS = {
    DisputeType.THRESHOLD_NOT_MET: "CSC decided the threshold was not met",
    DisputeType.CONTACT_NOT_REFERRAL: "CSC recorded my referral as a contact",
    DisputeType.STEP_DOWN_OR_CLOSURE: "CSC stepped the case down or closed it",
    DisputeType.OTHER: "Something else",
}


class ReferralMethod(LabelledEnum):
    PHONE = "phone"
    ONLINE_FORM = "online_form"
    EMAIL = "email"
    IN_PERSON = "in_person"


ReferralMethod.LABELS = {
    ReferralMethod.PHONE: "Phone call",
    ReferralMethod.ONLINE_FORM: "Online referral form",
    ReferralMethod.EMAIL: "Secure email",
    ReferralMethod.IN_PERSON: "In person",
}


class ConcernCategory(LabelledEnum):
    NEGLECT = "neglect"
    PHYSICAL_ABUSE = "physical_abuse"
    SEXUAL_ABUSE = "sexual_abuse"
    EMOTIONAL_ABUSE = "emotional_abuse"
    DOMESTIC_ABUSE = "domestic_abuse"
    EXPLOITATION = "exploitation"
    PARENTAL_MENTAL_HEALTH = "parental_mental_health"
    PARENTAL_SUBSTANCE_MISUSE = "parental_substance_misuse"
    CHILD_MENTAL_HEALTH = "child_mental_health"
    OTHER = "other"


ConcernCategory.LABELS = {
    ConcernCategory.NEGLECT: "Neglect",
    ConcernCategory.PHYSICAL_ABUSE: "Physical abuse",
    ConcernCategory.SEXUAL_ABUSE: "Sexual abuse",
    ConcernCategory.EMOTIONAL_ABUSE: "Emotional abuse",
    ConcernCategory.DOMESTIC_ABUSE: "Domestic abuse",
    ConcernCategory.EXPLOITATION: "Child sexual or criminal exploitation",
    ConcernCategory.PARENTAL_MENTAL_HEALTH: "Parental mental health",
    ConcernCategory.PARENTAL_SUBSTANCE_MISUSE: "Parental drug or alcohol misuse",
    ConcernCategory.CHILD_MENTAL_HEALTH: "The child's mental health",
    ConcernCategory.OTHER: "Other",
}


LEVELS_OF_NEED = {
    1: "Level 1: universal",
    2: "Level 2: early help",
    3: "Level 3: targeted",
    4: "Level 4: statutory or specialist",
}


class ToldHow(LabelledEnum):
    """How CSC told the referrer of its decision."""

    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    IN_PERSON = "in_person"
    NOT_TOLD = "not_told"


ToldHow.LABELS = {
    ToldHow.PHONE: "By phone",
    ToldHow.EMAIL: "By secure email",
    ToldHow.LETTER: "By letter",
    ToldHow.IN_PERSON: "In person",
    ToldHow.NOT_TOLD: "The referrer was not told",
}


class DisputeStatus(LabelledEnum):
    ESCALATING = "escalating"
    # CSC settled it on "the referrer accepts CSC's explanation": the referrer confirms or not.
    AWAITING_REFERRER = "awaiting_referrer"
    SETTLED = "settled"
    QUEUED = "queued"
    DECIDED = "decided"
    # Closed without an outcome: by the partnership manager after a long time with no activity,
    # or by the retention schedule once the child is past its age (retention/withdrawal.py).
    WITHDRAWN = "withdrawn"


DisputeStatus.LABELS = {
    DisputeStatus.ESCALATING: "In escalation",
    DisputeStatus.AWAITING_REFERRER: "Settlement waiting for the referrer",
    DisputeStatus.SETTLED: "Settled",
    DisputeStatus.QUEUED: "Waiting for panel",
    DisputeStatus.DECIDED: "Decided by the panel",
    DisputeStatus.WITHDRAWN: "Withdrawn",
}
# Something may still happen to a dispute in these: a stage, a settlement reply, a panel.
OPEN_STATUSES = (DisputeStatus.ESCALATING, DisputeStatus.AWAITING_REFERRER,
                 DisputeStatus.QUEUED)
CLOSED_STATUSES = (DisputeStatus.SETTLED, DisputeStatus.DECIDED, DisputeStatus.WITHDRAWN)


class StageOutcome(LabelledEnum):
    SETTLED = "settled"
    UNRESOLVED = "unresolved"
    SKIPPED = "skipped"
    LAPSED = "lapsed"
    SETTLEMENT_NOT_ANSWERED = "not_answered"  # the referrer did not answer a settlement
    WITHDRAWN = "withdrawn"  # the dispute was withdrawn while the stage was open


StageOutcome.LABELS = {
    StageOutcome.SETTLED: "Settled",
    StageOutcome.UNRESOLVED: "Not resolved",
    StageOutcome.SKIPPED: "Skipped",
    StageOutcome.LAPSED: "Due date passed without a response",
    StageOutcome.SETTLEMENT_NOT_ANSWERED: "Settlement not answered by the referrer",
    StageOutcome.WITHDRAWN: "Closed when the dispute was withdrawn",
}


class NextStep:
    """What an answer at a stage does: settle the dispute on a revised decision, settle it on
    the referrer accepting the explanation (they confirm), or leave it not resolved."""

    SETTLE = "settle"
    REFERRER_ACCEPTS = "referrer_accepts"
    UNRESOLVED = "unresolved"
    SETTLING = (SETTLE, REFERRER_ACCEPTS)


class Route(LabelledEnum):
    """The escalation route a dispute runs on: immediate risk takes the urgent one (rule 14)."""

    STANDARD = "standard"
    URGENT = "urgent"


Route.LABELS = {Route.STANDARD: "Escalation route", Route.URGENT: "Urgent route"}


class SettlementReply(LabelledEnum):
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    NOT_ANSWERED = "not_answered"


SettlementReply.LABELS = {
    SettlementReply.CONFIRMED: "The referrer confirmed the settlement",
    SettlementReply.DECLINED: "The referrer declined the settlement",
    SettlementReply.NOT_ANSWERED: "The referrer did not answer in time",
}


@dataclass(frozen=True)
class Voice:
    """Who speaks at a stage: its page, its answer and the notices about it speak for whoever
    handles it, CSC's managers or the partnership's named senior lead."""

    party: str  # "Respond for {party}"
    name: str  # "{name} has responded", at the start of a sentence
    response: str  # the answer's label
    enter_response: str  # the message when it is left empty
    revised: str  # the answer that settles on a revised decision
    explanation: str  # "the referrer accepts {explanation}"
    button: str  # the dispute page's link to the answer


VOICES = {
    "csc_manager": Voice(
        "children's social care", "CSC", "CSC's response", "Enter CSC's response",
        "CSC has revised its decision", "CSC's explanation", "Respond for CSC"),
    "partnership_manager": Voice(
        "the partnership's named senior lead", "The partnership's senior lead",
        "The senior lead's response", "Enter the senior lead's response",
        "the senior lead has revised CSC's decision", "the senior lead's explanation",
        "Respond as the senior lead"),
}
