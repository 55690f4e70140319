"""The escalation rules: stage clocks, order and skipping, settling, queueing, urgent routing,
second screening, contact/referral mismatch and repeat detection (DESIGN.md §4 rules 1-5)."""

from datetime import date

import pytest
import sqlalchemy as sa

from moderation.disputes import (
    clock,
    escalating,
    in_words,
    policy,
    queries,
    raising,
    responding,
    settling,
)
from moderation.models import AuditEvent, Dispute, User
from moderation.web.boundary import Refusal
from moderation.web.permissions import can
from tests.conftest import csc_record, dispute_answers

MONDAY = date(2026, 11, 23)


@pytest.fixture
def ctx(app, db):
    """An app context for service tests (no test client is used alongside it)."""
    with app.app_context():
        yield db.session


def user(session, record):
    return session.get(User, record.id)


def raise_one(session, referrer, on=MONDAY, **changes):
    dispute = raising.raise_dispute(user(session, referrer), dispute_answers(**changes), on=on)
    session.flush()
    return dispute


@pytest.fixture
def referrer(make_user):
    return make_user("referrer")


@pytest.fixture
def csc(make_user):
    return make_user("csc_manager")


def test_raising_a_dispute_opens_stage_one_with_its_due_date(ctx, referrer):
    dispute = raise_one(ctx, referrer, on=date(2026, 11, 27))  # a Friday
    assert dispute.reference == f"D-2026-{dispute.id:04d}"
    (stage,) = dispute.stages
    assert (stage.position, stage.name) == (1, "Practitioner to practitioner")
    assert stage.opened_on == date(2026, 11, 27)
    assert stage.due_on == date(2026, 12, 1)  # two working days, over the weekend
    actions = ctx.scalars(sa.select(AuditEvent.action)).all()
    assert "dispute_raised" in actions


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"csc_decision_date": date(2026, 11, 24)}, "csc_decision_date",
         "The date CSC made the decision must be today or in the past"),
        ({"referral_date": date(2026, 11, 5)}, "csc_decision_date",
         "The date CSC made the decision must be the same as or after the date you sent the "
         "referral"),
        ({"child_dob": date(2027, 1, 1)}, "child_dob",
         "The child's date of birth must be today or in the past"),
    ],
)
def test_impossible_dates_are_refused(ctx, referrer, changes, field, message):
    with pytest.raises(Refusal, match=message) as error:
        raise_one(ctx, referrer, **changes)
    assert error.value.field == field
    assert ctx.scalar(sa.select(sa.func.count(Dispute.id))) == 0


def test_immediate_risk_is_due_the_same_working_day(ctx, referrer):
    weekday = raise_one(ctx, referrer, on=MONDAY, immediate_risk=True)
    assert weekday.stages[0].due_on == MONDAY
    saturday = raise_one(ctx, referrer, on=date(2026, 11, 28), immediate_risk=True)
    assert saturday.stages[0].due_on == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("on", "label", "overdue"),
    [
        (date(2026, 11, 23), "2 working days left", False),
        (date(2026, 11, 24), "1 working day left", False),
        (date(2026, 11, 25), "Due today", False),
        (date(2026, 11, 28), "Overdue by 2 working days", True),  # Thu, Fri; Saturday not counted
    ],
)
def test_the_stage_clock_counts_working_days(ctx, referrer, on, label, overdue):
    stage = raise_one(ctx, referrer).stages[0]
    stage_clock = clock.clock(stage, on)
    assert (stage_clock.label, stage_clock.overdue) == (label, overdue)


def test_a_stage_cannot_be_escalated_before_csc_answers_or_it_falls_due(ctx, referrer):
    dispute = raise_one(ctx, referrer)
    with pytest.raises(Refusal, match="once CSC has answered"):
        escalating.escalate(dispute, user(ctx, referrer), on=MONDAY)


def test_stages_run_in_order_each_with_its_own_clock(ctx, referrer, csc):
    dispute = raise_one(ctx, referrer)
    responding.respond(dispute, user(ctx, csc), "Threshold not met: universal services are enough.")
    escalating.escalate(dispute, user(ctx, referrer), on=date(2026, 11, 24))
    first, second = dispute.stages
    assert (first.outcome, first.closed_on) == ("unresolved", date(2026, 11, 24))
    assert (second.position, second.opened_on, second.due_on) == (
        2, date(2026, 11, 24), date(2026, 12, 1))


