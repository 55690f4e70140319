"""The urgent route (rule 14) and settlements the referrer must confirm, as people meet them:
the page after each step, who hears of it, and the scheduler moving on what nobody answered."""

from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from moderation.disputes import escalating, policy, responding
from moderation.extensions import db
from moderation.models import (
    Action,
    AuditEvent,
    Dispute,
    DisputeStatus,
    EscalationPolicy,
    Notification,
    Route,
    SettlementReply,
    StageOutcome,
    User,
)
from moderation.scheduling import reminders
from tests.helpers import banners, error_summary, heading, urgent_route_people

MONDAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def a_monday_morning():
    with time_machine.travel("2026-11-23 09:30:00+00:00", tick=False):
        yield


@pytest.fixture
def people(app, make_user):
    return urgent_route_people(app, make_user)


def notices_for(user, prefix):
    return db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.key.like(f"{prefix}%"))).all()


def urgent(app, make_dispute, people):
    return make_dispute(referrer=people["referrer"], on=MONDAY, immediate_risk=True)


def test_an_urgent_dispute_runs_on_the_urgent_route_due_the_same_day(app, make_dispute, people):
    dispute_id = urgent(app, make_dispute, people)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        [stage] = dispute.stages
        assert (stage.name, stage.due_on) == ("CSC team manager", MONDAY)
        assert [s.name for s in policy.route_stages(dispute)] == [
            "CSC team manager", "Head of service", "The partnership's named senior lead"]


def test_raising_an_urgent_dispute_tells_the_urgent_contact_and_csc_at_once(
        app, as_, make_dispute, people):
    dispute_id = urgent(app, make_dispute, people)
    with app.app_context():
        for person in ("csc", "head"):
            [note] = notices_for(people[person], "urgent-raised")
            assert note.message.startswith("URGENT: dispute D-2026-")
        assert not notices_for(people["lead"], "urgent-raised")
    raised = as_(people["referrer"]).get("disputes.raised", dispute_id=dispute_id)
    told = [li.get_text(" ", strip=True) for li in raised.select("main ul li")]
    assert any(line.startswith("Casey Manager, told") for line in told)
    assert any(line.startswith("Hari Head-of-Service, told") for line in told)


def test_the_csc_managers_notifications_mark_the_urgent_dispute_urgent(
        app, as_, make_dispute, people):
    make_dispute(referrer=people["referrer"], on=MONDAY)
    urgent(app, make_dispute, people)
    notes = as_(people["csc"]).get("notifications.index").select(".app-notifications li")
    tags = [(n.select_one(".govuk-tag").get_text(strip=True), n.a.get_text(strip=True))
            for n in notes]
    assert tags[0][0] == "Urgent" and tags[0][1].startswith("URGENT: dispute D-2026-0002")
    assert tags[1] == ("New", "Dispute D-2026-0001 has been raised.")


def test_the_dispute_page_and_the_csc_list_show_hours_since_raised_and_who_was_told(
        app, as_, make_dispute, people):
    dispute_id = urgent(app, make_dispute, people)
    with time_machine.travel("2026-11-23 12:45:00+00:00", tick=False):
        csc = as_(people["csc"])
        shown = csc.get("disputes.show", dispute_id=dispute_id)
        home = csc.get_url("/", _follow_redirects=True)
    card = shown.select_one(".govuk-summary-card").get_text(" ", strip=True)
    assert "Urgent route: 3 hours since it was raised" in card
    assert "Hari Head-of-Service, told" in card
    row = home.find("a", string="D-2026-0001").find_parent("tr").get_text(" ", strip=True)
    assert "3 hours since it was raised; told: Casey Manager, Hari Head-of-Service" in row


def test_the_urgent_stages_run_the_same_day_and_the_chairs_hear_when_they_end(
        app, make_dispute, make_user, make_member, people):
    chair = make_user("chair", name="Pat Chair")
    make_member(chair, role="chair")
    dispute_id = urgent(app, make_dispute, people)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        for answerer in ("csc", "head", "lead"):
            # "Not resolved" moves the urgent route on by itself: nobody escalates (rule 17).
            responding.respond(dispute, db.session.get(User, people[answerer].id), "We disagree.")
        db.session.commit()
        assert dispute.status == DisputeStatus.QUEUED
        assert [(s.opened_on, s.due_on, s.outcome) for s in dispute.stages] == [
            (MONDAY, MONDAY, StageOutcome.UNRESOLVED)] * 3
        [offer] = notices_for(chair, "urgent-panel")
        assert offer.link == f"/sessions/extraordinary/new?dispute_id={dispute_id}"
        [told] = notices_for(people["lead"], "urgent-panel")  # no chair: the dispute page
        assert told.link == f"/disputes/{dispute_id}"
        assert "The panel chair has been asked" in told.message
        assert notices_for(people["referrer"], "queued")
        # Each step on told whoever answers the new stage at once: the senior lead for the last.
        [escalated] = notices_for(people["lead"], "escalated")
        assert "now at stage 3 (The partnership's named senior lead)" in escalated.message
        assert escalated.message.startswith("URGENT: ")
        assert len(notices_for(people["head"], "escalated")) == 1  # stage 2 (CSC managers)


