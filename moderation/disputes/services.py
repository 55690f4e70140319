"""Disputes and their escalation: the only home of the stage clock and the escalation rules.

Rules (DESIGN.md §4): a dispute's first stage opens the day it is raised, each stage is due its
opening date plus its working days (rule 2); stages run in order, and skipping one needs the
immediate-risk flag or a recorded reason; immediate-risk disputes run on the policy's urgent
route, each stage due the same working day (rules 3 and 14); a dispute can be settled at any
stage, and one still unresolved after the last stage joins the panel queue (rule 4), which is
ordered by rule 5. An urgent one that ends its route unresolved needs a panel within two working
days, never the monthly one. On the urgent route nothing waits for a person to come back (rule
17): a stage answered "not resolved" moves on at once, and one not answered by the end of the
office day (the policy's urgent due time) moves on within 15 minutes (move_on_urgent_stages, run
by the scheduler). Who is told of each step is notifications/notices.py's rule.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from moderation.calendar import (
    OFFICE_OPENS,
    UK,
    add_working_days,
    next_working_day,
    region,
    today,
    urgent_due_at,
    working_days_between,
)
from moderation.disputes import child_identifiers, children
from moderation.extensions import db
from moderation.models import (
    Action,
    AgendaItem,
    Classification,
    Dispute,
    DisputeAddition,
    DisputeConcern,
    DisputeStage,
    DisputeStatus,
    EscalationPolicy,
    Intent,
    NextStep,
    PanelDecision,
    PanelSession,
    PolicyStage,
    Role,
    Route,
    SessionStatus,
    SettlementReply,
    StageOutcome,
    ToldHow,
    User,
    UserRole,
)
from moderation.models.types import utcnow
from moderation.notifications import notices
from moderation.web import audit
from moderation.web.boundary import Refusal
from moderation.web.formatting import format_date, format_datetime
from moderation.web.words import count, number_agrees, stage_called

REPEAT_WINDOW = timedelta(days=365)


# The escalation policy -------------------------------------------------------------------------


def current_policy():
    return db.session.scalar(select(EscalationPolicy).order_by(EscalationPolicy.id).limit(1))


def update_policy(actor, urgent_contact, stages, route=Route.STANDARD):
    """Replace one route's stages. Running stages keep the terms they opened with."""
    if not stages:
        raise Refusal("Add at least one escalation stage", "stages")
    policy = current_policy()
    route_stages = policy.route(route)
    before = [stage_terms(stage) for stage in route_stages]
    route_stages.clear()
    db.session.flush()  # old positions go before new ones take them (a unique constraint)
    route_stages.extend(
        PolicyStage(route=Route(route).value, position=number,
                    **{**terms, "working_days": 0 if route == Route.URGENT
                       else terms["working_days"]})
        for number, terms in enumerate(stages, start=1))
    policy.urgent_contact = urgent_contact.strip()
    _updated(policy, actor)
    audit.record("policy_updated", policy, route=Route(route).value, before=before, after=stages)
    return policy


def update_urgent_contact(actor, instructions, user_id):
    """What a referrer is told to do now, and the named person told of every urgent dispute."""
    policy = current_policy()
    if user_id not in {user.id for user in urgent_contact_candidates()}:
        raise Refusal("Select the person told at once of every urgent dispute",
                      "urgent_contact_user_id")
    policy.urgent_contact = instructions.strip()
    policy.urgent_contact_user_id = user_id
    _updated(policy, actor)
    audit.record("urgent_contact_updated", policy, user=user_id)


TIME_LIMITS = ("settlement_reply_days", "csc_action_days", "minutes_comment_days")
# Urgent stages are due within the scheduler's 15-minute runs (scheduling/jobs.py, 08:00-19:45).
URGENT_DUE_TIMES = (time(12, 0), time(19, 0))


