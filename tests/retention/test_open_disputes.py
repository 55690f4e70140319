"""Issue #24, point 7: no open dispute is kept for ever. The child's age on the retention schedule
applies to a dispute whatever its state: an open one whose child is past the age is withdrawn by
the nightly run (so every list, clock and figure reads it as closed) and anonymised, unless it
is held, or a panel still to meet has it on its agenda (it waits until that day has passed).
The demonstration data, run as if in 2053, keeps no open dispute's child."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from moderation import demo
from moderation.calendar import UK
from moderation.disputes import (
    child_identifiers,
    queries,
    queue,
    responding,
    settling,
    urgent_panel,
)
from moderation.models import (
    AgendaItem,
    Dispute,
    DisputeStage,
    LegalHold,
    Notification,
    PanelSession,
    User,
)
from moderation.outcomes import figures as outcomes
from moderation.panels import agenda
from moderation.retention import job, withdrawal
from moderation.scheduling import jobs

ADULT = date(1990, 1, 1)  # 36 in 2026: long past the schedule's 25
CHILD = date(2021, 3, 14)  # the default: 5 in 2026
RUN_ON = date(2026, 12, 1)  # a Tuesday, after every state below was reached
SCHEDULE_REASON = "Withdrawn by the retention schedule: the child is over 25."


def run(app, today):
    with app.app_context():
        return job.run(today).counts


def _answered(app, db, dispute_id, csc):
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        responding.respond(dispute, db.session.get(User, csc.id), "CSC's view is unchanged.")
        db.session.commit()


def _awaiting_referrer(app, db, dispute_id, csc):
    with app.app_context():
        dispute, manager = db.session.get(Dispute, dispute_id), db.session.get(User, csc.id)
        responding.respond(dispute, manager, "We went through the decision.")
        settling.propose_settlement(dispute, manager, "information_or_advice",
                                    "The referrer accepted the advice.", on=date(2026, 11, 24))
        db.session.commit()


def _on_a_draft_agenda(app, db, dispute_id, chair, session_id):
    with app.app_context():
        agenda.add_item(db.session.get(PanelSession, session_id), db.session.get(User, chair.id),
                        dispute_id)
        db.session.commit()


@pytest.fixture
def in_state(app, db, make_dispute, queue_disputes, make_user, make_session):
    """Raise a dispute with the child born on `born` and bring it to `state`; its id."""
    people = {}

    def person(role):
        if role not in people:
            people[role] = make_user(role)
        return people[role]

    def make(state, born):
        if state in ("queued", "on a draft agenda"):
            [dispute_id] = queue_disputes({"child_dob": born})
        elif state == "urgent, waiting for its panel":
            [dispute_id] = queue_disputes({"child_dob": born, "immediate_risk": True})
        else:
            dispute_id = make_dispute(child_dob=born, immediate_risk=state == "urgent")
        if state == "answered, not resolved":
            _answered(app, db, dispute_id, person("csc_manager"))
        elif state == "waiting for the referrer":
            _awaiting_referrer(app, db, dispute_id, person("csc_manager"))
        elif state == "on a draft agenda":
            if "session" not in people:
                people["session"] = make_session(held_on=date(2026, 12, 15))
            _on_a_draft_agenda(app, db, dispute_id, person("chair"), people["session"])
        return dispute_id

    return make


STATES = ["in escalation", "answered, not resolved", "waiting for the referrer", "queued",
          "on a draft agenda", "urgent", "urgent, waiting for its panel"]


def _stands(app, db, dispute_id):
    """Where a dispute stands, as the lists and clocks read it."""
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        return {
            "child": (dispute.child_name, dispute.child_dob),
            "status": dispute.status,
            "withdrawn": (dispute.withdrawn_on, dispute.withdrawn_reason, dispute.withdrawn_by_id),
            "open stages": db.session.scalars(select(DisputeStage.position).where(
                DisputeStage.dispute_id == dispute_id, DisputeStage.closed_on.is_(None))).all(),
            "on the queue": dispute_id in [d.id for d in db.session.scalars(
                queue.query(queue.QueueFilters(), monthly=False))],
            "on an agenda": db.session.scalar(select(AgendaItem.id).where(
                AgendaItem.dispute_id == dispute_id, AgendaItem.deferred.is_(False))) is not None,
            "in the urgent box": dispute_id in [s.dispute.id for s in urgent_panel.standings()],
            "on CSC's list": dispute_id in [d.id for d in queries.csc_worklist()],
        }


@pytest.mark.parametrize("state", STATES)
def test_an_open_dispute_whose_child_is_past_the_age_is_withdrawn_and_anonymised(
        app, db, in_state, state):
    adult, child = in_state(state, ADULT), in_state(state, CHILD)
    before = _stands(app, db, child)
    was_open = _stands(app, db, adult)["open stages"]

    counts = run(app, RUN_ON)

    assert (counts["disputes_anonymised"], counts["open_withdrawn"]) == (1, 1)
    stands = _stands(app, db, adult)
    assert stands["child"] == (None, None)
    assert stands["status"] == "withdrawn"
    assert stands["withdrawn"] == (RUN_ON, SCHEDULE_REASON, None)
    assert stands["open stages"] == []
    assert not any(stands[where] for where in ("on the queue", "on an agenda",
                                               "in the urgent box", "on CSC's list"))
    with app.app_context():  # the stage it was at closed as withdrawn, and no other
        assert db.session.scalars(select(DisputeStage.position).where(
            DisputeStage.dispute_id == adult, DisputeStage.outcome == "withdrawn")).all() == \
            was_open
    # The other child, 5 years old, in the same state, is as it was.
    assert _stands(app, db, child) == before


@pytest.mark.parametrize("state", STATES)
def test_no_clock_or_job_acts_on_a_dispute_the_schedule_withdrew(
        app, db, in_state, make_user, make_session, whole_database, state):
    for role in ("csc_manager", "partnership_manager", "chair"):  # whom a clock would tell
        make_user(role)
    # A panel whose agenda the scheduler freezes from the queue on 22 December.
    with app.app_context():
        session_id = make_session(held_on=date(2026, 12, 29))
        db.session.get(PanelSession, session_id).agenda_cutoff_on = date(2026, 12, 22)
        db.session.commit()
    dispute_id = in_state(state, ADULT)
    run(app, RUN_ON)
    with app.app_context():
        reference = db.session.get(Dispute, dispute_id).reference
    before = whole_database.rows(leave_out=("retention_run", "apscheduler_jobs"))
    told_before = _told_of(app, db, reference)
    # Weeks later, at 17:30 on a working day: every stage would be overdue, every settlement
    # unanswered, every urgent stage past its time, every agenda past its cut-off.
    with time_machine.travel(datetime(2026, 12, 22, 17, 30, tzinfo=UK), tick=False):
        for scheduled in jobs.JOBS:
            if scheduled.id not in ("retention", "deliver-email"):
                with app.app_context():
                    jobs.run_now(scheduled.id)
    after = whole_database.rows(leave_out=("retention_run", "apscheduler_jobs"))
    for table in ("dispute", "dispute_stage", "agenda_item"):
        assert after[table] == before[table], table
    assert _told_of(app, db, reference) == told_before  # nobody is asked to act on it


def _told_of(app, db, reference):
    with app.app_context():
        return db.session.scalars(select(Notification.key).where(
            Notification.message.contains(reference)).order_by(Notification.key)).all()


def test_a_held_open_dispute_is_kept_and_reported(app, db, in_state, make_user):
    manager = make_user("partnership_manager")
    dispute_id = in_state("queued", ADULT)
    with app.app_context():
        db.session.add(LegalHold(dispute_id=dispute_id, reason="A practice review",
                                 placed_by_id=manager.id))
        db.session.commit()
    counts = run(app, RUN_ON)
    assert (counts["disputes_anonymised"], counts["held_skipped"]) == (0, 1)
    assert _stands(app, db, dispute_id)["status"] == "queued"
    assert _stands(app, db, dispute_id)["child"] == ("Amelia Jones", ADULT)


def test_a_panel_still_to_meet_hears_the_dispute_first(app, db, in_state, make_user,
                                                       make_session):
    """On a frozen agenda for 8 December: kept (and said) until that day has passed; then, with
    the meeting never held, withdrawn, its item deferred so the meeting can still close."""
    chair = make_user("chair")
    dispute_id = in_state("queued", ADULT)
    session_id = make_session(held_on=date(2026, 12, 8))
    with app.app_context():
        session = db.session.get(PanelSession, session_id)
        agenda.add_item(session, db.session.get(User, chair.id), dispute_id)
        agenda.freeze(session, db.session.get(User, chair.id))
        db.session.commit()
        assert job.preview(date(2026, 12, 8)).counts["panel_waiting"] == 1

    for day in (RUN_ON, date(2026, 12, 8)):
        counts = run(app, day)
        assert (counts["disputes_anonymised"], counts["panel_waiting"]) == (0, 1)
        assert _stands(app, db, dispute_id)["status"] == "queued"

    counts = run(app, date(2026, 12, 9))
    assert (counts["disputes_anonymised"], counts["panel_waiting"]) == (1, 0)
    assert _stands(app, db, dispute_id)["status"] == "withdrawn"
    with app.app_context():
        item = db.session.scalar(select(AgendaItem).where(AgendaItem.dispute_id == dispute_id))
        assert (item.deferred, item.deferral_reason) == (True, withdrawal.OFF_THE_AGENDA)


def test_the_dry_run_counts_the_open_disputes_a_run_would_withdraw(app, db, in_state):
    due = [in_state(state, ADULT) for state in ("in escalation", "queued")]
    in_state("in escalation", CHILD)
    with app.app_context():
        preview = job.preview(RUN_ON)
        references = [db.session.get(Dispute, d).reference for d in due]
    assert (preview.counts["disputes_anonymised"], preview.counts["open_withdrawn"]) == (2, 2)
    assert preview.references == references
    assert run(app, RUN_ON) == preview.counts


# The demonstration data, run as if in 2053 ----------------------------------------------------

OPEN_IN_THE_DEMO = ["Leo Carter", "Mia Roberts", "Noah Ahmed", "Ava Thompson", "Oscar Lee",
                    "Freya Hall", "Ethan Wright", "Unborn Patel"]
YEAR_2026 = outcomes.Period(date(2026, 1, 1), date(2026, 12, 31))
# Where the urgent disputes raised in 2026 stand now: the one figure that is of today.
STANDING_NOW = ("open", "waiting", "withdrawn")


def _figures_2026(app):
    with app.app_context():
        data = outcomes.figures(YEAR_2026).as_data()
    standing = {key: data["urgent_route"].pop(key) for key in STANDING_NOW}
    return data, standing


def test_the_demo_run_as_if_in_2053_keeps_no_open_disputes_child(app, db, whole_database):
    """2053: the demo's youngest child, unborn and due early in 2027, is 25 by then, counted from
    the expected date of delivery (#25)."""
    with time_machine.travel(datetime(2026, 11, 23, 8, 0, tzinfo=UK), tick=False), \
            app.app_context():
        demo.load()
        db.session.commit()
        job.run(date(2026, 11, 23))
        open_children = db.session.execute(
            # The unborn child's age counts from the expected date of delivery (#25).
            select(Dispute.child_name, child_identifiers.child_date())
            .where(Dispute.status.in_(["escalating", "awaiting_referrer", "queued"]))
            .order_by(Dispute.id)).all()
    assert [name for name, _ in open_children] == OPEN_IN_THE_DEMO
    figures_before, standing_before = _figures_2026(app)

    with time_machine.travel(datetime(2053, 11, 23, 1, 30, tzinfo=UTC), tick=False):
        counts = run(app, date(2053, 11, 23))

    assert counts["open_withdrawn"] == 8
    names = [name for name, _ in open_children]
    born = [born.isoformat() for _, born in open_children]
    assert whole_database.find(*names, *born) == {}
    with app.app_context():
        statuses = db.session.scalars(select(Dispute.status).distinct()).all()
    assert {"escalating", "awaiting_referrer", "queued"}.isdisjoint(statuses)
    # The figures of 2026 are the same: only where its urgent dispute stands now has changed.
    figures_after, standing_after = _figures_2026(app)
    assert figures_after == figures_before
    assert (standing_before["open"], standing_before["withdrawn"]) == (1, 0)
    assert (standing_after["open"], standing_after["withdrawn"]) == (0, 1)

    # The same night again: nothing changes, and nobody is told (issue #24, point 8).
    before = whole_database.rows(leave_out=("retention_run",))
    with time_machine.travel(datetime(2053, 11, 23, 2, 30, tzinfo=UTC), tick=False):
        again = run(app, date(2053, 11, 23))
    assert (again["disputes_anonymised"], again["open_withdrawn"]) == (0, 0)
    assert whole_database.rows(leave_out=("retention_run",)) == before