def test_only_the_named_senior_lead_role_answers_the_last_urgent_stage(
        app, as_, make_dispute, people):
    dispute_id = urgent(app, make_dispute, people)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        referrer = db.session.get(User, people["referrer"].id)
        escalating.escalate(dispute, referrer, to_position=3)
        db.session.commit()
    shown = as_(people["csc"]).get("disputes.show", dispute_id=dispute_id)
    assert "Respond for CSC" not in shown.response.text
    answered = as_(people["lead"]).post(
        "disputes.respond",
        {"response": "Senior lead: the threshold is met.", "next_step": "unresolved"},
        _follow_redirects=True, dispute_id=dispute_id)
    assert ("Your response has been sent. The urgent route has ended unresolved: the panel chair "
            "has been asked to call an extraordinary panel.") in banners(answered)


# Settlement on the referrer's acceptance -------------------------------------------------------


def accepted(as_, make_dispute, people):
    """CSC settles on "the referrer accepts CSC's explanation"; returns the dispute's id."""
    dispute_id = make_dispute(referrer=people["referrer"], on=MONDAY)
    page = as_(people["csc"]).post("disputes.respond", {
        "response": "We explained the decision.", "next_step": "referrer_accepts",
        "settlement_outcome": "no_further_action",
        "settlement_note": "The referrer accepted our explanation on the phone."},
        _follow_redirects=True, dispute_id=dispute_id)
    assert ("The referrer has been asked to confirm the settlement by 30 November 2026."
            in banners(page))
    return dispute_id


def test_a_settlement_on_acceptance_waits_for_the_referrer(app, as_, make_dispute, people):
    dispute_id = accepted(as_, make_dispute, people)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        assert dispute.status == DisputeStatus.AWAITING_REFERRER
        assert dispute.settled_on is None and dispute.current_stage.closed_on is None
        [note] = notices_for(people["referrer"], "settlement")
        assert "Confirm or decline by 30 November 2026" in note.message
    shown = as_(people["referrer"]).get("disputes.show", dispute_id=dispute_id)
    legend = shown.select_one("form legend").get_text(strip=True)
    assert legend == "Do you accept CSC's explanation and agree the dispute is settled?"
    assert "Escalate" not in [a.get_text(strip=True) for a in shown.select("main a")]


def test_the_referrer_confirms_once_and_a_second_answer_is_refused(
        app, as_, make_dispute, people):
    dispute_id = accepted(as_, make_dispute, people)
    referrer = as_(people["referrer"])
    confirmed = referrer.post("disputes.settlement_reply", {"reply": "confirm"},
                              _follow_redirects=True, dispute_id=dispute_id)
    assert "The dispute is settled." in banners(confirmed)
    again = referrer.post("disputes.settlement_reply", {"reply": "decline"},
                          _expected_status=200, dispute_id=dispute_id)
    assert error_summary(again) == ["This settlement has already been answered"]
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        assert (dispute.status, dispute.settlement_reply) == (DisputeStatus.SETTLED,
                                                               SettlementReply.CONFIRMED)
        assert dispute.settled_on == MONDAY
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "settlement_answered")) == 1


def test_declining_returns_the_dispute_to_its_stage_and_tells_csc(
        app, as_, make_dispute, people):
    dispute_id = accepted(as_, make_dispute, people)
    declined = as_(people["referrer"]).post("disputes.settlement_reply", {"reply": "decline"},
                                            _follow_redirects=True, dispute_id=dispute_id)
    assert any("You declined the settlement" in b for b in banners(declined))
    assert "Escalate" in [a.get_text(strip=True) for a in declined.select("main a")]
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        assert dispute.status == DisputeStatus.ESCALATING
        assert dispute.current_stage.position == 1
        assert notices_for(people["csc"], "declined")


