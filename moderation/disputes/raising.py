"""Raising a dispute, finding an earlier one about the same child, and recording a birth."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, or_, select

from moderation.calendar import today
from moderation.disputes import child_identifiers, children
from moderation.disputes.clock import open_stage
from moderation.disputes.policy import route_stages
from moderation.disputes.readers import may_read, on_the_referrers_side
from moderation.extensions import db
from moderation.models import Dispute, DisputeConcern, Role
from moderation.notifications import notices
from moderation.web import audit
from moderation.web.boundary import Refusal
from moderation.web.permissions import NOT_YOURS, enforce

REPEAT_WINDOW = timedelta(days=365)


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


def check_answers(answers, on=None):
    """Refuse the answers with every date rule they break at once (before the referrer checks
    them, and again when the dispute is raised)."""
    problems = check_dates(answers, on or today())
    if problems:
        raise Refusal(problems=problems)


def _child_problems(answers, on):
    problems = {}
    named = children.name_problem(answers.child_name)
    if named:
        problems["child_name"] = named
    # One date or the other is the form's to require (DateRequired(unless=...)).
    dob, due = answers.child_dob, answers.child_expected_delivery_date
    if dob is not None and due is not None:
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
    check_answers(answers, on)
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
    open_stage(dispute, route_stages(dispute)[0], on, referrer)
    audit.record("dispute_raised", dispute, actor=referrer, urgent=dispute.immediate_risk)
    notices.dispute_raised(dispute)
    return dispute


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


def why_not_record_birth(user, dispute):
    """Why `user` may not record the birth of the dispute's child, or None: NOT_YOURS unless
    they are on the referrer's side of it or a CSC manager who may read it; not once the child
    is born or their details are anonymised. Open or closed: the date of birth is what the
    retention schedule counts the child's age from."""
    theirs = (user.has_role(Role.REFERRER) and on_the_referrers_side(user, dispute)) or (
        user.has_role(Role.CSC_MANAGER) and may_read(user, dispute))
    if not theirs:
        return NOT_YOURS
    if dispute.anonymised:
        return "The child's details have been removed from this dispute"
    if not dispute.unborn:
        return "The child's birth has already been recorded"
    return None


def record_birth(dispute, actor, child_name, child_dob, on=None):
    """The unborn child of `dispute` has been born: their name and date of birth replace the
    name given before the birth ("Unborn Carter") and the expected date of delivery. The
    dispute keeps its reference and its repeat link; the keys the child is found by follow the
    new name. Audited without the child's details (the audit log outlives anonymisation). The
    form requires both answers; the rules of each are the child's (children.py)."""
    enforce(why_not_record_birth(actor, dispute), "child_dob")
    on = on or today()
    name = child_name.strip()
    problems = {}
    if problem := children.name_problem(name):
        problems["child_name"] = problem
    if problem := children.birth_problem(child_dob, dispute.child_expected_delivery_date, on):
        problems["child_dob"] = problem
    if problems:
        raise Refusal(problems=problems)
    renamed = name != dispute.child_name
    dispute.child_name, dispute.child_name_key = name, name_key(name)
    dispute.child_name_pair = child_identifiers.name_pair(name)
    dispute.child_dob, dispute.child_expected_delivery_date = child_dob, None
    audit.record("child_birth_recorded", dispute, actor=actor, before={"unborn": True},
                 after={"unborn": False}, name_changed=renamed)