def update_time_limits(actor, settlement_reply_days, csc_action_days, minutes_comment_days=None,
                       urgent_due_time=None):
    """The policy's other time limits, in working days (1 to 30 each), and the time of day
    urgent stages are due (12:00 to 19:00)."""
    policy = current_policy()
    limits = {"settlement_reply_days": settlement_reply_days, "csc_action_days": csc_action_days,
              "minutes_comment_days": minutes_comment_days or policy.minutes_comment_days}
    for name, days in limits.items():
        if not 1 <= days <= 30:
            raise Refusal("The working days must be between 1 and 30", name)
        setattr(policy, name, days)
    due_time = urgent_due_time or policy.urgent_due_time
    if not URGENT_DUE_TIMES[0] <= due_time <= URGENT_DUE_TIMES[1]:
        raise Refusal("The time urgent stages are due must be between 12:00 and 19:00",
                      "urgent_due_time")
    policy.urgent_due_time = due_time
    _updated(policy, actor)
    audit.record("policy_time_limits_updated", policy, **limits,
                 urgent_due_time=due_time.strftime("%H:%M"))


def _updated(policy, actor):
    policy.updated_at = utcnow()
    policy.updated_by_id = actor.id


def urgent_contact_candidates():
    """Who can be the named urgent contact: active CSC managers and partnership managers."""
    return db.session.scalars(
        select(User).join(UserRole)
        .where(UserRole.role.in_([Role.CSC_MANAGER.value, Role.PARTNERSHIP_MANAGER.value]),
               User.active.is_(True))
        .order_by(User.name, User.id).distinct()).all()


def policy_terms(route=Route.STANDARD):
    """One route's stages as plain terms, ready to edit and pass to update_policy."""
    return [stage_terms(stage) for stage in current_policy().route(route)]


def stage_terms(stage):
    return {
        "name": stage.name,
        "who_acts": stage.who_acts,
        "answering_role": stage.answering_role,
        "working_days": stage.working_days,
        "independent": stage.independent,
    }


# Raising a dispute -----------------------------------------------------------------------------


@dataclass
class DisputeAnswers:
    """What a referrer tells us when they raise a dispute."""

    child_name: str
    child_dob: date | None
    referral_date: date
    referral_method: str
    referrer_intent: str
    concern_categories: list
    level_of_need: int
    referral_summary: str
    csc_decision_date: date
    told_recorded_as: str
    told_outcome: str
    dispute_type: str
    grounds: str
    immediate_risk: bool
    child_case_number: str | None = None
    # An unborn child has an expected date of delivery instead of a date of birth.
    child_expected_delivery_date: date | None = None
    told_decision_maker: str | None = None
    told_reasons: str | None = None
    extra: dict = field(default_factory=dict)


def check_dates(answers, on):
    """The child's rules (disputes/children.py) and the date rules of a dispute; returns
    {field: message} for each one broken, in the order the form asks them."""
    problems = _child_problems(answers, on)
    for name, label in (
        ("referral_date", "The date you sent the referral"),
        ("csc_decision_date", "The date CSC made the decision"),
    ):
        if getattr(answers, name) > on:
            problems[name] = f"{label} must be today or in the past"
    if "csc_decision_date" not in problems and answers.csc_decision_date < answers.referral_date:
        problems["csc_decision_date"] = (
            "The date CSC made the decision must be the same as or after the date you sent the "
            "referral"
        )
    # A referral about an unborn child is made before the birth: no order to keep.
    if answers.child_dob and "child_dob" not in problems and "referral_date" not in problems \
            and answers.referral_date < answers.child_dob:
        problems["referral_date"] = (
            "The date you sent the referral must be after the child's date of birth"
        )
    return problems


def _child_problems(answers, on):
    problems = {}
    named = children.name_problem(answers.child_name)
    if named:
        problems["child_name"] = named
    dob, due = answers.child_dob, answers.child_expected_delivery_date
    if dob is None and due is None:
        problems["child_dob"] = "Enter the child's date of birth"
    elif dob is not None and due is not None:
        problems["child_expected_delivery_date"] = (
            "Enter the child's date of birth or the expected date of delivery, not both")
    elif dob is not None and (problem := children.dob_problem(dob, on)):
        problems["child_dob"] = problem
    elif due is not None and (problem := children.due_problem(due, on)):
        problems["child_expected_delivery_date"] = problem
    return problems


