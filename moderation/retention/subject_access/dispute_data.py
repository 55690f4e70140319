"""Subject access: one dispute as plain data (dates as dates), from what the export read for
every chosen dispute at once: its records, its panel items, and who viewed or changed it."""

from moderation.models import (
    ActionStatus,
    Classification,
    CscOutcome,
    DisputeStatus,
    DisputeType,
    Intent,
    PanelOutcome,
    ReferralMethod,
    SettlementReply,
    StageOutcome,
    ToldHow,
)
from moderation.models.dispute_terms import LEVELS_OF_NEED


def dispute_data(dispute, found_ids, papers, items, extracts, actions, audit):
    """One dispute. `found_ids`: the disputes chosen (an earlier one is named only if among
    them); the rest is what the export read for all of them, this dispute's `items`, `actions`
    and `audit` picked out already."""
    item_ids = {item.id for item in items}
    return {
        "reference": dispute.reference,
        "status": DisputeStatus(dispute.status).label,
        "raised_on": dispute.raised_on,
        "referral_record": _referral(dispute),
        "csc_decision": _csc_decision(dispute),
        "csc_record": _csc_record(dispute),
        "challenge": _challenge(dispute, found_ids),
        "settlement": _settlement(dispute),
        "escalation_stages": [_stage(stage) for stage in dispute.stages],
        "additions": [_addition(a) for a in papers["additions"] if a.dispute_id == dispute.id],
        "documents": [_document(d) for d in papers["documents"] if d.dispute_id == dispute.id],
        "panel_decisions": [_decision(item) for item in items if item.decision is not None],
        "panel_items": [_panel_item(item) for item in items],
        "actions": [_action(action) for action in actions],
        "minutes_extracts": [extracts[i] for i in sorted(item_ids) if i in extracts],
        "legal_holds": [_hold(hold) for hold in dispute.holds],
        "audit": [_event(event) for event in audit],
    }


def _label(enum, value):
    return enum(value).label if value else None


def _person(user):
    if user is None:
        return None
    return {"name": user.name, "agency": user.agency.name if user.agency else None}


def _name(user, typed=None):
    return user.name if user is not None else typed


def _referral(dispute):
    return {
        "child_name": dispute.child_name,
        "date_of_birth": dispute.child_dob,
        "expected_date_of_delivery": dispute.child_expected_delivery_date,
        "case_number": dispute.child_case_number,
        "referring_agency": dispute.referring_agency.name,
        "referrer": dispute.referrer.name,
        "referrers_manager": _name(dispute.referrer_manager),
        "sent_on": dispute.referral_date,
        "sent_by": _label(ReferralMethod, dispute.referral_method),
        "referrer_intended": _label(Intent, dispute.referrer_intent),
        "concerns": [category.label for category in dispute.concern_categories],
        "level_of_need": LEVELS_OF_NEED.get(dispute.level_of_need, str(dispute.level_of_need)),
        "summary": dispute.referral_summary,
    }


def _csc_decision(dispute):
    """CSC's decision as the referrer was told it."""
    return {
        "decided_on": dispute.csc_decision_date,
        "recorded_as": _label(Classification, dispute.told_recorded_as),
        "outcome": _label(CscOutcome, dispute.told_outcome),
        "decision_maker": dispute.told_decision_maker,
        "reasons": dispute.told_reasons,
    }


def _csc_record(dispute):
    """CSC's own record of its decision."""
    return {
        "recorded_as": _label(Classification, dispute.csc_recorded_as),
        "outcome": _label(CscOutcome, dispute.csc_outcome),
        "rationale": dispute.csc_rationale,
        "decision_maker": _name(dispute.csc_decision_maker, dispute.csc_decision_maker_name),
        "authorising_manager": _name(dispute.csc_authorising_manager,
                                     dispute.csc_authorising_manager_name),
        "referrer_told_on": dispute.csc_told_referrer_on,
        "referrer_told_how": _label(ToldHow, dispute.csc_told_referrer_how),
        "confirmed_at": dispute.csc_confirmed_at,
    }


