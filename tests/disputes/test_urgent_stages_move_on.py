"""Rule 17: an urgent dispute's stages move on by themselves, and whoever must act next is told
at once. Nobody has to come back for a child at immediate risk: not the referrer after a "not
resolved", not after a declined settlement, not when nobody answers by the end of the office day.
Each stage page and notice speaks for whoever handles the stage; an answered stage on the
escalation route shows no clock and offers no second answer."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from sqlalchemy import select

from moderation.calendar import UK, urgent_due_at
from moderation.disputes import escalating, in_words, responding, settling
from moderation.extensions import db
from moderation.models import (
    Dispute,
    DisputeStatus,
    EmailMessage,
    EscalationPolicy,
    NextStep,
    Notification,
    StageOutcome,
    User,
)
from moderation.scheduling import jobs, reminders
from moderation.web.boundary import Refusal
from tests.conftest import banners, client_for, error_summary, heading, page, post, url

MONDAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def monday_morning():
    """Monday 23 November 2026, 10:00 in London (GMT), the clock ticking on."""
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=UK), tick=False) as clock:
        yield clock


@pytest.fixture
def people(app, make_user, make_member):
    """A referrer; a team manager and a head of service (CSC managers); the partnership's
    senior lead (a partnership manager); the panel's chair and deputy chair."""
    found = {
        "referrer": make_user("referrer", name="Riley Referrer"),
        "team": make_user("csc_manager", name="Casey Team Manager"),
        "head": make_user("csc_manager", name="Harper Head of Service"),
        "lead": make_user("partnership_manager", name="Sam Senior Lead"),
        "chair": make_user("chair", name="Pat Chair"),
        "deputy": make_user("chair", name="Dee Deputy"),
    }
    make_member(found["chair"], role="chair")
    make_member(found["deputy"], role="deputy_chair")
    return found


def user(person):
    return db.session.get(User, person.id)


def urgent_dispute(make_dispute, people):
    return make_dispute(referrer=people["referrer"], on=MONDAY, immediate_risk=True)


def told(person, prefix):
    """(message, email kind or None) of each notice `person` has whose key starts `prefix`."""
    notices = db.session.scalars(select(Notification).where(
        Notification.user_id == person.id, Notification.key.like(f"{prefix}%"))
        .order_by(Notification.id)).all()
    emails = {e.key: e for e in db.session.scalars(select(EmailMessage))}
    return [(n.message, emails[n.key].kind if n.key in emails else None) for n in notices]


def stages(dispute):
    return [(s.position, s.outcome, s.due_at) for s in dispute.stages]


def end_of(day, hour=17):
    return datetime.combine(day, time(hour, 0), tzinfo=UK)


# Due at the end of the office day --------------------------------------------------------------


@pytest.mark.parametrize(("opened", "due"), [
    # Monday morning: 17:00 the same day.
    (datetime(2026, 11, 23, 10, 0, tzinfo=UK), end_of(date(2026, 11, 23))),
    # A minute before the due time: still today.
    (datetime(2026, 11, 23, 16, 59, tzinfo=UK), end_of(date(2026, 11, 23))),
    # At or after the due time: the next working day, never opened already due.
    (datetime(2026, 11, 23, 17, 0, tzinfo=UK), end_of(date(2026, 11, 24))),
    # Friday evening: Monday.
    (datetime(2026, 11, 27, 18, 30, tzinfo=UK), end_of(date(2026, 11, 30))),
    # Christmas Eve evening: Christmas, the weekend and Boxing Day's substitute are skipped.
    (datetime(2026, 12, 24, 18, 0, tzinfo=UK), end_of(date(2026, 12, 29))),
    # In summer, 17:00 London time is 16:00 UTC.
    (datetime(2027, 6, 1, 8, 0, tzinfo=UTC), datetime(2027, 6, 1, 16, 0, tzinfo=UTC)),
])
def test_an_urgent_stage_is_due_at_the_end_of_the_office_day(opened, due):
    assert urgent_due_at(opened, time(17, 0)) == due


def test_an_urgent_dispute_opens_its_first_stage_due_at_five_today(app, make_dispute, people):
    dispute_id = urgent_dispute(make_dispute, people)
    with app.app_context():
        [stage] = db.session.get(Dispute, dispute_id).stages
        assert (stage.due_at, stage.due_on) == (end_of(MONDAY), MONDAY)
        client = client_for(app, people["team"])
        respond = page(client.get(url(app, "disputes.respond", dispute_id=dispute_id)))
    assert "Due by 23 November 2026, 5:00pm." in respond.get_text(" ")