def raise_dispute(referrer, answers, on=None):
    """Record a referrer's dispute, open its first stage and start the clock."""
    on = on or today()
    problems = check_dates(answers, on)
    if problems:
        name, message = next(iter(problems.items()))
        raise Refusal(message, name)
    dispute = Dispute(
        raised_on=on,
        referrer_id=referrer.id,
        referring_agency_id=referrer.agency_id,
        child_name=answers.child_name.strip(),
        child_name_key=name_key(answers.child_name),
        child_dob=answers.child_dob,
        child_expected_delivery_date=answers.child_expected_delivery_date,
        child_case_number=(answers.child_case_number or "").strip() or None,
        child_name_pair=child_identifiers.name_pair(answers.child_name),
        child_case_key=child_identifiers.case_key(answers.child_case_number),
        referral_date=answers.referral_date,
        referral_method=answers.referral_method,
        referrer_intent=answers.referrer_intent,
        level_of_need=int(answers.level_of_need),
        referral_summary=answers.referral_summary.strip(),
        csc_decision_date=answers.csc_decision_date,
        told_recorded_as=answers.told_recorded_as,
        told_outcome=answers.told_outcome,
        told_decision_maker=(answers.told_decision_maker or "").strip() or None,
        told_reasons=(answers.told_reasons or "").strip() or None,
        dispute_type=answers.dispute_type,
        grounds=answers.grounds.strip(),
        immediate_risk=bool(answers.immediate_risk),
        concerns=[DisputeConcern(category=c) for c in sorted(set(answers.concern_categories))],
    )
    dispute.repeat_of = find_earlier_dispute(
        dispute.child_name_key, dispute.child_dob, dispute.child_case_key, on,
        due=dispute.child_expected_delivery_date,
    )
    db.session.add(dispute)
    db.session.flush()
    dispute.reference = f"D-{on.year}-{dispute.id:04d}"
    _open_stage(dispute, route_stages(dispute)[0], on, referrer)
    audit.record("dispute_raised", dispute, actor=referrer, urgent=dispute.immediate_risk)
    notices.dispute_raised(dispute)
    return dispute


def route_stages(dispute):
    """The policy's stages for the route the dispute runs on (urgent for immediate risk)."""
    return current_policy().route(dispute.route)


def name_key(name):
    # Lower case can be longer than the name typed ("İ" is two characters): cut to the column.
    return " ".join(name.lower().split())[:Dispute.__table__.c.child_name_key.type.length]


# An unborn child's expected date moves as scans date the pregnancy: the same name with an
# expected date this near is the same child.
DUE_DATE_DRIFT = timedelta(weeks=6)


def find_earlier_dispute(child_name_key, child_dob, case_key, on, due=None):
    """The most recent dispute about the same child in the 12 months before `on`, if any: the
    same name and date of birth, or the same case number however it was typed. An unborn child
    (`due`, the expected date of delivery, instead of a date of birth) has no date of birth to
    match: the same name ("Unborn Carter") with an expected date within six weeks of `due`. A
    child born since may have been disputed before the birth, never recorded: an unborn child
    of the same surname due within six weeks of the birth is the same child (a sibling cannot
    be born that near)."""
    if due is None:
        same_child = and_(Dispute.child_name_key == child_name_key,
                          Dispute.child_dob == child_dob)
    else:
        same_child = and_(Dispute.child_name_key == child_name_key, _due_near(due))
    if case_key:
        same_child = or_(same_child, Dispute.child_case_key == case_key)
    in_window = (Dispute.raised_on >= on - REPEAT_WINDOW, Dispute.raised_on <= on)
    latest = (Dispute.raised_on.desc(), Dispute.id.desc())
    found = db.session.scalar(select(Dispute).where(same_child, *in_window)
                              .order_by(*latest).limit(1))
    if due is not None or child_dob is None:
        return found
    surname = _surname_of(child_name_key)
    before_birth = next((d for d in db.session.scalars(
        select(Dispute).where(_due_near(child_dob), *in_window).order_by(*latest))
        if _surname_of(d.child_name_key) == surname), None)
    candidates = [d for d in (found, before_birth) if d is not None]
    return max(candidates, key=lambda d: (d.raised_on, d.id), default=None)


def _due_near(day):
    return Dispute.child_expected_delivery_date.between(day - DUE_DATE_DRIFT,
                                                        day + DUE_DATE_DRIFT)


def _surname_of(name_key):
    words = (name_key or "").split()
    return words[-1] if words else None


# Recording a birth -----------------------------------------------------------------------------


