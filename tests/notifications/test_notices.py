"""Who hears what (notifications/notices.py), driven through the services that cause each event:
who gets the in-app notice and who does not, whether an email is queued, and whether the
recipient can switch that email off (rule 11: no email carries a case detail)."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from moderation.actions import services as actions
from moderation.disputes import escalating, papers, policy, queries, raising, responding, settling
from moderation.meeting import decisions, voting
from moderation.models import (
    Dispute,
    EmailMessage,
    EmailPreference,
    LearningTheme,
    Notification,
    PanelSession,
    User,
)
from moderation.notifications import notices
from moderation.notifications.kinds import KINDS, email_for
from moderation.notifications.services import set_preferences
from moderation.panels import agenda
from moderation.panels import services as sessions
from moderation.papers import guests
from moderation.scheduling import reminders
from moderation.web.boundary import Refusal
from tests.conftest import csc_record

MONDAY = date(2026, 11, 23)  # disputes are raised on Monday 23 November 2026
THURSDAY = date(2026, 11, 26)  # a first stage raised on Monday is overdue by Thursday
LONG_AFTER = date(2027, 2, 1)  # every stage opened in November has run out
UPHOLD, S17, DEFER = "upheld", "overturn_s17", "deferred"


# Reading what was told -------------------------------------------------------------------------


def told(db, event):
    """The ids of those told of one event in the app (`event`: the key up to the person, `%`
    standing for any text), in id order, once per notice."""
    return sorted(db.session.scalars(
        select(Notification.user_id).where(Notification.key.like(f"{event}:user-%"))))


def message(db, event, user):
    return db.session.scalars(select(Notification.message).where(
        Notification.key.like(f"{event}:user-{user.id}"))).one()


def emailed(db, kind):
    """The ids of those with an email of this kind in the outbox, in id order, once per email."""
    return sorted(db.session.scalars(select(EmailMessage.user_id).where(EmailMessage.kind == kind)))


def emails(db, kind):
    return db.session.scalars(select(EmailMessage).where(EmailMessage.kind == kind)).all()


def counts(db):
    return (db.session.scalar(select(func.count()).select_from(Notification)),
            db.session.scalar(select(func.count()).select_from(EmailMessage)))


def ids(*people):
    return sorted(person.id for person in people)


def get(db, person):
    return db.session.get(User, person.id)


def refuse(db, person, kind):
    """An email choice recorded as "not wanted" (the settings page never offers it for a
    required kind: this is the choice policy must override)."""
    db.session.merge(EmailPreference(user_id=person.id, kind=kind, wanted=False))


def wants_nothing_optional(db, person):
    set_preferences(get(db, person), wanted_kinds=set())


def raise_one(db, referrer, on=MONDAY, **changes):
    from tests.conftest import dispute_answers

    dispute = raising.raise_dispute(get(db, referrer), dispute_answers(**changes), on=on)
    db.session.flush()
    return dispute


def decide(db, m, item, outcome):
    """Every representative votes `outcome`; the chair closes voting and records the decision."""
    chair = get(db, m.chair)
    voting.open_voting(item, chair)
    for rep in m.reps.values():
        voting.cast_vote(item, get(db, rep), outcome, "The history shows it")
    voting.close_voting(item, chair)
    theme = db.session.scalars(select(LearningTheme).order_by(LearningTheme.position)).first()
    return decisions.record_decision(item, chair, rationale="The threshold was met.",
                                     feedback="The panel agreed with you.", theme_ids=[theme.id])


@pytest.fixture
def csc(make_user):
    """Two active CSC managers and one whose account is switched off."""
    return (make_user("csc_manager"), make_user("csc_manager"),
            make_user("csc_manager", active=False))


# A dispute is raised ---------------------------------------------------------------------------


def test_an_urgent_dispute_tells_the_urgent_contact_and_every_csc_manager_by_required_email(
        app, db, make_user, csc):
    contact, other_manager = make_user("partnership_manager"), make_user("partnership_manager")
    chair, referrer = make_user("chair"), make_user("referrer")
    first, second, inactive = csc
    with app.app_context():
        policy.update_urgent_contact(get(db, contact), "Ring the duty desk", contact.id)
        wants_nothing_optional(db, first)
        refuse(db, first, "urgent_dispute")
        dispute = raise_one(db, referrer, immediate_risk=True)
        db.session.commit()

        event = f"urgent-raised:dispute-{dispute.id}"
        assert told(db, event) == ids(contact, first, second)
        assert "URGENT" in message(db, event, first)
        assert dispute.reference in message(db, event, first)  # the app may name the case
        assert emailed(db, "urgent_dispute") == ids(contact, first, second)
        assert all(e.subject.startswith("Threshold moderation: URGENT")
                   for e in emails(db, "urgent_dispute"))
        assert told(db, "raised:%") == []  # not also the ordinary notice
        for outsider in (inactive, other_manager, chair, referrer):
            assert not db.session.scalars(
                select(Notification).where(Notification.user_id == outsider.id)).all()
        assert [name for name, _, _ in queries.who_was_told(dispute)] == sorted(
            get(db, person).name for person in (contact, first, second))


def test_an_urgent_contact_who_is_also_a_csc_manager_is_told_once(app, db, make_user, csc):
    first, second, _ = csc
    referrer = make_user("referrer")
    with app.app_context():
        policy.update_urgent_contact(get(db, first), "Ring the duty desk", first.id)
        dispute = raise_one(db, referrer, immediate_risk=True)
        db.session.commit()
        assert told(db, f"urgent-raised:dispute-{dispute.id}") == ids(first, second)
        assert emailed(db, "urgent_dispute") == ids(first, second)


def test_a_dispute_not_urgent_tells_csc_managers_in_the_app_and_emails_those_who_chose_it(
        app, db, make_user, csc):
    contact, referrer = make_user("partnership_manager"), make_user("referrer")
    first, second, inactive = csc
    with app.app_context():
        policy.update_urgent_contact(get(db, contact), "Ring the duty desk", contact.id)
        set_preferences(get(db, second), wanted_kinds={"dispute_raised"})
        dispute = raise_one(db, referrer)
        db.session.commit()

        assert not KINDS["dispute_raised"].default and not KINDS["dispute_raised"].required
        event = f"raised:dispute-{dispute.id}"
        assert told(db, event) == ids(first, second)  # not the urgent contact, not the inactive
        assert dispute.reference in message(db, event, first)
        assert emailed(db, "dispute_raised") == ids(second)  # the rest wait for the digest
        assert told(db, "urgent-raised:%") == []
        assert emailed(db, "urgent_dispute") == []
        assert inactive.id not in told(db, "%")


# The stages ------------------------------------------------------------------------------------


def test_csc_answering_a_stage_tells_that_disputes_referrer_alone(app, db, make_user, csc):
    referrer, other, quiet = make_user("referrer"), make_user("referrer"), make_user("referrer")
    first, *_ = csc
    with app.app_context():
        wants_nothing_optional(db, quiet)
        dispute, _, hushed = raise_one(db, referrer), raise_one(db, other), raise_one(db, quiet)
        stage = responding.respond(dispute, get(db, first), "We will look again.")
        db.session.commit()
        event = f"answered:stage-{stage.id}"
        assert told(db, event) == ids(referrer)
        assert "stage 1" in message(db, event, referrer)
        assert emailed(db, "stage_response") == ids(referrer)
        assert told(db, "answered:%") == ids(referrer)  # not the referrer of another dispute

        before = counts(db)
        with pytest.raises(Refusal, match="This stage was answered on"):  # the same stage
            responding.respond(dispute, get(db, first), "We have looked again.")
        db.session.rollback()
        assert counts(db) == before

        quiet_stage = responding.respond(hushed, get(db, first), "No change.")
        db.session.commit()
        assert told(db, f"answered:stage-{quiet_stage.id}") == ids(quiet)
        assert emailed(db, "stage_response") == ids(referrer)  # they switched the email off


def test_csc_correcting_its_record_tells_the_referrer_only_when_it_changes(
        app, db, make_user, csc):
    referrer, other = make_user("referrer"), make_user("referrer")
    first, second, _ = csc
    with app.app_context():
        dispute = raise_one(db, referrer)  # told "contact", "no further action"
        raise_one(db, other)
        manager = get(db, first)
        responding.confirm_decision(dispute, manager, "contact", "no_further_action", csc_record())
        db.session.commit()
        corrected = f"corrected:dispute-{dispute.id}:%"
        assert told(db, corrected) == []  # CSC confirmed what the referrer was told

        responding.confirm_decision(dispute, manager, "referral", "no_further_action",
                                    csc_record(decision_maker_id=second.id))
        db.session.commit()
        assert told(db, corrected) == ids(referrer)
        assert "corrected" in db.session.scalars(select(Notification.message).where(
            Notification.key.like(f"{corrected}:user-%"))).one()
        assert emailed(db, "csc_correction") == ids(referrer)

        # CSC's record, unchanged
        responding.confirm_decision(dispute, manager, "referral", "no_further_action",
                                    csc_record(decision_maker_id=second.id))
        db.session.commit()
        assert told(db, corrected) == ids(referrer)

        responding.confirm_decision(dispute, manager, "referral", "information_or_advice",
                                    csc_record())
        db.session.commit()
        assert told(db, corrected) == ids(referrer, referrer)  # each correction is told
        assert emailed(db, "csc_correction") == ids(referrer, referrer)
        assert told(db, "corrected:%") == ids(referrer, referrer)  # the other referrer: nothing


# Settlements -----------------------------------------------------------------------------------


def test_a_proposed_settlement_asks_the_referrer_by_an_email_they_cannot_switch_off(
        app, db, make_user, csc):
    referrer = make_user("referrer")
    first, second, _ = csc
    with app.app_context():
        wants_nothing_optional(db, referrer)
        refuse(db, referrer, "settlement_to_confirm")
        dispute = raise_one(db, referrer)
        settling.propose_settlement(dispute, get(db, first), "information_or_advice",
                                    "We explained the decision.", on=date(2026, 11, 24))
        db.session.commit()
        event = f"settlement:dispute-{dispute.id}:%"
        assert told(db, event) == ids(referrer)
        assert "Confirm or decline by 1 December 2026" in db.session.scalars(
            select(Notification.message).where(Notification.user_id == referrer.id,
                                               Notification.key.like("settlement:%"))).one()
        assert emailed(db, "settlement_to_confirm") == ids(referrer)
        # CSC heard only that the dispute was raised, not of its own proposal.
        assert told(db, "%") == sorted(ids(referrer, first, second))


def test_confirming_a_settlement_or_csc_settling_tells_the_referrer_it_is_settled(
        app, db, make_user, csc):
    referrer, other = make_user("referrer"), make_user("referrer")
    first, second, _ = csc
    with app.app_context():
        wants_nothing_optional(db, other)
        proposed, settled = raise_one(db, referrer), raise_one(db, other)
        settling.propose_settlement(proposed, get(db, first), "information_or_advice", "Agreed.")
        settling.reply_to_settlement(proposed, get(db, referrer), confirmed=True)
        settling.settle(settled, get(db, first), "child_and_family_assessment", "We will assess.")
        db.session.commit()
        assert told(db, f"settled:dispute-{proposed.id}") == ids(referrer)
        assert told(db, f"settled:dispute-{settled.id}") == ids(other)
        assert emailed(db, "settled") == ids(referrer)  # the other switched it off
        assert told(db, "declined:%") == []
        assert set(told(db, "settled:%")).isdisjoint(ids(first, second))


def test_declining_a_settlement_tells_the_csc_managers(app, db, make_user, csc):
    referrer = make_user("referrer")
    first, second, inactive = csc
    with app.app_context():
        wants_nothing_optional(db, second)
        dispute = raise_one(db, referrer)
        settling.propose_settlement(dispute, get(db, first), "information_or_advice", "Agreed.")
        settling.reply_to_settlement(dispute, get(db, referrer), confirmed=False)
        db.session.commit()
        event = f"declined:stage-{dispute.current_stage.id}:%"
        assert told(db, event) == ids(first, second)
        assert "declined" in message(db, event, first)
        assert emailed(db, "settlement_declined") == ids(first)  # the second switched it off
        assert told(db, "settled:%") == []


def test_a_second_settlement_after_a_decline_asks_the_referrer_again(app, db, make_user, csc):
    referrer = make_user("referrer")
    first, second, _ = csc
    with app.app_context():
        dispute = raise_one(db, referrer)
        for note in ("We explained the decision.", "We explained it again, in writing."):
            settling.propose_settlement(dispute, get(db, first), "information_or_advice", note)
            db.session.flush()
            settling.reply_to_settlement(dispute, get(db, referrer), confirmed=False)
            db.session.flush()
        db.session.commit()
        assert told(db, f"settlement:dispute-{dispute.id}:%") == ids(referrer, referrer)
        assert emailed(db, "settlement_to_confirm") == ids(referrer, referrer)
        assert emailed(db, "settlement_declined") == ids(first, first, second, second)


# Escalating and queueing -----------------------------------------------------------------------


def test_a_referrer_escalating_tells_the_csc_managers_but_a_csc_manager_escalating_does_not(
        app, db, make_user, csc):
    referrer = make_user("referrer")
    first, second, _ = csc
    with app.app_context():
        wants_nothing_optional(db, second)
        by_referrer, by_csc = raise_one(db, referrer), raise_one(db, referrer)
        for dispute in (by_referrer, by_csc):
            responding.respond(dispute, get(db, first), "No change.")
        escalating.escalate(by_referrer, get(db, referrer))
        escalating.escalate(by_csc, get(db, first))
        db.session.commit()
        event = f"escalated:stage-{by_referrer.current_stage.id}"
        assert told(db, event) == ids(first, second)
        assert "stage 2 (Manager to manager)" in message(db, event, first)
        assert emailed(db, "escalated") == ids(first)
        assert told(db, "escalated:%") == ids(first, second)  # nothing for the CSC's own step
        assert referrer.id not in told(db, "escalated:%")


def test_a_dispute_joining_the_queue_tells_its_referrer(app, db, make_user, queue_disputes, csc):
    referrer = make_user("referrer")
    first, second, _ = csc
    (dispute_id,) = queue_disputes({"referrer": referrer})
    with app.app_context():
        assert told(db, f"queued:dispute-{dispute_id}") == ids(referrer)
        assert emailed(db, "queued") == ids(referrer)
        assert told(db, "lapsed:%") == []  # CSC hears only when the last stage ran out
        assert set(told(db, "queued:%")).isdisjoint(ids(first, second))


def test_a_last_stage_that_runs_out_tells_the_referrer_and_csc_once(app, db, make_user, csc):
    referrer, other = make_user("referrer"), make_user("referrer")
    first, second, inactive = csc
    with app.app_context():
        dispute, waiting = raise_one(db, referrer), raise_one(db, other)
        escalating.escalate(dispute, get(db, referrer), to_position=3,
                            skip_reason="Stage 2 managers are the same people", on=THURSDAY)
        db.session.commit()
        assert escalating.lapse_last_stages(on=LONG_AFTER) == 1  # the other is still at stage 1
        db.session.commit()
        assert told(db, f"queued:dispute-{dispute.id}") == ids(referrer)
        assert told(db, f"lapsed:dispute-{dispute.id}") == ids(first, second)
        assert emailed(db, "last_stage_lapsed") == ids(first, second)
        assert told(db, f"queued:dispute-{waiting.id}") == []

        before = counts(db)
        assert escalating.lapse_last_stages(on=LONG_AFTER) == 0
        db.session.commit()
        assert counts(db) == before


def test_an_urgent_dispute_unresolved_at_the_end_of_its_route_tells_the_chairs_and_managers(
        app, db, make_user, make_member, csc):
    chair, deputy = make_user("chair"), make_user("chair")
    former, representative = make_user("chair"), make_user("panel_member")
    managers = (make_user("partnership_manager"), make_user("partnership_manager"))
    retired = make_user("partnership_manager", active=False)
    referrer = make_user("referrer")
    make_member(chair, role="chair")
    make_member(deputy, role="deputy_chair")
    make_member(former, role="chair", left_on=date(2025, 12, 31))
    make_member(representative)
    first, *_ = csc
    with app.app_context():
        refuse(db, managers[0], "urgent_panel_needed")
        dispute = raise_one(db, referrer, immediate_risk=True)
        escalating.escalate(dispute, get(db, first), to_position=4, on=MONDAY)  # urgent: may skip
        db.session.commit()
        event = f"urgent-panel:dispute-{dispute.id}"
        everyone = ids(chair, deputy, *managers)
        assert told(db, event) == everyone  # not the former chair, a representative, the retired
        assert "URGENT" in message(db, event, chair)
        assert emailed(db, "urgent_panel_needed") == everyone  # required: no one can refuse it
        offer = f"/sessions/extraordinary/new?dispute_id={dispute.id}"
        for email in emails(db, "urgent_panel_needed"):  # chairs are offered the panel
            assert email.subject.startswith("Threshold moderation: URGENT")
            assert (offer in email.body) == (email.user_id in ids(chair, deputy))
        assert told(db, f"queued:dispute-{dispute.id}") == ids(referrer)
        assert retired.id not in told(db, "%")


def test_with_nobody_chairing_the_panel_no_chair_role_holder_hears_of_the_case(
        app, db, make_user, make_member, csc):
    """The notice names the case: it goes to seats, never to the chair role alone. With no seat
    held today (one ended, one starts in years), the partnership managers hear that nobody
    chairs the panel, so that someone adds a chair."""
    chair, former, future = make_user("chair"), make_user("chair"), make_user("chair")
    make_member(former, role="chair", left_on=date(2025, 12, 31))
    make_member(future, role="deputy_chair", joined_on=date(2099, 1, 1))
    manager, referrer = make_user("partnership_manager"), make_user("referrer")
    first, *_ = csc
    with app.app_context():
        dispute = raise_one(db, referrer, immediate_risk=True)
        escalating.escalate(dispute, get(db, first), to_position=4, on=MONDAY)
        db.session.commit()
        event = f"urgent-panel:dispute-{dispute.id}"
        assert told(db, event) == ids(manager)  # no chair: not with no seat, ended or to come
        assert "Nobody chairs the panel today: add a chair or deputy chair" in message(
            db, event, manager)
        assert not {chair.id, former.id, future.id} & set(told(db, "%"))


def test_a_chair_whose_account_is_switched_off_is_not_told(app, db, make_user, make_member, csc):
    chair, gone = make_user("chair"), make_user("chair", active=False)
    referrer = make_user("referrer")
    make_member(chair, role="chair")
    make_member(gone, role="deputy_chair")
    first, *_ = csc
    with app.app_context():
        dispute = raise_one(db, referrer, immediate_risk=True)
        escalating.escalate(dispute, get(db, first), to_position=4, on=MONDAY)
        db.session.commit()
        assert told(db, f"urgent-panel:dispute-{dispute.id}") == ids(chair)
        assert emailed(db, "urgent_panel_needed") == ids(chair)


# Sessions and agendas --------------------------------------------------------------------------


def test_freezing_an_agenda_tells_the_members_sitting_that_day_and_each_items_referrer(
        app, db, make_user, make_member, make_session, queue_disputes):
    chair, representative = make_user("chair"), make_user("panel_member")
    left, joining = make_user("panel_member"), make_user("panel_member")
    switched_off = make_user("panel_member", active=False)
    make_member(chair, role="chair")
    make_member(representative)
    make_member(left, left_on=date(2026, 11, 30))  # the session is on 8 December 2026
    make_member(joining, joined_on=date(2027, 1, 4))
    make_member(switched_off)
    first, second, waiting = make_user("referrer"), make_user("referrer"), make_user("referrer")
    queue_disputes({"referrer": first, "level_of_need": 4}, {"referrer": second},
                   {"referrer": waiting, "level_of_need": 1})
    session_id = make_session(capacity=2)
    with app.app_context():
        wants_nothing_optional(db, representative)
        session = db.session.get(PanelSession, session_id)
        agenda.freeze(session, get(db, chair))
        db.session.commit()
        papers = f"papers:session-{session_id}"
        assert told(db, papers) == ids(chair, representative)
        assert "8 December 2026" in message(db, papers, chair)
        assert emailed(db, "papers_ready") == ids(chair)  # the representative switched it off
        for item in session.agenda:
            event = f"on-agenda:item-{item.id}"
            assert told(db, event) == [item.dispute.referrer_id]
            assert "heard by the panel on 8 December 2026" in message(
                db, event, item.dispute.referrer)
        assert told(db, "on-agenda:%") == ids(first, second)  # not the referrer still waiting
        assert emailed(db, "session_date") == ids(first, second)
        assert waiting.id not in told(db, "%:item-%")

        before = counts(db)
        notices.agenda_frozen(session)  # told again: the same event, told once
        db.session.commit()
        assert counts(db) == before


def test_moving_or_cancelling_a_session_tells_its_members_with_the_reason(
        app, db, make_user, make_member, make_session, csc):
    chair, representative = make_user("chair"), make_user("panel_member")
    left, joining = make_user("panel_member"), make_user("panel_member")
    make_member(chair, role="chair")
    make_member(representative)
    make_member(left, left_on=date(2026, 12, 1))
    make_member(joining, joined_on=date(2026, 12, 10))
    session_id = make_session()  # 8 December 2026
    first, *_ = csc
    with time_machine.travel(datetime(2026, 11, 24, 9, tzinfo=UTC)), app.app_context():
        wants_nothing_optional(db, representative)
        refuse(db, representative, "session_changed")
        session = db.session.get(PanelSession, session_id)
        sessions.move_session(session, get(db, chair), date(2026, 12, 15), "The chair is at court")
        db.session.commit()
        moved = f"moved:session-{session_id}:1"
        sitting = ids(chair, representative, joining)  # on the new date
        assert told(db, moved) == sitting
        assert message(db, moved, chair) == (
            "A panel session has moved to 15 December 2026: The chair is at court")
        assert emailed(db, "session_changed") == sitting  # required: cannot be switched off
        assert left.id not in told(db, "%") and first.id not in told(db, "%")

        sessions.move_session(session, get(db, chair), date(2026, 12, 16), "The room flooded")
        db.session.commit()
        assert told(db, f"moved:session-{session_id}:2") == sitting  # a second move is news

        sessions.cancel_session(session, get(db, chair), "Not enough cases")
        db.session.commit()
        cancelled = f"cancelled:session-{session_id}"
        assert told(db, cancelled) == sitting
        assert message(db, cancelled, joining) == (
            "The panel session on 16 December 2026 is cancelled: Not enough cases")
        assert len(emailed(db, "session_changed")) == 3 * len(sitting)


def test_deferring_an_item_tells_its_referrer_and_the_sessions_members(
        app, db, make_user, make_member, make_dispute, panel_meeting):
    former = make_user("panel_member")
    make_member(former, left_on=date(2026, 6, 30))
    other = make_user("referrer")
    make_dispute(other)
    m = panel_meeting()
    with app.app_context():
        wants_nothing_optional(db, m.referrer)
        session = db.session.get(PanelSession, m.session_id)
        item = session.agenda[0]
        decisions.defer(item, get(db, m.chair), "The GP's report is not yet available")
        db.session.commit()
        assert told(db, f"deferred:item-{item.id}") == ids(m.referrer)
        assert item.dispute.reference in message(db, f"deferred:item-{item.id}", m.referrer)
        members = sorted(m.members)
        assert told(db, f"item-deferred:item-{item.id}") == members  # chair, reps and deputy
        assert emailed(db, "deferred") == []  # the referrer switched it off
        assert emailed(db, "item_deferred") == members
        assert former.id not in told(db, "%") and other.id not in told(db, "%deferred%")


def test_a_panel_deferring_by_its_vote_tells_the_same_people(app, db, panel_meeting):
    m = panel_meeting()
    with app.app_context():
        item = db.session.get(PanelSession, m.session_id).agenda[0]
        decide(db, m, item, DEFER)
        db.session.commit()
        assert told(db, f"deferred:item-{item.id}") == ids(m.referrer)
        assert told(db, f"item-deferred:item-{item.id}") == sorted(m.members)
        assert told(db, "decision%") == []


# The panel's decision and its actions ----------------------------------------------------------


def test_a_decision_tells_the_referrer_and_every_csc_manager_when_csc_named_no_decision_maker(
        app, db, panel_meeting, csc):
    first, second, inactive = csc
    m = panel_meeting()
    with app.app_context():
        refuse(db, m.referrer, "decision")
        refuse(db, first, "panel_decision_on_csc")
        item = db.session.get(PanelSession, m.session_id).agenda[0]
        decide(db, m, item, UPHOLD)
        db.session.commit()
        assert told(db, f"decision:item-{item.id}") == ids(m.referrer)
        assert told(db, f"decision-csc:item-{item.id}") == ids(first, second)
        assert emailed(db, "decision") == ids(m.referrer)  # both required by policy
        assert emailed(db, "panel_decision_on_csc") == ids(first, second)
        assert told(db, "action-set:%") == []  # upheld: CSC owes nothing
        assert inactive.id not in told(db, "%")


def test_an_overturned_decision_tells_cscs_decision_maker_and_every_manager_of_the_action(
        app, db, make_user, make_dispute, panel_meeting, csc):
    first, second, inactive = csc
    referrer = make_user("referrer")
    dispute_id = make_dispute(referrer, on=date(2026, 11, 9), level_of_need=4)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        responding.confirm_decision(dispute, get(db, first), "contact", "no_further_action",
                                    csc_record(decision_maker_id=second.id))
        escalating.escalate(dispute, get(db, referrer), to_position=4, skip_reason="test",
                            on=date(2026, 11, 20))
        db.session.commit()
    m = panel_meeting(disputes=({"level_of_need": 1},))  # the agenda takes ours first
    with app.app_context():
        item = db.session.get(PanelSession, m.session_id).agenda[0]
        assert item.dispute_id == dispute_id
        decide(db, m, item, S17)
        db.session.commit()
        assert told(db, f"decision:item-{item.id}") == ids(referrer)
        assert told(db, f"decision-csc:item-{item.id}") == ids(second)  # the decision maker
        assert emailed(db, "panel_decision_on_csc") == ids(second)
        (action,) = queries.actions_on(item.dispute)
        assert told(db, f"action-set:action-{action.id}") == ids(first, second)  # the role
        assert emailed(db, "action_owed") == ids(first, second)
        assert m.referrer.id not in told(db, "decision%")  # the other dispute's referrer
        assert inactive.id not in told(db, "%")


def test_an_action_tells_its_owner_by_an_email_they_cannot_switch_off(app, db, panel_meeting):
    m = panel_meeting()
    with app.app_context():
        police = m.reps["police"]
        refuse(db, police, "action_owed")
        session = db.session.get(PanelSession, m.session_id)
        action = actions.add_action(session, get(db, m.chair), description="Share the plan",
                                    owner_id=police.id, working_days=5, item=session.agenda[0])
        db.session.commit()
        event = f"action-set:action-{action.id}"
        assert told(db, event) == ids(police)
        assert message(db, event, police) == (
            "The panel has set you an action, due 15 December 2026.")
        assert emailed(db, "action_owed") == ids(police)


# The CSC digest --------------------------------------------------------------------------------


def test_the_csc_digest_is_an_email_only_once_a_working_day(app, db, make_user, csc):
    referrer = make_user("referrer")
    first, second, inactive = csc
    with app.app_context():
        wants_nothing_optional(db, second)
        raise_one(db, referrer)
        raise_one(db, referrer)
        raise_one(db, referrer, immediate_risk=True)  # told at once, not in the digest
        raise_one(db, referrer, on=date(2026, 11, 24))  # for tomorrow's digest
        db.session.commit()
        tuesday = date(2026, 11, 24)
        assert reminders.disputes_digest(on=tuesday) == 2
        db.session.commit()
        assert emailed(db, "disputes_digest") == ids(first)  # the second turned it off
        assert KINDS["disputes_digest"].default and not KINDS["disputes_digest"].in_app
        assert told(db, "digest:%") == []  # the app already shows each dispute

        before = counts(db)
        assert reminders.disputes_digest(on=tuesday) == 2
        db.session.commit()
        assert counts(db) == before  # the same morning's digest, once

        assert reminders.disputes_digest(on=date(2026, 11, 28)) == 0  # a Saturday
        assert reminders.disputes_digest(on=date(2026, 11, 26)) == 0  # nothing on Wednesday
        db.session.commit()
        assert counts(db) == before
        assert inactive.id not in emailed(db, "disputes_digest")


# Rule 11 ---------------------------------------------------------------------------------------


def test_every_kind_of_email_is_fixed_text_with_only_the_name_and_link_filled_in():
    link = "https://moderation.example.org/somewhere"
    for kind, spec in KINDS.items():
        subject, body = email_for(kind, "Name", link)
        assert subject == f"Threshold moderation: {spec.subject}", kind
        assert body.startswith("Hello Name,\n"), kind
        assert spec.body in body and f"Sign in to see it: {link}" in body, kind
        assert "does not contain case details" in body, kind
        assert not re.search(r"[{}]|%\(|%s", subject + body), kind
        assert spec.roles, kind
        if spec.required:
            assert spec.in_app, kind  # policy-required notices are never email-only


CHILD = {"child_name": "Zebedee Quillfeather", "child_dob": date(2015, 3, 12),
         "child_case_number": "CN-778812"}
CASE_DETAILS = ("Zebedee", "Quillfeather", "ZQ", "Z.Q.", "Z Q", "2015-03-12", "12 March 2015",
                "12 Mar 2015", "March 12, 2015", "12/03/2015", "12/3/2015", "03/12/2015",
                "12.03.2015", "12-03-2015", "20150312", "CN-778812", "778812")


def test_no_email_subject_or_body_carries_the_childs_details_for_any_event(
        app, db, make_user, make_dispute, make_session, panel_meeting):
    contact, referrer = make_user("partnership_manager"), make_user("referrer")
    colleague = make_user("referrer", agency_id=referrer.agency_id)  # their manager; a guest
    managers = (make_user("csc_manager"), make_user("csc_manager"))
    m = panel_meeting(disputes=(CHILD, CHILD, CHILD))  # raised, queued, frozen: the clock is 8 Dec
    later = make_session(held_on=date(2027, 1, 12))
    with app.app_context():
        policy.update_urgent_contact(get(db, contact), "Ring the duty desk", contact.id)
        set_preferences(get(db, managers[0]), wanted_kinds=set(KINDS))
        db.session.commit()
    raised = [make_dispute(referrer, on=MONDAY, **CHILD) for _ in range(3)]
    urgent = make_dispute(referrer, on=MONDAY, immediate_risk=True, **CHILD)
    with app.app_context():
        csc, person = get(db, managers[0]), get(db, referrer)
        settled, lapsing, queueing = (db.session.get(Dispute, i) for i in raised)
        # The stages: an answer, a correction, a settlement declined, an escalation, another
        # settlement confirmed.
        responding.respond(settled, csc, "No change.")
        papers.name_referrer_manager(settled, person, colleague.id)
        responding.confirm_decision(settled, csc, "referral", "information_or_advice",
                                    csc_record())
        settling.propose_settlement(settled, csc, "information_or_advice", "Explained.")
        settling.reply_to_settlement(settled, person, confirmed=False)
        escalating.escalate(settled, person)
        settling.propose_settlement(settled, csc, "information_or_advice", "Explained again.")
        settling.reply_to_settlement(settled, person, confirmed=True)
        # A last stage that runs out; a dispute queued; an urgent route ending unresolved.
        escalating.escalate(lapsing, person, to_position=3, skip_reason="Same managers",
                            on=THURSDAY)
        escalating.escalate(queueing, person, to_position=4, skip_reason="Agreed", on=THURSDAY)
        escalating.escalate(db.session.get(Dispute, urgent), csc, to_position=4, on=MONDAY)
        db.session.flush()
        escalating.lapse_last_stages(on=LONG_AFTER)
        reminders.disputes_digest(on=date(2026, 11, 24))
        # The panel: a decision that overturns CSC's, a deferral, an action; a session moved
        # and cancelled.
        session, chair = db.session.get(PanelSession, m.session_id), get(db, m.chair)
        first, second, third = session.agenda
        decide(db, m, first, S17)
        decisions.defer(second, chair, "The GP's report is not yet available")
        actions.add_action(session, chair, description="Share the plan", item=third,
                           owner_id=m.reps["police"].id, working_days=5)
        guests.invite(third, chair, colleague.email, "To present the referral")
        upcoming = db.session.get(PanelSession, later)
        sessions.move_session(upcoming, chair, date(2027, 1, 13), "The chair is at court")
        sessions.cancel_session(upcoming, chair, "Not enough cases")
        db.session.commit()

        sent = db.session.scalars(select(EmailMessage)).all()
        assert {email.kind for email in sent} >= {
            "urgent_dispute", "dispute_raised", "disputes_digest", "stage_response",
            "csc_correction", "settlement_to_confirm", "settlement_declined", "escalated",
            "settled", "queued", "last_stage_lapsed", "urgent_panel_needed", "papers_ready",
            "session_date", "session_changed", "deferred", "item_deferred", "decision",
            "panel_decision_on_csc", "action_owed", "manager_named", "guest_invited"}
        references = db.session.scalars(select(Dispute.reference)).all()
        assert len(references) == 7
        for email in sent:
            text = f"{email.subject}\n{email.body}"
            for detail in (*CASE_DETAILS, *references):
                assert detail.casefold() not in text.casefold(), (email.kind, detail)
        # The app, which is need-to-know, may name the case: the test drove real case notices.
        assert any(reference in note for note in db.session.scalars(select(Notification.message))
                   for reference in references)