# "Not resolved" moves on at once ---------------------------------------------------------------


def test_not_resolved_at_each_urgent_stage_opens_the_next_at_once_and_tells_its_answerers(
        app, make_dispute, people):
    dispute_id = urgent_dispute(make_dispute, people)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        responding.respond(dispute, user(people["team"]), "Universal services are enough.")
        db.session.commit()
        # Stage 2 is open, due at 17:00 today, with nobody escalating: the referrer did nothing.
        assert stages(dispute) == [(1, StageOutcome.UNRESOLVED, end_of(MONDAY)),
                                   (2, None, end_of(MONDAY))]
        assert dispute.status == DisputeStatus.ESCALATING
        # Its answerers (CSC managers) are told at once, by an email marked urgent.
        [(message, kind)] = told(people["head"], "escalated:")
        assert message == ("URGENT: dispute D-2026-0001, about a child at immediate risk, is now "
                           "at stage 2 (Head of service). It needs an answer by 23 November "
                           "2026, 5:00pm.")
        assert kind == "urgent_stage"
        email = db.session.scalars(select(EmailMessage).where(
            EmailMessage.kind == "urgent_stage")).first()
        assert email.subject.startswith("Threshold moderation: URGENT:")
        assert "D-2026-0001" not in email.subject + email.body  # rule 11
        # The referrer was told the stage was answered, in CSC's voice.
        assert told(people["referrer"], "answered:")[0][0] == (
            "CSC has responded at stage 1 (CSC team manager) of dispute D-2026-0001.")

        responding.respond(dispute, user(people["head"]), "The decision stands.")
        db.session.commit()
        assert dispute.current_stage.position == 3
        [(message, kind)] = told(people["lead"], "escalated:")
        assert "now at stage 3 (The partnership's named senior lead)" in message
        assert kind == "urgent_stage"


def test_the_last_urgent_stage_not_resolved_calls_for_a_panel_at_once(app, make_dispute, people):
    dispute_id = urgent_dispute(make_dispute, people)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        for answerer in ("team", "head", "lead"):
            responding.respond(dispute, user(people[answerer]), "No change.")
        db.session.commit()
        assert (dispute.status, dispute.queued_on) == (DisputeStatus.QUEUED, MONDAY)
        assert [s.outcome for s in dispute.stages] == [StageOutcome.UNRESOLVED] * 3
        # The chair and the deputy chair, with the offer; the partnership manager, told too.
        for chair in ("chair", "deputy"):
            [(message, kind)] = told(people[chair], "urgent-panel:")
            assert message == (
                "URGENT: dispute D-2026-0001, about a child at immediate risk, is unresolved at "
                "the end of the urgent route. Call an extraordinary panel to sit by 25 November "
                "2026.")
            assert kind == "urgent_panel_needed"
        [(message, _)] = told(people["lead"], "urgent-panel:")
        assert message.endswith("The panel chair has been asked to call an extraordinary "
                                "panel to sit by 25 November 2026.")
        # The senior lead's answer reached the referrer in the senior lead's voice.
        assert told(people["referrer"], "answered:")[-1][0] == (
            "The partnership's senior lead has responded at stage 3 (The partnership's named "
            "senior lead) of dispute D-2026-0001.")


def test_a_declined_urgent_settlement_moves_on_at_once(app, make_dispute, people):
    dispute_id = urgent_dispute(make_dispute, people)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        responding.respond(dispute, user(people["team"]), "We talked it through.",
                           NextStep.REFERRER_ACCEPTS, "information_or_advice", "Advice given.")
        db.session.commit()
        # The referrer's reply is due as the stage is: by 17:00 today, not in five days.
        assert dispute.settlement_reply_due_on == MONDAY
        assert in_words.settlement_reply_due(dispute) == "23 November 2026, 5:00pm"
        settling.reply_to_settlement(dispute, user(people["referrer"]), confirmed=False)
        db.session.commit()
        assert stages(dispute)[0][:2] == (1, StageOutcome.UNRESOLVED)
        assert dispute.current_stage.position == 2
        assert told(people["head"], "escalated:")[0][1] == "urgent_stage"


def test_the_escalation_route_still_waits_for_the_referrer(app, make_dispute, people):
    """Rule 3 stands for every other dispute: "not resolved" leaves the referrer to choose."""
    dispute_id = make_dispute(referrer=people["referrer"], on=MONDAY)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        responding.respond(dispute, user(people["team"]), "No change.")
        db.session.commit()
        [stage] = dispute.stages
        assert stage.answered and stage.outcome is None and stage.due_at is None
        assert told(people["head"], "escalated:") == []