def record_birth(dispute, actor, child_name, child_dob, on=None):
    """The unborn child of `dispute` has been born: their name and date of birth replace the
    name given before the birth ("Unborn Carter") and the expected date of delivery. The
    dispute keeps its reference and its repeat link; the keys the child is found by follow the
    new name. Audited without the child's details (the audit log outlives anonymisation)."""
    on = on or today()
    name = (child_name or "").strip()
    if not name:
        raise Refusal("Enter the child's full name", "child_name")
    if problem := children.name_problem(name):
        raise Refusal(problem, "child_name")
    if child_dob is None:
        raise Refusal("Enter the date of birth", "child_dob")
    if problem := children.birth_problem(child_dob, dispute.child_expected_delivery_date, on):
        raise Refusal(problem, "child_dob")
    renamed = name != dispute.child_name
    dispute.child_name, dispute.child_name_key = name, name_key(name)
    dispute.child_name_pair = child_identifiers.name_pair(name)
    dispute.child_dob, dispute.child_expected_delivery_date = child_dob, None
    audit.record("child_birth_recorded", dispute, actor=actor, before={"unborn": True},
                 after={"unborn": False}, name_changed=renamed)


# Stages and their clocks -----------------------------------------------------------------------


def due_date(opened_on, working_days, urgent):
    """Rule 2, with rule 3's same-working-day clock for immediate risk."""
    if urgent:
        return next_working_day(opened_on, region())
    return add_working_days(opened_on, working_days, region())


def _opening_moment(on):
    """When a stage dated `on` opens: now, or for a stage dated another day (the demo's past,
    a stage recorded late) the start of that day's office hours."""
    if on == today():
        return utcnow()
    return datetime.combine(on, OFFICE_OPENS, tzinfo=UK)


def _urgent_due(stage, moment):
    """An urgent stage (or a referrer's reply to an urgent settlement) is due at the end of the
    office day (rule 17)."""
    stage.due_at = urgent_due_at(moment, current_policy().urgent_due_time, region())
    stage.due_on = stage.due_at.astimezone(UK).date()


def _open_stage(dispute, policy_stage, on, actor):
    stage = DisputeStage(
        position=policy_stage.position,
        name=policy_stage.name,
        answering_role=policy_stage.answering_role,
        working_days=policy_stage.working_days,
        independent=policy_stage.independent,
        opened_on=on,
        opened_at=utcnow(),
        due_on=due_date(on, policy_stage.working_days, dispute.immediate_risk),
        opened_by_id=actor.id if actor else None,
    )
    if dispute.immediate_risk:
        _urgent_due(stage, _opening_moment(on))
    dispute.stages.append(stage)
    return stage


def _close(stage, on, outcome):
    stage.closed_on = on
    stage.closed_at = utcnow()
    stage.outcome = outcome


@dataclass(frozen=True)
class Clock:
    """How a stage stands against its due date, in working days."""

    due_on: date
    days: int  # working days left; negative when overdue

    @property
    def overdue(self):
        return self.days < 0

    @property
    def label(self):
        if self.days < 0:
            return f"Overdue by {_days(-self.days)}"
        if self.days == 0:
            return "Due today"
        return f"{_days(self.days)} left"

    @property
    def tag_class(self):
        if self.days < 0:
            return "govuk-tag--red"
        return "govuk-tag--orange" if self.days <= 1 else "govuk-tag--blue"


def _days(n):
    return count(n, "working day")


def clock(stage, on=None):
    on = on or today()
    if stage.due_on >= on:
        return Clock(stage.due_on, working_days_between(on, stage.due_on, region()))
    return Clock(stage.due_on, -working_days_between(stage.due_on, on, region()))


# The CSC side ----------------------------------------------------------------------------------


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
    _require_open(dispute)
    problems = check_csc_record(dispute, record, csc_managers(), on or today())
    if problems:
        name, message = next(iter(problems.items()))
        raise Refusal(message, name)
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


def check_can_answer(dispute, actor):
    """Rule: only the stage's answering role, once, and never at an independent second
    screening someone who made, authorised or already answered the decision
    (independence_conflict)."""
    stage = _require_open(dispute)
    if not actor.has_role(stage.answering_role):
        raise Refusal("This stage is answered by someone in a different role")
    if stage.answered:
        raise Refusal(f"This stage was answered on {format_date(stage.responded_at)}: it is not "
                      "resolved, and the referrer can escalate it", "response")
    conflict = independence_conflict(dispute, actor, stage)
    if conflict:
        raise Refusal(conflict, "response")
    return stage