def test_no_answer_chosen_is_a_gov_uk_error(app, as_, make_dispute, people):
    dispute_id = accepted(as_, make_dispute, people)
    page = as_(people["referrer"]).post("disputes.settlement_reply", {}, _expected_status=200,
                                        dispute_id=dispute_id)
    assert error_summary(page) == ["Select whether you accept the settlement"]
    with app.app_context():
        assert db.session.get(Dispute, dispute_id).status == DisputeStatus.AWAITING_REFERRER


def test_another_referrer_cannot_answer_the_settlement(app, as_, make_dispute, people):
    dispute_id = accepted(as_, make_dispute, people)
    page = as_(people["other_referrer"]).post("disputes.settlement_reply", {"reply": "confirm"},
                                              _expected_status=404, dispute_id=dispute_id)
    assert "D-2026" not in page.response.text
    with app.app_context():
        assert db.session.get(Dispute, dispute_id).status == DisputeStatus.AWAITING_REFERRER


# What the scheduler moves on -------------------------------------------------------------------


def twice(step, on):
    """Run a job body on a working morning twice, committing each: returns both results."""
    with time_machine.travel(datetime(on.year, on.month, on.day, 6, 30), tick=False):
        first = step(on)
        db.session.commit()
        second = step(on)
        db.session.commit()
    return first, second


def test_an_unanswered_settlement_escalates_once_after_its_due_date(
        app, as_, make_dispute, people):
    dispute_id = accepted(as_, make_dispute, people)  # reply due 30 November
    with app.app_context():
        assert twice(reminders.escalate_unanswered_settlements, date(2026, 11, 30)) == (0, 0)
        assert twice(reminders.escalate_unanswered_settlements, date(2026, 12, 1)) == (1, 0)
        dispute = db.session.get(Dispute, dispute_id)
        assert dispute.status == DisputeStatus.ESCALATING
        assert dispute.settlement_reply == SettlementReply.NOT_ANSWERED
        first, second = dispute.stages
        assert first.outcome == StageOutcome.SETTLEMENT_NOT_ANSWERED
        assert (second.position, second.opened_on, second.opened_by_id) == (2, date(2026, 12, 1),
                                                                             None)


def test_a_lapsed_last_stage_joins_the_queue_once_the_next_working_morning(
        app, make_dispute, people):
    dispute_id = make_dispute(referrer=people["referrer"], on=MONDAY)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        csc = db.session.get(User, people["csc"].id)
        responding.respond(dispute, csc, "No further action stands.")
        escalating.escalate(dispute, csc, to_position=3, skip_reason="Agreed with the referrer")
        db.session.commit()
        due = dispute.current_stage.due_on  # five working days: Monday 30 November
        assert due == date(2026, 11, 30)
        assert twice(reminders.lapse_last_stages, due) == (0, 0)
        assert twice(reminders.lapse_last_stages, date(2026, 12, 1)) == (1, 0)
        assert (dispute.status, dispute.queued_on) == (DisputeStatus.QUEUED, date(2026, 12, 1))
        assert dispute.stages[-1].outcome == StageOutcome.LAPSED
        assert notices_for(people["referrer"], "queued")
        assert notices_for(people["csc"], "lapsed")


def test_a_last_stage_that_was_answered_does_not_lapse(app, make_dispute, people):
    dispute_id = make_dispute(referrer=people["referrer"], on=MONDAY)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        csc = db.session.get(User, people["csc"].id)
        responding.respond(dispute, csc, "No further action stands.")
        escalating.escalate(dispute, csc, to_position=3, skip_reason="Agreed")
        responding.respond(dispute, db.session.get(User, people["head"].id), "Still NFA.")
        db.session.commit()
        assert twice(reminders.lapse_last_stages, date(2026, 12, 1)) == (0, 0)
        assert dispute.status == DisputeStatus.ESCALATING


def test_the_csc_digest_counts_yesterdays_disputes_by_email_only(app, make_dispute, people):
    make_dispute(referrer=people["referrer"], on=MONDAY)
    make_dispute(referrer=people["referrer"], on=MONDAY, immediate_risk=True)
    with app.app_context():
        assert twice(reminders.disputes_digest, date(2026, 11, 24)) == (1, 1)
        from moderation.models import EmailMessage

        digests = db.session.scalars(select(EmailMessage).where(
            EmailMessage.kind == "disputes_digest")).all()
        assert sorted(e.user_id for e in digests) == sorted([people["csc"].id,
                                                             people["head"].id])
        assert not db.session.scalars(select(Notification).where(
            Notification.key.like("digest:%"))).all()


# The policy's urgent route ---------------------------------------------------------------------