# Unanswered by the end of the office day: moved on within 15 minutes ---------------------------


def test_the_urgent_stage_job_runs_every_quarter_hour_in_office_hours():
    job = jobs.JOB_IDS["urgent-stages"]
    assert (job.trigger, job.trigger_args) == (
        "cron", {"day_of_week": "mon-fri", "hour": "8-19", "minute": "*/15"})


def test_an_unanswered_urgent_stage_moves_on_after_its_due_time_and_twice_changes_nothing(
        app, make_dispute, people, monday_morning):
    dispute_id = urgent_dispute(make_dispute, people)
    with app.app_context():
        monday_morning.move_to(datetime(2026, 11, 23, 17, 0, tzinfo=UK))
        assert reminders.move_on_urgent_stages() == 0  # due at 17:00, not yet past
        monday_morning.move_to(datetime(2026, 11, 23, 17, 15, tzinfo=UK))
        assert reminders.move_on_urgent_stages() == 1
        db.session.commit()
        assert reminders.move_on_urgent_stages() == 0
        db.session.commit()
        dispute = db.session.get(Dispute, dispute_id)
        # Stage 1 lapsed at 17:15; stage 2 opened then, due at the end of the next working day.
        assert stages(dispute) == [(1, StageOutcome.LAPSED, end_of(MONDAY)),
                                   (2, None, end_of(date(2026, 11, 24)))]
        assert dispute.stages[1].opened_by_id is None
        assert [kind for _, kind in told(people["head"], "escalated:")] == ["urgent_stage"]


def test_nobody_answering_anywhere_still_reaches_a_panel(app, make_dispute, people,
                                                         monday_morning):
    dispute_id = urgent_dispute(make_dispute, people)
    with app.app_context():
        for day in (23, 24, 25):
            monday_morning.move_to(datetime(2026, 11, day, 17, 15, tzinfo=UK))
            assert reminders.move_on_urgent_stages() == 1
            db.session.commit()
        dispute = db.session.get(Dispute, dispute_id)
        assert dispute.status == DisputeStatus.QUEUED
        assert [s.outcome for s in dispute.stages] == [StageOutcome.LAPSED] * 3
        assert told(people["chair"], "urgent-panel:")
        assert reminders.move_on_urgent_stages() == 0


def test_an_unconfirmed_urgent_settlement_moves_on_by_its_due_time(app, make_dispute, people,
                                                                   monday_morning):
    dispute_id = urgent_dispute(make_dispute, people)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        responding.respond(dispute, user(people["team"]), "We talked it through.",
                           NextStep.REFERRER_ACCEPTS, "information_or_advice", "Advice given.")
        db.session.commit()
        monday_morning.move_to(datetime(2026, 11, 23, 17, 15, tzinfo=UK))
        assert reminders.move_on_urgent_stages() == 1
        db.session.commit()
        assert dispute.status == DisputeStatus.ESCALATING
        assert dispute.stages[0].outcome == StageOutcome.SETTLEMENT_NOT_ANSWERED
        assert dispute.current_stage.position == 2
        # The morning job of the escalation route leaves urgent disputes alone.
        assert reminders.escalate_unanswered_settlements(date(2026, 12, 7)) == 0


def test_the_urgent_due_time_is_the_partnership_s_to_set(app, make_dispute, people):
    client = client_for(app, people["lead"])
    form = page(client.get(url(app, "disputes.time_limits")))
    assert form.select_one("#urgent_due_time")["value"] == "17:00"
    limits = {"settlement_reply_days": "5", "csc_action_days": "1",
              "minutes_comment_days": "5"}
    for typed, message in (
            ("", "Enter the time urgent stages are due, like 17:00"),
            ("5pm", "Enter the time urgent stages are due in the 24-hour clock, like 17:00"),
            ("25:00", "Enter the time urgent stages are due in the 24-hour clock, like 17:00"),
            ("09:00", "The time urgent stages are due must be between 12:00 and 19:00"),
            ("19:30", "The time urgent stages are due must be between 12:00 and 19:00")):
        refused = post(client, url(app, "disputes.time_limits"),
                       {**limits, "urgent_due_time": typed})
        assert heading(refused) == "Change the time limits"
        assert error_summary(refused) == [message]
    saved = post(client, url(app, "disputes.time_limits"),
                 {**limits, "urgent_due_time": "16.30"}, follow_redirects=True)
    assert "The time limits have been updated." in banners(saved)
    assert "each stage is due by 16:30" in page(saved).get_text(" ")
    with app.app_context():
        assert db.session.get(EscalationPolicy, 1).urgent_due_time == time(16, 30)
    dispute_id = urgent_dispute(make_dispute, people)
    with app.app_context():
        assert db.session.get(Dispute, dispute_id).stages[0].due_at == end_of(MONDAY).replace(
            hour=16, minute=30)