def respond(dispute, actor, response, next_step=NextStep.UNRESOLVED, outcome=None, note=None,
            on=None):
    """The answer at the current stage, with its reasons; the referrer is told. Settling needs
    the decision now (`outcome`) and what the referrer is told (`note`). Not resolved: on the
    escalation route the referrer chooses whether to escalate (rule 3); on the urgent route the
    next stage opens at once, or the dispute goes to an extraordinary panel (rule 17). Returns
    the stage answered."""
    stage = check_can_answer(dispute, actor)
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
        _move_on(dispute, stage, StageOutcome.UNRESOLVED, actor, on or today())
    return stage


def why_cannot_answer(dispute, actor):
    """Why `actor` cannot answer the dispute's current stage now, or None (check_can_answer)."""
    try:
        check_can_answer(dispute, actor)
    except Refusal as refusal:
        return refusal.message
    return None


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


def settlement_reply_due(dispute):
    """By when the referrer must answer a settlement, in words: a time on the urgent route."""
    stage = dispute.current_stage
    if dispute.immediate_risk and stage is not None and stage.due_at is not None:
        return format_datetime(stage.due_at)
    return format_date(dispute.settlement_reply_due_on)


def _move_on(dispute, stage, outcome, actor, on):
    """Rule 17: close the urgent stage and open the next one at once, telling whoever answers
    it (or, after the last, send the dispute to an extraordinary panel)."""
    _close(stage, on, outcome)
    return _advance(dispute, stage.position + 1, actor, on,
                    lapsed=outcome == StageOutcome.LAPSED)


def settle(dispute, actor, outcome, note, on=None):
    """Settle the dispute before panel on a revised decision: the referrer is told."""
    stage = _require_open(dispute)
    on = on or today()
    _close(stage, on, StageOutcome.SETTLED)
    _record_settlement(dispute, outcome, note)
    _settled(dispute, on)
    audit.record("dispute_settled", dispute, actor=actor, stage=stage.position, outcome=outcome)
    return dispute


def propose_settlement(dispute, actor, outcome, note, on=None):
    """Settle on "the referrer accepts CSC's explanation": the referrer confirms or declines on
    their dispute page within the policy's working days; the stage stays open until then."""
    stage = _require_open(dispute)
    on = on or today()
    _record_settlement(dispute, outcome, note)
    dispute.status = DisputeStatus.AWAITING_REFERRER
    dispute.settlement_reply = None
    if dispute.immediate_risk:  # the reply is due as an urgent stage is (rule 17)
        _urgent_due(stage, utcnow())
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


def reply_to_settlement(dispute, actor, confirmed, on=None):
    """The referrer confirms the settlement (the dispute is settled) or declines it (the
    dispute returns to its stage, where they can escalate)."""
    if dispute.status != DisputeStatus.AWAITING_REFERRER:
        raise Refusal("This settlement has already been answered", "reply")
    on = on or today()
    stage = dispute.current_stage
    dispute.settlement_replied_at = utcnow()
    if confirmed:
        dispute.settlement_reply = SettlementReply.CONFIRMED
        _close(stage, on, StageOutcome.SETTLED)
        _settled(dispute, on)
    else:
        dispute.settlement_reply = SettlementReply.DECLINED
        dispute.status = DisputeStatus.ESCALATING
        notices.settlement_declined(dispute, stage)
    dispute.settlement_reply_due_on = None
    audit.record("settlement_answered", dispute, actor=actor, reply=dispute.settlement_reply)
    if not confirmed and dispute.immediate_risk:
        _move_on(dispute, stage, StageOutcome.UNRESOLVED, actor, on)
    return dispute


def settlement_unanswered(dispute, on):
    """No reply by the due date: recorded as not answered, and the dispute escalates to the
    next stage as if unresolved (by the scheduler)."""
    stage = dispute.current_stage
    dispute.status = DisputeStatus.ESCALATING
    dispute.settlement_reply = SettlementReply.NOT_ANSWERED
    dispute.settlement_reply_due_on = None
    _close(stage, on, StageOutcome.SETTLEMENT_NOT_ANSWERED)
    audit.record("settlement_not_answered", dispute, actor=None, stage=stage.position)
    return _advance(dispute, stage.position + 1, None, on)


