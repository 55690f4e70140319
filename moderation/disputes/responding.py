"""CSC's side of a dispute: its own record of the decision, and the answer at each stage.

An independent second screening is never answered by whoever made or authorised the decision,
or answered an earlier stage (independence_conflict). Settling on an answer is settling.py's.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from moderation.calendar import today
from moderation.disputes.clock import NOT_ESCALATING, require_escalating
from moderation.disputes.escalating import move_on
from moderation.disputes.policy import current_policy, route_stages
from moderation.disputes.raising import name_key
from moderation.disputes.readers import may_read
from moderation.disputes.settling import propose_settlement, settle
from moderation.disputes.urgent_panel import URGENT_PANEL_WITHIN
from moderation.extensions import db
from moderation.models import DisputeStatus, NextStep, Role, StageOutcome, ToldHow, User
from moderation.models.types import utcnow
from moderation.notifications import notices
from moderation.web import audit
from moderation.web.boundary import Refusal
from moderation.web.formatting import format_date
from moderation.web.permissions import NOT_YOURS, enforce
from moderation.web.words import number_agrees, stage_called


@dataclass
class CscRecord:
    """CSC's own record of its decision (DESIGN.md §3): its rationale, who made the decision and
    who authorised it (a CSC manager who uses the service, else a typed name: one of the two),
    and when and how the referrer was told."""

    rationale: str = ""
    decision_maker_id: int | None = None
    decision_maker_name: str | None = None
    authorising_manager_id: int | None = None
    authorising_manager_name: str | None = None
    told_how: str | None = None
    told_on: date | None = None


PEOPLE = {
    "decision_maker": ("the decision maker", "made the decision"),
    "authorising_manager": ("the authorising manager", "authorised the decision"),
}


def check_csc_record(dispute, record, managers, on):
    """The rules of CSC's record; returns {field: message} for each one broken. `managers`:
    the CSC managers who may be chosen."""
    problems = {}
    if not (record.rationale or "").strip():
        problems["csc_rationale"] = "Enter CSC's rationale for its decision"
    by_id = {manager.id: manager for manager in managers}
    by_name = {name_key(manager.name) for manager in managers}
    for person, (who, _) in PEOPLE.items():
        chosen = getattr(record, f"{person}_id")
        typed = (getattr(record, f"{person}_name") or "").strip()
        if chosen is None and not typed:
            problems[f"{person}_id"] = (f"Select {who}, or enter their name if they do not use "
                                        "this service")
        elif chosen is not None and typed:
            problems[f"{person}_name"] = f"Select {who} or enter their name, not both"
        elif chosen is not None and chosen not in by_id:
            problems[f"{person}_id"] = f"Select one of the CSC managers listed as {who}"
        elif typed and name_key(typed) in by_name:
            problems[f"{person}_name"] = (f"{typed} uses this service: select them as {who} "
                                          "instead of typing their name")
    problems.update(_told_problems(dispute, record, on))
    return problems


def _told_problems(dispute, record, on):
    if record.told_how not in {how.value for how in ToldHow}:
        return {"told_how": "Select how CSC told the referrer of its decision"}
    if record.told_how == ToldHow.NOT_TOLD:
        if record.told_on is not None:
            return {"told_on": "Leave the date empty if the referrer was not told"}
        return {}
    if record.told_on is None:
        return {"told_on": "Enter the date CSC told the referrer"}
    if record.told_on > on:
        return {"told_on": "The date CSC told the referrer must be today or in the past"}
    if record.told_on < dispute.csc_decision_date:
        return {"told_on": "The date CSC told the referrer must be the same as or after the "
                           f"date CSC made the decision ({format_date(dispute.csc_decision_date)})"}
    return {}


def csc_managers():
    """The CSC managers who can be named in CSC's record: active users with the role."""
    return db.session.scalars(
        select(User).where(User.active.is_(True), User.role_links.any(role=Role.CSC_MANAGER))
        .order_by(User.name, User.id)).all()


def confirm_decision(dispute, actor, recorded_as, outcome, record, on=None):
    """CSC confirms or corrects how it recorded the call and what it decided, with its own record
    of the decision (`record`, a CscRecord, whose rules check_csc_record holds); the referrer
    hears when that differs from what they were told, or from CSC's earlier record."""
    enforce(why_not_confirm(actor, dispute))
    require_escalating(dispute)
    problems = check_csc_record(dispute, record, csc_managers(), on or today())
    if problems:
        raise Refusal(problems=problems)
    _store_record(dispute, record)
    changed = (recorded_as, outcome) != (dispute.effective_recorded_as, dispute.effective_outcome)
    dispute.csc_recorded_as = recorded_as
    dispute.csc_outcome = outcome
    dispute.csc_decision_maker_id = record.decision_maker_id
    dispute.csc_confirmed_at = utcnow()
    audit.record("csc_decision_confirmed", dispute, actor=actor, recorded_as=recorded_as,
                 outcome=outcome, **_record_detail(record))
    if changed:
        notices.csc_corrected(dispute, dispute.csc_confirmed_at)