# Each stage speaks for whoever handles it ------------------------------------------------------


def test_the_senior_lead_answers_for_the_partnership_not_for_csc(app, make_dispute, people):
    dispute_id = urgent_dispute(make_dispute, people)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        escalating.escalate(dispute, user(people["referrer"]), to_position=3)
        db.session.commit()
    client = client_for(app, people["lead"])
    shown = page(client.get(url(app, "disputes.show", dispute_id=dispute_id)))
    assert shown.find("a", string="Respond as the senior lead")
    respond = client.get(url(app, "disputes.respond", dispute_id=dispute_id))
    assert heading(respond) == "Respond for the partnership's named senior lead"
    labels = [label.get_text(" ", strip=True) for label in page(respond).select("label")]
    assert "The senior lead's response" in labels
    assert "Yes: the senior lead has revised CSC's decision" in labels
    assert ("No: it goes at once to an extraordinary panel, which must sit within 2 working days"
            in labels)
    assert not any("CSC has revised" in label for label in labels)
    refused = post(client, url(app, "disputes.respond", dispute_id=dispute_id),
                   {"next_step": "unresolved"})
    assert error_summary(refused) == ["Enter the senior lead's response"]


# An answered stage -----------------------------------------------------------------------------


def _dispute_page(app, person, dispute_id):
    return page(client_for(app, person).get(url(app, "disputes.show", dispute_id=dispute_id)))


def test_an_answered_stage_reads_answered_with_no_clock_and_no_second_answer(
        app, make_dispute, people, monday_morning):
    dispute_id = make_dispute(referrer=people["referrer"], on=MONDAY)
    with app.app_context():
        responding.respond(db.session.get(Dispute, dispute_id), user(people["team"]), "No change.")
        db.session.commit()
    monday_morning.move_to(datetime(2026, 11, 30, 10, 0, tzinfo=UK))  # its due date has passed
    for person in ("team", "referrer"):
        shown = _dispute_page(app, people[person], dispute_id)
        status = shown.select_one("main > p").get_text(" ", strip=True)
        assert "Answered on 23 November 2026: not resolved" in status
        assert "Overdue" not in status and "Due today" not in status
        stage = shown.select_one(".app-timeline__item:-soup-contains('Stage 1:') h3")
        assert "Answered on 23 November 2026: not resolved" in stage.get_text(" ", strip=True)
    shown = _dispute_page(app, people["team"], dispute_id)
    assert shown.find("a", string="Respond for CSC") is None
    assert shown.find("a", string="Escalate")  # CSC may still move it on
    assert _dispute_page(app, people["referrer"], dispute_id).find("a", string="Escalate")
    client = client_for(app, people["team"])
    respond = page(client.get(url(app, "disputes.respond", dispute_id=dispute_id)))
    assert respond.select_one("form textarea") is None
    assert ("This stage was answered on 23 November 2026: it is not resolved, and the referrer "
            "can escalate it.") in respond.get_text(" ")
    again = post(client, url(app, "disputes.respond", dispute_id=dispute_id),
                 {"response": "Again", "next_step": "unresolved"})
    assert error_summary(again) == [
        "This stage was answered on 23 November 2026: it is not resolved, and the referrer can "
        "escalate it"]
    with app.app_context():
        assert db.session.get(Dispute, dispute_id).stages[0].response == "No change."
        # The morning alert waits for the referrer's choice, not for CSC.
        reminders.escalation_alerts(date(2026, 11, 30))
        assert told(people["team"], "stage-due:") == []


def test_a_declined_settlement_leaves_the_stage_answered(app, make_dispute, people):
    dispute_id = make_dispute(referrer=people["referrer"], on=MONDAY)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        responding.respond(dispute, user(people["team"]), "We talked it through.",
                           NextStep.REFERRER_ACCEPTS, "information_or_advice", "Advice given.")
        settling.reply_to_settlement(dispute, user(people["referrer"]), confirmed=False)
        db.session.commit()
        with pytest.raises(Refusal, match="This stage was answered on 23 November 2026"):
            responding.respond(dispute, user(people["team"]), "Again.")
        db.session.rollback()
    shown = _dispute_page(app, people["team"], dispute_id)
    assert "Answered on 23 November 2026: not resolved" in shown.select_one(
        "main > p").get_text(" ", strip=True)
    assert shown.find("a", string="Respond for CSC") is None