def last_stage_lapsed(dispute, on):
    """The last stage passed its due date with no response: the dispute joins the queue (by
    the scheduler), and the referrer and CSC are told."""
    _close(dispute.current_stage, on, StageOutcome.LAPSED)
    return _queue(dispute, None, on, lapsed=True)


# The referrer's side: their manager, and new information ---------------------------------------


def referrer_manager_candidates(dispute):
    """Who the referrer can name as their manager: the active referrers of their own agency,
    other than the referrer (the manager reads the dispute's page as a referrer does)."""
    return db.session.scalars(
        select(User).where(User.agency_id == dispute.referring_agency_id, User.active.is_(True),
                           User.id != dispute.referrer_id,
                           User.role_links.any(role=Role.REFERRER))
        .order_by(User.name, User.id)).all()


def name_referrer_manager(dispute, actor, manager_id):
    """The referrer names their manager, who may then read the dispute and add information to
    it (but not escalate it or answer a settlement). Only someone of their own agency."""
    if actor.id != dispute.referrer_id:
        raise Refusal("Only the referrer who raised the dispute can name their manager",
                      "referrer_manager_id")
    if manager_id not in {user.id for user in referrer_manager_candidates(dispute)}:
        raise Refusal("Select your manager from the people in your own agency",
                      "referrer_manager_id")
    if dispute.referrer_manager_id != manager_id:
        dispute.referrer_manager_id = manager_id
        audit.record("referrer_manager_named", dispute, actor=actor, manager=manager_id)
        notices.manager_named(dispute)


def add_information(dispute, actor, text):
    """New information from the referrer (or their named manager) for the next stage or the
    panel: dated, and marked new in the papers. Refused once the papers are fixed (the agenda
    of the meeting that will hear it is frozen) or the dispute is closed."""
    if not papers_open(dispute):
        raise Refusal(papers_closed_reason(dispute), "text")
    if not (text or "").strip():
        raise Refusal("Enter the new information", "text")
    stage = dispute.current_stage
    addition = DisputeAddition(dispute_id=dispute.id, author_id=actor.id, text=text.strip(),
                               stage_position=stage.position if stage else None)
    db.session.add(addition)
    db.session.flush()
    audit.record("information_added", dispute, actor=actor, addition=addition.id,
                 stage=addition.stage_position)
    return addition


def papers_closed_reason(dispute):
    """Why nothing more can be added to the dispute's papers."""
    if dispute.closed:
        return "This dispute is closed, so no new information can be added to it"
    return ("The panel's papers are fixed: the agenda of the meeting that will hear this dispute "
            "is frozen, so no new information can be added")


def additions_on(dispute):
    """The referrer's additions to a dispute, oldest first, each with its author."""
    return db.session.scalars(
        select(DisputeAddition).where(DisputeAddition.dispute_id == dispute.id)
        .options(joinedload(DisputeAddition.author))
        .order_by(DisputeAddition.added_at, DisputeAddition.id)).all()


# Escalating ------------------------------------------------------------------------------------


def can_escalate(dispute, on=None):
    """A stage can be escalated once CSC has answered it, when it is overdue, or when urgent."""
    stage = dispute.current_stage
    if stage is None or dispute.status != DisputeStatus.ESCALATING:
        return False
    return bool(stage.response) or dispute.immediate_risk or clock(stage, on).overdue


def escalate(dispute, actor, to_position=None, skip_reason=None, on=None):
    """Close the current stage unresolved and open the next (or a later one, rule 3).

    When the last stage ends unresolved, the dispute joins the panel queue (rule 4).
    """
    stage = _require_open(dispute)
    on = on or today()
    if not can_escalate(dispute, on):
        raise Refusal(
            "You can escalate once CSC has answered this stage or its due date has passed"
        )
    stages = route_stages(dispute)
    next_position = stage.position + 1
    to_position = to_position or next_position
    if to_position < next_position or to_position > len(stages) + 1:
        raise Refusal("Choose a later stage", "to_position")
    skipping = to_position > next_position
    if skipping and not dispute.immediate_risk and not (skip_reason or "").strip():
        raise Refusal("Give the reason for skipping a stage", "skip_reason")
    _close(stage, on, StageOutcome.UNRESOLVED)
    for skipped in stages[next_position - 1:to_position - 1]:
        _skip_stage(dispute, skipped, on, actor, skip_reason)
    return _advance(dispute, to_position, actor, on, skipped=to_position - next_position)


