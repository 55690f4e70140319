"""The scheduler's jobs under a frozen clock: each job's effect, nothing new the second time, a
job store that survives a restart, and email delivered once to a real SMTP server."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import delete, func, select

from moderation.actions import services as actions
from moderation.meeting import decisions, voting
from moderation.meeting import register as meeting
from moderation.models import (
    Action,
    Dispute,
    EmailMessage,
    Notification,
    PanelSession,
    SessionStatus,
    User,
)
from moderation.notifications import delivery
from moderation.notifications.kinds import KINDS, email_for
from moderation.scheduling import jobs, reminders
from tests.conftest import post, sign_in, url
from tests.helpers import Inbox, free_port


def at(day, hour=7):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=UTC),
                               tick=False)


def counts(db):
    return (db.session.scalar(select(func.count()).select_from(Notification)),
            db.session.scalar(select(func.count()).select_from(EmailMessage)))


def twice(db, step):
    """Run a job body twice; return what the first run added, asserting the second adds
    nothing."""
    before = counts(db)
    step()
    db.session.commit()
    after_first = counts(db)
    step()
    db.session.commit()
    assert counts(db) == after_first, "the second run must change nothing"
    return tuple(a - b for a, b in zip(after_first, before, strict=True))


def test_agendas_freeze_at_their_cut_off_and_members_hear_once(app, db, panel_meeting):
    m = panel_meeting(frozen=False, started=False)
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)  # held 8 Dec, cut-off the same day
        session.agenda_cutoff_on = date(2026, 12, 1)
        db.session.commit()
        with at(date(2026, 11, 30)):
            assert twice(db, reminders.freeze_due_agendas) == (0, 0)
        with at(date(2026, 12, 1)):
            added = twice(db, reminders.freeze_due_agendas)
        assert session.status == SessionStatus.AGENDA_FROZEN
        assert [i.dispute_id for i in session.agenda] == m.dispute_ids
        # The chair, three representatives and the deputy; and the item's referrer is told the
        # date their dispute is heard.
        assert added == (6, 6)
        papers = db.session.scalars(select(Notification.user_id).where(
            Notification.key.like("papers:%"))).all()
        assert sorted(papers) == sorted(m.members)
        [told] = db.session.scalars(select(Notification).where(
            Notification.key.like("on-agenda:%"))).all()
        assert told.user_id == m.referrer.id
        assert told.message.endswith("will be heard by the panel on 8 December 2026.")


def test_members_are_reminded_two_working_days_before(app, db, panel_meeting):
    m = panel_meeting(started=False)
    with app.app_context(), at(date(2026, 12, 4)):  # Friday; the session is Tuesday 8th
        assert twice(db, reminders.remind_sessions) == (5, 5)
        note = db.session.scalars(select(Notification).where(
            Notification.user_id == m.reps["health"].id,
            Notification.key.like("session-reminder:%"))).one()
        assert note.message == "The panel meets on 08 December 2026."


def test_the_chair_is_reminded_of_draft_minutes_after_five_working_days(app, db, panel_meeting):
    m = panel_meeting()
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        chair = db.session.get(User, m.chair.id)
        decisions.defer(session.agenda[0], chair, "Not reached")
        meeting.close(session, chair)
        db.session.commit()
        with at(date(2026, 12, 14)):
            assert twice(db, reminders.remind_minutes) == (0, 0)
        with at(date(2026, 12, 15)):
            added = twice(db, reminders.remind_minutes)
        chair_notes = db.session.scalars(select(Notification).where(
            Notification.user_id == m.chair.id, Notification.key.like("minutes-reminder%")))
        assert added[0] == 1 and len(chair_notes.all()) == 1


def test_escalation_alerts_go_to_whoever_acts_and_managers_for_the_last_stage(
        app, db, make_dispute, make_user):
    csc = make_user("csc_manager")
    manager = make_user("partnership_manager")
    make_dispute(on=date(2026, 11, 23))  # stage 1 (2 working days) is due 25 November
    with app.app_context():
        with at(date(2026, 11, 23)):
            assert twice(db, reminders.escalation_alerts) == (0, 0)
        with at(date(2026, 11, 24)):
            assert twice(db, reminders.escalation_alerts)[0] == 1
        note = db.session.scalars(select(Notification).where(
            Notification.key.like("stage-due:%"))).one()
        assert note.user_id == csc.id
        with at(date(2026, 11, 28)):  # a Saturday: no working-morning alerts
            assert twice(db, reminders.escalation_alerts) == (0, 0)
        dispute = db.session.scalars(select(Dispute)).one()
        for stage in dispute.stages:
            stage.position = 3  # as if at the last stage, and overdue
        db.session.commit()
        with at(date(2026, 11, 30)):
            twice(db, reminders.escalation_alerts)
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == manager.id)) == 1


def test_overdue_actions_are_chased_once_a_week(app, db, panel_meeting):
    m = panel_meeting()
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        actions.add_action(session, db.session.get(User, m.chair.id), working_days=2,
                           description="Share the report", owner_id=m.reps["police"].id)
        db.session.commit()
        with at(date(2026, 12, 14)):
            assert twice(db, reminders.chase_overdue_actions) == (1, 1)
        with at(date(2026, 12, 21)):
            assert twice(db, reminders.chase_overdue_actions) == (1, 1)
        assert db.session.scalar(select(func.count()).select_from(Action)) == 1


def test_series_stay_generated_six_months_ahead(app, db, make_user):
    from datetime import time

    from moderation.panels import services

    chair = make_user("chair")
    with app.app_context(), at(date(2026, 11, 23)):
        services.create_series(db.session.get(User, chair.id), 2, "TU", date(2026, 12, 1),
                               starts_at=time(10), duration_minutes=180, place="Room 2",
                               online_link=None, capacity=8, cutoff_working_days=5)
        db.session.commit()
    with app.app_context(), at(date(2027, 2, 1)):
        made = reminders.keep_series_generated()
        db.session.commit()
        assert made >= 1
        assert reminders.keep_series_generated() == 0


def test_a_job_keeps_all_of_its_work_or_none_of_it(app, db, panel_meeting, monkeypatch):
    panel_meeting(started=False)
    monkeypatch.setattr(jobs, "_app", app)  # as the scheduler command sets it
    remind = reminders.remind_sessions

    def remind_then_fail():
        remind(on=date(2026, 12, 4))  # the session is two working days later
        raise RuntimeError("the job failed after writing")

    monkeypatch.setattr(reminders, "remind_sessions", remind_then_fail)
    with app.app_context():
        before = counts(db)  # the papers notices of the agenda's freeze
    with pytest.raises(RuntimeError):
        jobs.session_reminders()
    with app.app_context():
        assert counts(db) == before
    monkeypatch.setattr(reminders, "remind_sessions", lambda: remind(on=date(2026, 12, 4)))
    assert jobs.run_now("session-reminders") == 1
    with app.app_context():
        assert counts(db) == (before[0] + 5, before[1] + 5)


def test_a_scheduler_restart_keeps_the_job_store(app, db):
    with app.app_context():
        first = jobs.build_scheduler(blocking=False)
        first.start(paused=True)
        assert {job.id for job in first.get_jobs()} == set(jobs.JOB_IDS)
        first.shutdown(wait=False)
        again = jobs.build_scheduler(blocking=False)
        again.start(paused=True)
        stored = {job.id: job.next_run_time for job in again.get_jobs()}
        again.shutdown(wait=False)
        assert set(stored) == set(jobs.JOB_IDS)
        listed = {job.id: source for job, _, source in jobs.next_runs(datetime.now(UTC))}
        assert set(listed.values()) == {"job store"}


# Email ----------------------------------------------------------------------------------------


@pytest.fixture
def smtp(app):
    started = []

    def start(refuse=0):
        inbox = Inbox(refuse)
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        app.config.update(MAIL_DELIVERY="smtp", MAIL_HOST="127.0.0.1", MAIL_PORT=controller.port)
        return inbox

    yield start
    for controller in started:
        controller.stop()


def _decided(app, db, panel_meeting):
    """A decision on a dispute about Amelia Jones, born 14 March 2021: the referrer is told
    (the outbox is emptied of the agenda's freeze first, so the decision's email is alone)."""
    m = panel_meeting()
    with app.app_context():
        db.session.execute(delete(EmailMessage))
        db.session.execute(delete(Notification))
        from moderation.models import LearningTheme

        session = db.session.get(PanelSession, m.session_id)
        chair = db.session.get(User, m.chair.id)
        item = session.agenda[0]
        voting.open_voting(item, chair)
        voting.cast_vote(item, db.session.get(User, m.reps["health"].id), "overturn_s17", "R")
        voting.close_voting(item, chair)
        theme = db.session.scalars(select(LearningTheme)).first()
        decisions.record_decision(item, chair, rationale="R", feedback="F",
                                  theme_ids=[theme.id])
        db.session.commit()
    return m


def test_email_is_delivered_to_a_real_smtp_server_once(app, db, panel_meeting, smtp):
    inbox = smtp()
    m = _decided(app, db, panel_meeting)
    with app.app_context():
        assert delivery.deliver() == {"sent": 1, "failed": 0, "kept": 0, "deferred": 0}
        assert delivery.deliver() == {"sent": 0, "failed": 0, "kept": 0, "deferred": 0}
        message = db.session.scalars(select(EmailMessage)).one()
        assert message.status == "sent" and message.to_address == m.referrer.email
    [received] = inbox.messages
    assert "Subject: Threshold moderation: A panel decision is ready for you" in received
    assert url(app, "disputes.show", dispute_id=m.dispute_ids[0]) in received


def test_an_urgent_email_arrives_marked_urgent_and_an_ordinary_one_does_not(
        app, db, make_dispute, make_user, smtp):
    from email import message_from_string, policy

    from moderation.disputes import responding

    inbox = smtp()
    csc = make_user("csc_manager")
    make_dispute(immediate_risk=True)
    ordinary = make_dispute()
    with app.app_context():
        responding.respond(db.session.get(Dispute, ordinary), db.session.get(User, csc.id), "No.")
        db.session.commit()
        delivery.deliver()
    received = {m["To"]: m for m in (message_from_string(text, policy=policy.default)
                                     for text in inbox.messages)}
    urgent = received[csc.email]
    assert urgent["Subject"].strip() == ("Threshold moderation: URGENT: a dispute about a child "
                                         "at immediate risk")
    assert (urgent["Importance"], urgent["X-Priority"]) == ("high", "1 (Highest)")
    [answered] = [m for to, m in received.items() if to != csc.email]
    assert answered["Subject"].strip() == ("Threshold moderation: Your dispute has been "
                                           "answered at an escalation stage")
    assert answered["Importance"] is None and answered["X-Priority"] is None


def test_a_failing_smtp_server_that_recovers_gets_exactly_one_delivery(
        app, db, panel_meeting, smtp):
    inbox = smtp(refuse=2)
    _decided(app, db, panel_meeting)
    with app.app_context():
        now = datetime.now(UTC)
        assert delivery.deliver(now)["failed"] == 1
        assert delivery.deliver(now)["failed"] == 0  # backing off: not due yet
        assert delivery.deliver(now + timedelta(minutes=2))["failed"] == 1
        assert delivery.deliver(now + timedelta(minutes=10))["sent"] == 1
        assert delivery.deliver(now + timedelta(hours=5))["sent"] == 0
        message = db.session.scalars(select(EmailMessage)).one()
        assert (message.status, message.attempts) == ("sent", 3)
    assert len(inbox.messages) == 1


def test_repeated_failures_leave_a_dead_letter_an_admin_can_retry(
        app, db, panel_meeting, smtp, make_user):
    inbox = smtp(refuse=100)
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    _decided(app, db, panel_meeting)
    with app.app_context():
        now = datetime.now(UTC)
        delivery.deliver(now)
        delivery.deliver(now + timedelta(hours=1))
        message = db.session.scalars(select(EmailMessage)).one()
        assert message.status == "dead" and "451" in message.last_error
    admin = make_user("admin")
    client = app.test_client()
    sign_in(client, admin)
    assert "Failed: needs a retry" in client.get(url(app, "admin.outbox")).text
    post(client, url(app, "admin.outbox_retry", message_id=message.id))
    inbox.refuse = 0
    with app.app_context():
        assert delivery.deliver(datetime.now(UTC) + timedelta(seconds=1))["sent"] == 1
    assert len(inbox.messages) == 1


def test_no_email_names_the_child_for_any_kind_of_notification(app, db, panel_meeting):
    for kind in KINDS:
        subject, body = email_for(kind, "Riley Referrer", "https://example.org/x")
        assert "{" not in subject + body
    m = _decided(app, db, panel_meeting)
    with app.app_context():
        session = db.session.scalars(select(PanelSession)).one()
        actions.add_action(session, db.session.get(User, m.chair.id), working_days=2,
                           item=session.agenda[0], description="Review the plan",
                           owner_id=m.reps["police"].id)
        with at(date(2026, 12, 14)):
            reminders.chase_overdue_actions()
            db.session.commit()
        emails = db.session.scalars(select(EmailMessage)).all()
        reference = db.session.scalars(select(Dispute.reference)).first()
        assert {e.kind for e in emails} == {"decision", "action_owed", "action_overdue"}
        for email in emails:
            text = email.subject + email.body
            for detail in ("Amelia", "Jones", "2021", "14 March", reference):
                assert detail not in text, (email.kind, detail)


def test_a_user_can_turn_off_optional_emails_but_not_required_ones(app, db, panel_meeting):
    from moderation.notifications import services

    m = panel_meeting(started=False)
    with app.app_context():
        user = db.session.get(User, m.reps["health"].id)
        services.set_preferences(user, wanted_kinds=set())
        db.session.commit()
        assert not services.wants_email(user.id, "session_reminder")
        assert services.wants_email(user.id, "stage_due")
        with at(date(2026, 12, 4)):
            reminders.remind_sessions()
            db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(EmailMessage).where(
            EmailMessage.user_id == user.id, EmailMessage.kind == "session_reminder")) == 0
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.key.like("session-reminder:%"))) == 1


def test_two_overlapping_deliverers_send_each_email_once(app, db, panel_meeting, smtp):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("overlapping schedulers are tested on PostgreSQL, where rows are locked")
    from tests.helpers import run_together

    inbox = smtp()
    _decided(app, db, panel_meeting)

    def deliver():
        with app.app_context():
            return delivery.deliver()["sent"]

    assert sorted(run_together(deliver, deliver)) == [0, 1]
    assert len(inbox.messages) == 1