def test_an_overdue_stage_can_be_escalated_without_an_answer(ctx, referrer):
    dispute = raise_one(ctx, referrer)
    escalating.escalate(dispute, user(ctx, referrer), on=date(2026, 11, 26))
    assert dispute.current_stage.position == 2


def test_skipping_a_stage_needs_a_reason(ctx, referrer, csc):
    dispute = raise_one(ctx, referrer)
    responding.respond(dispute, user(ctx, csc), "No change.")
    with pytest.raises(Refusal, match="Give the reason for skipping a stage"):
        escalating.escalate(dispute, user(ctx, referrer), to_position=3, on=MONDAY)
    escalating.escalate(dispute, user(ctx, referrer), to_position=3,
                        skip_reason="The team manager is the decision maker.", on=MONDAY)
    assert [(s.position, s.outcome) for s in dispute.stages] == [
        (1, "unresolved"), (2, "skipped"), (3, None)]
    assert dispute.stages[1].skip_reason == "The team manager is the decision maker."


def test_immediate_risk_may_skip_straight_to_the_panel_queue(ctx, referrer):
    dispute = raise_one(ctx, referrer, immediate_risk=True)
    escalating.escalate(dispute, user(ctx, referrer), to_position=4, on=MONDAY)
    assert dispute.status == "queued"
    assert [s.outcome for s in dispute.stages] == ["unresolved", "skipped", "skipped"]


def test_an_unresolved_last_stage_joins_the_panel_queue(ctx, make_user, referrer, csc):
    screener = make_user("csc_manager")  # stage 3 is independent of whoever answered 1 and 2
    dispute = raise_one(ctx, referrer)
    for day, manager in ((24, csc), (25, csc), (26, screener)):
        responding.respond(dispute, user(ctx, manager), "Decision stands.")
        escalating.escalate(dispute, user(ctx, referrer), on=date(2026, 11, day))
    assert (dispute.status, dispute.queued_on) == ("queued", date(2026, 11, 26))
    assert dispute.current_stage is None
    with pytest.raises(Refusal, match="no longer in escalation"):
        escalating.escalate(dispute, user(ctx, referrer), on=date(2026, 11, 27))


def test_settling_ends_the_dispute_and_tells_the_referrer(ctx, referrer, csc):
    dispute = raise_one(ctx, referrer)
    settling.settle(dispute, user(ctx, csc), "child_and_family_assessment",
                    "On review the threshold for assessment is met.", on=MONDAY)
    assert dispute.status == "settled"
    assert dispute.stages[0].outcome == "settled"
    assert dispute.referrer_told_at is not None
    with pytest.raises(Refusal):
        responding.respond(dispute, user(ctx, csc), "Too late")


def test_the_original_decision_maker_cannot_answer_second_screening(make_user, referrer, csc,
                                                                    ctx):
    other = make_user("csc_manager")
    dispute = raise_one(ctx, referrer)
    responding.confirm_decision(dispute, user(ctx, csc), "contact", "no_further_action",
                                csc_record(decision_maker_id=csc.id))
    responding.respond(dispute, user(ctx, csc), "The decision stands.")
    escalating.escalate(dispute, user(ctx, referrer), to_position=3, skip_reason="Agreed",
                        on=MONDAY)
    with pytest.raises(Refusal, match="another CSC manager must answer"):
        responding.respond(dispute, user(ctx, csc), "I still think so.")
    responding.respond(dispute, user(ctx, other), "Screened again: threshold met.")
    assert dispute.current_stage.responded_by_id == other.id


def test_only_the_answering_role_can_answer(ctx, referrer):
    dispute = raise_one(ctx, referrer)
    with pytest.raises(Refusal, match="different role"):
        responding.respond(dispute, user(ctx, referrer), "I answer my own dispute")


def test_a_policy_change_applies_to_new_stages_only(make_user, referrer, ctx):
    manager = user(ctx, make_user("partnership_manager"))
    dispute = raise_one(ctx, referrer)
    terms = [policy.stage_terms(stage) for stage in policy.current_policy().stages]
    terms[0]["working_days"], terms[1]["working_days"] = 10, 10
    policy.update_policy(manager, "Call 01632 960 000", terms)
    assert dispute.stages[0].due_on == date(2026, 11, 25)  # still two working days
    escalating.escalate(dispute, user(ctx, referrer), on=date(2026, 11, 26))
    assert dispute.current_stage.due_on == date(2026, 12, 10)  # ten working days