def _advance(dispute, to_position, actor, on, skipped=0, lapsed=False):
    """Open the stage at `to_position`, telling whoever answers it, or queue the dispute when
    there is none (`lapsed`: because the last stage ran out)."""
    stages = route_stages(dispute)
    if to_position > len(stages):
        return _queue(dispute, actor, on, lapsed)
    opened = _open_stage(dispute, stages[to_position - 1], on, actor)
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
    stage = _open_stage(dispute, policy_stage, on, actor)
    _close(stage, on, StageOutcome.SKIPPED)
    stage.skip_reason = (reason or "").strip() or "Immediate risk of significant harm"


def _queue(dispute, actor, on, lapsed=False):
    """Rule 4: unresolved after the last stage, the dispute waits for the panel. An urgent one
    needs a panel within two working days: the chairs and partnership managers hear at once."""
    dispute.status = DisputeStatus.QUEUED
    dispute.queued_on = on
    audit.record("dispute_queued", dispute, actor=actor, lapsed=lapsed)
    notices.queued(dispute, lapsed)
    if dispute.immediate_risk:
        notices.urgent_panel_needed(dispute, urgent_panel_needed_by(on))
    return dispute


URGENT_PANEL_WITHIN = 2  # working days (rules 14 and 17)


def urgent_panel_needed_by(since):
    """The day by which a panel must sit for an urgent dispute that joined the queue, or was
    deferred by a panel, on `since` (disputes/urgent_panel.py keeps the rest of that rule)."""
    return add_working_days(since, URGENT_PANEL_WITHIN, region())


def _require_open(dispute):
    stage = dispute.current_stage
    if dispute.status != DisputeStatus.ESCALATING or stage is None:
        raise Refusal("This dispute is no longer in escalation")
    return stage


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
            _move_on(dispute, dispute.current_stage, StageOutcome.LAPSED, None, on)
    return len(due)


def _locked(statement):
    return db.session.scalars(statement.options(selectinload(Dispute.stages))
                              .with_for_update(skip_locked=True, of=Dispute)).unique().all()


def raised_since(start, end):
    """How many disputes, not urgent (those are told at once), were raised from `start` up to
    the day before `end`: the CSC managers' daily digest."""
    return db.session.scalar(select(func.count(Dispute.id)).where(
        Dispute.raised_on >= start, Dispute.raised_on < end, Dispute.immediate_risk.is_(False)))


# Urgent disputes -------------------------------------------------------------------------------