def _challenge(dispute, found_ids):
    # An earlier dispute is named only when it is this child's too (found by the same search):
    # otherwise its reference would point at another child's records.
    repeat_of = dispute.repeat_of.reference if dispute.repeat_of_id in found_ids else None
    return {
        "disagreement": _label(DisputeType, dispute.dispute_type),
        "grounds": dispute.grounds,
        "immediate_risk": dispute.immediate_risk,
        "repeat_of": repeat_of,
    }


def _settlement(dispute):
    if dispute.settled_on is None and dispute.settlement_outcome is None:
        return None
    return {
        "settled_on": dispute.settled_on,
        "outcome": _label(CscOutcome, dispute.settlement_outcome),
        "note": dispute.settlement_note,
        "referrer_reply": _label(SettlementReply, dispute.settlement_reply),
        "replied_at": dispute.settlement_replied_at,
    }


def _stage(stage):
    return {
        "position": stage.position,
        "name": stage.name,
        "opened_on": stage.opened_on,
        "due_on": stage.due_on,
        "closed_on": stage.closed_on,
        "outcome": _label(StageOutcome, stage.outcome) or "Open",
        "skip_reason": stage.skip_reason,
        "response": stage.response,
        "answered_by": _name(stage.responded_by),
        "answered_at": stage.responded_at,
    }


def _addition(addition):
    return {
        "added_at": addition.added_at,
        "added_by": addition.author.name,
        "at_stage": addition.stage_position,
        "text": addition.text,
    }


def _document(document):
    """A document's particulars: never its contents."""
    return {
        "name": document.filename,
        "type": document.type_label,
        "file_kind": document.file_kind.upper(),
        "size_bytes": document.size,
        "added_by": document.added_by.name,
        "added_at": document.added_at,
        "withdrawn_at": document.withdrawn_at,
        "withdrawn_by": _name(document.withdrawn_by),
        "withdrawal_reason": document.withdrawal_reason,
    }


def _decision(item):
    decision = item.decision
    return {
        "decided_on": decision.decided_on,
        "outcome": decision.outcome_label,
        "how_reached": decision.method,
        "rationale": decision.rationale,
        "dissenting_agencies": list(decision.dissenting_agencies or []),
        "dissent": decision.dissent,
        "learning_themes": [theme.name for theme in decision.themes],
        "feedback_to_referrer": decision.feedback,
    }


def _panel_item(item):
    """The dispute on one session's agenda: each agency's vote, a deferral, the chair's notes."""
    return {
        "session_held_on": item.session.held_on,
        "item": item.position,
        "deferred": item.deferral_reason if item.deferred else None,
        "votes": [{"agency": vote.agency.name, "outcome": _label(PanelOutcome, vote.outcome),
                   "reason": vote.reason} for vote in item.votes],
        "chairs_notes": item.note.text if item.note else None,
    }


def _action(action):
    return {
        "description": action.description,
        "owner": action.owner_label,
        "agency": action.agency.name,
        "due_on": action.due_on,
        "status": _label(ActionStatus, action.status),
        "note": action.status_note,
    }


def _hold(hold):
    return {
        "reason": hold.reason,
        "placed_by": hold.placed_by.name,
        "placed_at": hold.placed_at,
        "released_by": _name(hold.released_by),
        "released_at": hold.released_at,
        "release_reason": hold.release_reason,
    }


def _event(event):
    return {
        "when": event.occurred_at,
        "what": _in_words(event.action),
        "who": _person(event.actor) or {"name": "The system", "agency": None},
    }


def _in_words(action):
    """An audit action as a reader says it: "csc_decision_confirmed" is "CSC decision
    confirmed"."""
    words = action.replace("_", " ").capitalize()
    return " ".join("CSC" if word.lower() == "csc" else word for word in words.split())