@pytest.mark.parametrize(
    ("intent", "told", "corrected", "message"),
    [
        ("referral", "contact", None, "You made a referral; CSC recorded it as a contact"),
        ("referral", "contact", "referral", None),
        ("referral", "referral", None, None),
        ("information", "referral", None,
         "You shared information only; CSC recorded it as a referral"),
    ],
)
def test_contact_or_referral_mismatch(ctx, referrer, csc, intent, told, corrected, message):
    dispute = raise_one(ctx, referrer, referrer_intent=intent, told_recorded_as=told)
    if corrected:
        responding.confirm_decision(dispute, user(ctx, csc), corrected, "no_further_action",
                                    csc_record())
    assert in_words.mismatch(dispute) == message


def test_a_second_dispute_about_the_same_child_within_a_year_is_a_repeat(ctx, referrer):
    first = raise_one(ctx, referrer, on=date(2026, 2, 2), referral_date=date(2026, 1, 5),
                      csc_decision_date=date(2026, 1, 6))
    by_name = raise_one(ctx, referrer, child_name="  amelia   JONES ")
    assert by_name.repeat_of is first


def test_case_number_alone_identifies_a_repeat(ctx, referrer):
    first = raise_one(ctx, referrer, child_case_number="CSC-77812")
    again = raise_one(ctx, referrer, child_name="Amy Jones-Smith", child_case_number="CSC-77812")
    assert again.repeat_of is first


def test_a_dispute_over_a_year_ago_is_not_a_repeat(ctx, referrer):
    raise_one(ctx, referrer, on=date(2025, 11, 20), referral_date=date(2025, 11, 3),
              csc_decision_date=date(2025, 11, 4))
    assert raise_one(ctx, referrer).repeat_of is None


def test_a_different_child_is_not_a_repeat(ctx, referrer):
    raise_one(ctx, referrer)
    assert raise_one(ctx, referrer, child_dob=date(2019, 3, 14)).repeat_of is None


def test_the_panel_queue_follows_rule_five(ctx, referrer):
    def queued(reference_day, **changes):
        dispute = raise_one(ctx, referrer, **changes)
        escalating.escalate(dispute, user(ctx, referrer), to_position=4, skip_reason="test",
                            on=date(2026, 11, reference_day))
        return dispute

    old_level_3 = queued(26, level_of_need=3, csc_decision_date=date(2026, 11, 3))
    new_level_3 = queued(26, level_of_need=3, csc_decision_date=date(2026, 11, 4))
    level_4 = queued(26, level_of_need=4)
    urgent_level_2 = queued(23, level_of_need=2, immediate_risk=True)
    order = ctx.scalars(sa.select(Dispute).where(Dispute.status == "queued")
                        .order_by(*queries.queue_order())).all()
    assert order == [urgent_level_2, level_4, old_level_3, new_level_3]


def test_the_csc_list_puts_urgent_then_most_overdue_first(ctx, referrer):
    recent = raise_one(ctx, referrer, on=date(2026, 11, 20))
    older = raise_one(ctx, referrer, on=date(2026, 11, 16))
    urgent = raise_one(ctx, referrer, on=date(2026, 11, 23), immediate_risk=True)
    assert queries.csc_worklist() == [urgent, older, recent]


def test_need_to_know(make_user, make_member, referrer, ctx):
    people = {role: user(ctx, make_user(role)) for role in (
        "referrer", "csc_manager", "partnership_manager", "panel_member", "chair")}
    make_member(people["chair"], role="chair")
    former_chair = user(ctx, make_user("chair"))  # still holds the role; the seat has ended
    make_member(former_chair, role="chair", left_on=date(2026, 11, 1))
    dispute = raise_one(ctx, referrer)
    assert can(user(ctx, referrer), "dispute.read", dispute)
    assert not can(people["referrer"], "dispute.read", dispute)
    assert can(people["csc_manager"], "dispute.read", dispute)
    assert can(people["partnership_manager"], "dispute.read", dispute)
    assert not can(people["panel_member"], "dispute.read", dispute)
    chair = people["chair"]
    assert not can(chair, "dispute.read", dispute)
    escalating.escalate(dispute, user(ctx, referrer), to_position=4, skip_reason="x",
                        on=date(2026, 11, 26))
    assert can(chair, "dispute.read", dispute)
    assert not can(former_chair, "dispute.read", dispute)