def hours_since_raised(dispute, now=None):
    """Whole hours since an urgent dispute was raised (the clock the CSC list shows)."""
    return int(((now or utcnow()) - dispute.raised_at).total_seconds() // 3600)


def who_was_told(dispute):
    """Who was told of an urgent dispute at once, and when."""
    return notices.who_was_told(notices.urgent_key(dispute))


def actions_on(dispute):
    """The action CSC owes after the panel overturned its decision, and whether it was done."""
    return db.session.scalars(
        select(Action).join(AgendaItem, Action.agenda_item_id == AgendaItem.id)
        .where(AgendaItem.dispute_id == dispute.id, Action.owner_role.is_not(None))
        .order_by(Action.due_on, Action.id)).all()


# The papers ------------------------------------------------------------------------------------

# A session's agenda is open to its panel (and its papers fixed) from the freeze on.
NOT_FROZEN = (SessionStatus.SCHEDULED.value, SessionStatus.CANCELLED.value)
# Information and documents can be added while the dispute escalates or waits for panel.
PAPERS_GROW = (DisputeStatus.ESCALATING, DisputeStatus.AWAITING_REFERRER, DisputeStatus.QUEUED)


def _frozen_items(dispute, still_to_decide):
    items = (select(AgendaItem.id).join(PanelSession, AgendaItem.session_id == PanelSession.id)
             .where(AgendaItem.dispute_id == dispute.id, PanelSession.status.not_in(NOT_FROZEN)))
    if still_to_decide:
        items = items.where(AgendaItem.deferred.is_(False))
    return db.session.scalar(items.limit(1)) is not None


def papers_open(dispute):
    """Whether new information and documents can be added: while the dispute escalates or
    waits for panel, until an agenda it is on is frozen (a deferral opens them again)."""
    return dispute.status in PAPERS_GROW and not _frozen_items(dispute, still_to_decide=True)


def papers_decided_on(dispute):
    """Whether a panel has had the papers: once on a frozen agenda, or once the dispute is
    closed, a document stays (the panel decided on it) and can no longer be withdrawn."""
    return dispute.closed or _frozen_items(dispute, still_to_decide=False)


def child_shown(dispute):
    """The child as a list or the papers show them: their initials, or "Anonymised" once the
    retention schedule has removed their details (rule 15), never a blank."""
    return "Anonymised" if dispute.anonymised else dispute.child_initials


# Contact or referral ---------------------------------------------------------------------------


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


# Lists -----------------------------------------------------------------------------------------

# A list of disputes shows each one's referring agency and its current stage with its clock.
LISTED = (joinedload(Dispute.referring_agency), selectinload(Dispute.stages))

# One dispute in full (its page, and the panel's papers): who raised it and for which agency,
# CSC's decision maker, the concerns, and each stage with who opened and who answered it.
DETAIL = (
    joinedload(Dispute.referring_agency),
    joinedload(Dispute.referrer),
    joinedload(Dispute.csc_decision_maker),
    joinedload(Dispute.csc_authorising_manager),
    joinedload(Dispute.repeat_of),
    selectinload(Dispute.concerns),
    selectinload(Dispute.stages).options(joinedload(DisputeStage.opened_by),
                                         joinedload(DisputeStage.responded_by)),
)


def referrers_disputes(user):
    return _newest_first(Dispute.referrer_id == user.id)


def managed_disputes(user):
    """The disputes whose referrers named `user` as their manager."""
    return _newest_first(Dispute.referrer_manager_id == user.id)


def _newest_first(condition):
    return db.session.scalars(
        select(Dispute).where(condition).options(*LISTED)
        .order_by(Dispute.raised_on.desc(), Dispute.id.desc())
    ).all()


def csc_worklist():
    """Disputes waiting for CSC at their current stage: urgent first, then most overdue. Each
    urgent one carries who has been told of it (`told`), read in one query for the list."""
    open_stage = (
        select(DisputeStage)
        .where(DisputeStage.closed_on.is_(None), DisputeStage.answering_role == Role.CSC_MANAGER)
        .subquery()
    )
    disputes = db.session.execute(
        select(Dispute)
        .join(open_stage, open_stage.c.dispute_id == Dispute.id)
        .where(Dispute.status == DisputeStatus.ESCALATING)
        .options(*LISTED)
        .order_by(Dispute.immediate_risk.desc(), open_stage.c.due_on, Dispute.id)
    ).scalars().all()
    return with_told(disputes)


def with_told(disputes):
    """The disputes, each urgent one carrying who has been told of it (`told`), read in one
    query for the list."""
    urgent = [dispute for dispute in disputes if dispute.immediate_risk]
    told = notices.told_of_each({notices.urgent_key(d): d for d in urgent})
    for dispute in urgent:
        dispute.told = told[notices.urgent_key(dispute)]
    return disputes


def queue_order():
    """Rule 5: immediate risk first, then the level of need claimed, then the oldest decision."""
    return (
        Dispute.immediate_risk.desc(),
        Dispute.level_of_need.desc(),
        Dispute.csc_decision_date,
        Dispute.id,
    )


# The dispute page shows each of the panel's decisions with its learning themes.
DECISIONS = (selectinload(PanelDecision.themes),)


def decisions_on(dispute):
    """The panel's decisions on a dispute, oldest first (a deferral, then the outcome)."""
    return db.session.scalars(
        select(PanelDecision).where(PanelDecision.dispute_id == dispute.id)
        .options(*DECISIONS)
        .order_by(PanelDecision.recorded_at, PanelDecision.id)
    ).all()


def count_by_status():
    statuses = select(Dispute.status, func.count(Dispute.id)).group_by(Dispute.status)
    return dict(db.session.execute(statuses).all())