def test_the_partnership_manager_edits_the_urgent_route(app, as_, people):
    lead = as_(people["lead"])
    policy = lead.get("disputes.policy")
    assert "Urgent stage 3: The partnership's named senior lead" in policy.get_text()
    page = lead.post("disputes.urgent_stage", {
        "name": "Service manager", "who_acts": "The service manager decides today.",
        "answering_role": "csc_manager", "independent": "yes"}, _follow_redirects=True,
        position=2)
    assert "Urgent stage 2: Service manager" in page.get_text()
    with app.app_context():
        policy = db.session.get(EscalationPolicy, 1)
        assert [s.name for s in policy.urgent_stages][1] == "Service manager"
        assert len(policy.stages) == 3  # the ordinary route is untouched


def test_the_urgent_contact_must_be_someone(app, as_, people):
    lead = as_(people["lead"])
    page = lead.post("disputes.urgent_contact", {"urgent_contact": "Call the duty manager."},
                     _expected_status=200)
    assert error_summary(page) == ["Select the person told at once of every urgent dispute"]
    page = lead.post("disputes.urgent_contact",
                     {"urgent_contact": "Call the duty manager.",
                      "urgent_contact_user_id": str(people["referrer"].id)},
                     _expected_status=200)
    assert error_summary(page) == ["Select the person told at once of every urgent dispute"]
    with app.app_context():
        assert db.session.get(EscalationPolicy, 1).urgent_contact_user_id == people["head"].id


@pytest.mark.parametrize(("days", "message"), [
    ("0", "The working days must be between 1 and 30"),
    ("-2", "The working days must be between 1 and 30"),
    ("", "Enter the working days a referrer has to confirm, like 5")])
def test_time_limits_refuse_nonsense(app, as_, people, days, message):
    page = as_(people["lead"]).post("disputes.time_limits",
                                    {"settlement_reply_days": days, "csc_action_days": "1",
                                     "minutes_comment_days": "5", "urgent_due_time": "17:00"},
                                    _expected_status=200)
    assert heading(page) == "Change the time limits"
    assert error_summary(page) == [message]
    with app.app_context():
        assert db.session.get(EscalationPolicy, 1).settlement_reply_days == 5


# After an overturn -----------------------------------------------------------------------------


def test_an_overturn_owes_csc_an_action_shown_on_the_dispute_page(app, as_, panel_meeting,
                                                                  make_user):
    from moderation.meeting import decisions, voting
    from moderation.models import LearningTheme, PanelSession

    csc = make_user("csc_manager", name="Casey Manager")
    m = panel_meeting()
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        chair = db.session.get(User, m.chair.id)
        item = session.agenda[0]
        voting.open_voting(item, chair)
        for rep in m.reps.values():
            voting.cast_vote(item, db.session.get(User, rep.id), "overturn_s17", "Met.")
        voting.close_voting(item, chair)
        theme = db.session.scalars(select(LearningTheme)).first()
        decisions.record_decision(item, chair, rationale="R", feedback="F",
                                  theme_ids=[theme.id])
        db.session.commit()
        [action] = db.session.scalars(select(Action)).all()
        assert (action.owner_id, action.owner_role) == (None, "csc_manager")
        assert action.due_on == date(2026, 12, 9)  # one working day after the session
        assert notices_for(csc, "action-set")
        assert notices_for(csc, "decision-csc")
    manager = as_(csc)
    shown = manager.get("disputes.show", dispute_id=m.dispute_ids[0])
    section = shown.find("h2", string="What CSC must do after the panel's decision")
    assert "Open" in section.find_next("ul").get_text(" ", strip=True)
    manager.post("actions.update", {"status": "done"}, _follow_redirects=True,
                 action_id=action.id)
    shown = manager.get("disputes.show", dispute_id=m.dispute_ids[0])
    section = shown.find("h2", string="What CSC must do after the panel's decision")
    assert "Done" in section.find_next("ul").get_text(" ", strip=True)


def test_the_morning_alert_knows_the_urgent_routes_own_last_stage(app, make_dispute, people):
    with app.app_context():
        terms = policy.policy_terms(Route.URGENT)[:2]  # the urgent route, two stages long
        policy.update_policy(db.session.get(User, people["lead"].id),
                             policy.current_policy().urgent_contact, terms, Route.URGENT)
        db.session.commit()
    dispute_id = urgent(app, make_dispute, people)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        escalating.escalate(dispute, db.session.get(User, people["referrer"].id))  # to stage 2
        db.session.commit()
        twice(reminders.escalation_alerts, date(2026, 11, 24))  # stage 2 was due on Monday
        [alert] = notices_for(people["lead"], "last-stage-overdue")
        assert alert.message == "Dispute D-2026-0001 is overdue at the last stage."