def _store_record(dispute, record):
    dispute.csc_rationale = record.rationale.strip()
    dispute.csc_decision_maker_name = (record.decision_maker_name or "").strip() or None
    dispute.csc_authorising_manager_id = record.authorising_manager_id
    dispute.csc_authorising_manager_name = (record.authorising_manager_name or "").strip() or None
    dispute.csc_told_referrer_how = record.told_how
    dispute.csc_told_referrer_on = record.told_on


def _record_detail(record):
    return {"decision_maker": record.decision_maker_id or record.decision_maker_name,
            "authorising_manager": record.authorising_manager_id
            or record.authorising_manager_name,
            "told_how": record.told_how,
            "told_on": record.told_on.isoformat() if record.told_on else None}


def independence_conflict(dispute, actor, stage=None):
    """Why `actor` may not answer the dispute's independent stage, or None: an independent
    second screening is never answered by the recorded decision maker, the authorising manager,
    or a manager who answered an earlier stage of the same dispute."""
    stage = stage or dispute.current_stage
    if stage is None or not stage.independent:
        return None
    again = f"so another CSC manager must answer {stage_called(stage)}"
    if dispute.csc_decision_maker_id == actor.id:
        return f"You made the original decision, {again}"
    if dispute.csc_authorising_manager_id == actor.id:
        return f"You authorised the original decision, {again}"
    answered = [earlier.position for earlier in dispute.stages
                if earlier.position < stage.position and earlier.responded_by_id == actor.id]
    if answered:
        stages = " and ".join(str(position) for position in answered)
        which = number_agrees(len(answered), "stage")
        return f"You answered {which} {stages} of this dispute, {again}"
    return None


def independent_stages(dispute):
    """The stages of the dispute's route that whoever made or authorised CSC's decision may not
    answer, named as they are on that route ("stage 3 (independent second screening)",
    "urgent stage 2 (head of service)")."""
    return [stage_called(stage) for stage in current_policy().route(dispute.route)
            if stage.independent]


def why_not_confirm(user, dispute):
    """Why `user` may not record CSC's decision on `dispute`, or None: NOT_YOURS for a dispute
    they may not read; while an independent stage they may not answer is open, the conflict
    (they could otherwise take their own name off the record)."""
    if not may_read(user, dispute):
        return NOT_YOURS
    return independence_conflict(dispute, user)


def why_not_answer(user, dispute):
    """Why `user` may not answer the dispute's current stage now, or None: NOT_YOURS for a
    dispute they may not read; else only the stage's answering role, once, and never at an
    independent second screening someone who made, authorised or already answered the decision
    (independence_conflict)."""
    if not may_read(user, dispute):
        return NOT_YOURS
    stage = dispute.current_stage
    if dispute.status != DisputeStatus.ESCALATING or stage is None:
        return NOT_ESCALATING
    if not user.has_role(stage.answering_role):
        return "This stage is answered by someone in a different role"
    if stage.answered:
        return (f"This stage was answered on {format_date(stage.responded_at)}: it is not "
                "resolved, and the referrer can escalate it")
    return independence_conflict(dispute, user, stage)


def respond(dispute, actor, response, next_step=NextStep.UNRESOLVED, outcome=None, note=None,
            on=None):
    """The answer at the current stage, with its reasons; the referrer is told. Settling needs
    the decision now (`outcome`) and what the referrer is told (`note`). Not resolved: on the
    escalation route the referrer chooses whether to escalate (rule 3); on the urgent route the
    next stage opens at once, or the dispute goes to an extraordinary panel (rule 17). Returns
    the stage answered."""
    enforce(why_not_answer(actor, dispute), "response")
    stage = dispute.current_stage
    stage.response = response.strip()
    stage.responded_by_id = actor.id
    stage.responded_at = utcnow()
    audit.record("stage_answered", dispute, actor=actor, stage=stage.position)
    notices.stage_answered(dispute, stage)
    if next_step == NextStep.SETTLE:
        settle(dispute, actor, outcome, note, on)
    elif next_step == NextStep.REFERRER_ACCEPTS:
        propose_settlement(dispute, actor, outcome, note, on)
    elif dispute.immediate_risk:
        move_on(dispute, stage, StageOutcome.UNRESOLVED, actor, on or today())
    return stage


def unresolved_means(dispute):
    """What answering "not resolved" at the current stage leads to, in words."""
    if not dispute.immediate_risk:
        return "the referrer can escalate it to the next stage"
    stages = route_stages(dispute)
    position = dispute.current_stage.position
    if position >= len(stages):
        return ("it goes at once to an extraordinary panel, which must sit within "
                f"{URGENT_PANEL_WITHIN} working days")
    following = stages[position]
    return f"it moves on at once to stage {following.position} ({following.name})"
