"""The retention job as a whole, under a frozen clock: twice changes nothing the second time;
notifications and emails past twelve months go (never an email waiting to be sent); whole
months of audit events past seven years go; each run is recorded and the partnership managers
told; the dry run changes nothing; the command and the nightly scheduler job."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from moderation.models import (
    AuditEvent,
    Dispute,
    EmailMessage,
    LegalHold,
    Notification,
    RetentionRun,
    User,
)
from moderation.retention import anonymise, job
from moderation.scheduling import jobs
from tests.conftest import client_for, page, url
from tests.retention.conftest import DUE, frozen

ZEROES = dict.fromkeys(job.COUNTS, 0)


def run(app, today, actor=None):
    with app.app_context():
        return job.run(today, actor).counts


def count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_job_twice_changes_nothing_the_second_time(app, db, history, whole_database):
    with frozen(DUE):
        first = run(app, DUE)
        assert first["disputes_anonymised"] == 4
        assert first["notifications_deleted"] > 0 and first["audit_events_deleted"] > 0
        before = whole_database.rows(leave_out={"retention_run"})
        second = run(app, DUE)
    assert {key: second[key] for key in job.COUNTS} == ZEROES
    assert whole_database.rows(leave_out={"retention_run"}) == before
    with app.app_context():
        assert count(db, RetentionRun) == 2


# Notifications and the email outbox -----------------------------------------------------------

TODAY = date(2026, 11, 24)
CUT_OFF = datetime(2025, 11, 24, tzinfo=UTC)  # twelve months before, at midnight
JUST_BEFORE = CUT_OFF - timedelta(seconds=1)


def test_notifications_and_finished_emails_older_than_twelve_months_go_and_no_other(
        app, db, make_user):
    user = make_user("referrer")
    with app.app_context():
        for key, at in (("old", JUST_BEFORE), ("new", CUT_OFF)):
            db.session.add(Notification(user_id=user.id, key=key, message=key, created_at=at))
        for status, at in (("sent", JUST_BEFORE), ("dead", JUST_BEFORE), ("kept", JUST_BEFORE),
                           ("pending", JUST_BEFORE - timedelta(days=800)), ("sent", CUT_OFF)):
            db.session.add(EmailMessage(
                key=f"{status}-{at:%Y%m%d%H%M%S}", user_id=user.id, kind="settled",
                to_address=user.email, subject="S", body="B", status=status, created_at=at))
        db.session.commit()
    with frozen(TODAY):
        counts = run(app, TODAY)
    assert (counts["notifications_deleted"], counts["emails_deleted"]) == (1, 3)
    with app.app_context():
        assert db.session.scalars(select(Notification.key)).all() == ["new"]
        left = db.session.execute(select(EmailMessage.status, EmailMessage.created_at)
                                  .order_by(EmailMessage.created_at)).all()
    # The email still waiting to be sent stays, however old; the recent sent one stays.
    assert [(status, at) for status, at in left] == [
        ("pending", JUST_BEFORE - timedelta(days=800)), ("sent", CUT_OFF)]


def test_notifications_go_in_bounded_batches(app, db, make_user, monkeypatch):
    from moderation.retention import housekeeping

    monkeypatch.setattr(housekeeping, "BATCH", 2)
    user = make_user("referrer")
    with app.app_context():
        db.session.add_all(Notification(user_id=user.id, key=f"n{n}", message="m",
                                        created_at=JUST_BEFORE) for n in range(5))
        db.session.commit()
        with frozen(TODAY):
            assert housekeeping.delete_notifications(CUT_OFF) == 2
            db.session.rollback()
    with frozen(TODAY):
        assert run(app, TODAY)["notifications_deleted"] == 5


# Audit events ---------------------------------------------------------------------------------


def test_whole_months_of_audit_events_past_seven_years_go_and_the_purge_is_audited(
        app, db, audited):
    as_of = date(2033, 12, 5)  # seven years back: everything before 1 December 2026 goes
    with app.app_context():
        for action, at in (("last_of_november", datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)),
                           ("first_of_december", datetime(2026, 12, 1, tzinfo=UTC))):
            db.session.add(AuditEvent(action=action, occurred_at=at))
        db.session.commit()
    with frozen(as_of):
        counts = run(app, as_of)
    assert (counts["audit_events_deleted"], counts["audit_deleted_before"]) == (1, "2026-12-01")
    with app.app_context():
        left = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "last_of_november" not in left and "first_of_december" in left
    assert audited("audit_months_purged") == [(None, {"before": "2026-12-01", "deleted": 1})]


# The run's record and who is told -------------------------------------------------------------


def test_the_run_is_recorded_and_the_partnership_managers_are_told_without_case_details(
        app, db, settled_dispute, make_user):
    managers = [make_user("partnership_manager"), make_user("partnership_manager")]
    csc = make_user("csc_manager")
    dispute_id = settled_dispute(child_case_number="NS-40211")
    with app.app_context():
        reference = db.session.get(Dispute, dispute_id).reference
    with frozen(DUE):
        with app.app_context():
            finished = job.run(DUE, db.session.get(User, csc.id))
            run_id, counts = finished.id, finished.counts
        assert counts["disputes_anonymised"] == 1
        with app.app_context():
            recorded = db.session.get(RetentionRun, run_id)
            assert (recorded.as_of, recorded.run_by_id) == (DUE, csc.id)
            assert recorded.finished_at == datetime(2046, 3, 14, 1, 30, tzinfo=UTC)
            told = db.session.scalars(select(Notification).where(
                Notification.key.like(f"retention-ran:run-{run_id}:%"))
                .order_by(Notification.user_id)).all()
            emails = db.session.scalars(select(EmailMessage).where(
                EmailMessage.kind == "retention_ran")).all()
    assert [n.user_id for n in told] == [m.id for m in managers]  # not CSC, who ran it
    assert told[0].link == url(app, "retention.runs")
    assert told[0].message.startswith(
        "The retention job of 14 March 2046 anonymised 1 dispute and deleted 0 documents, ")
    assert sorted(e.user_id for e in emails) == [m.id for m in managers]
    for email in emails:
        assert email.subject == "Threshold moderation: The retention job has run"
        assert url(app, "retention.runs") in email.body
        for detail in (reference, "Amelia", "Jones", "2021", "NS-40211", "14 March"):
            assert detail not in email.subject + email.body

    # A run that changes nothing tells nobody.
    with frozen(DUE):
        assert {k: v for k, v in run(app, DUE).items() if k in job.COUNTS} == ZEROES
    with app.app_context():
        assert count(db, Notification, Notification.key.like("retention-ran:%")) == 2


def test_a_dispute_kept_on_legal_hold_is_reported_when_the_holds_change(
        app, db, settled_dispute, make_user, whole_database):
    manager = make_user("partnership_manager")
    dispute_id = settled_dispute()
    with app.app_context():
        db.session.add(LegalHold(dispute_id=dispute_id, reason="A practice review",
                                 placed_by_id=manager.id))
        db.session.commit()
    with frozen(DUE):
        counts = run(app, DUE)
    assert (counts["disputes_anonymised"], counts["held_skipped"]) == (0, 1)
    with app.app_context():
        [told] = db.session.scalars(select(Notification.message).where(
            Notification.key.like("retention-ran:%"))).all()
    assert told.endswith("1 dispute due for anonymisation was kept because of a legal hold.")
    # The next night keeps the same hold and changes nothing: it is recorded, and tells nobody.
    before = whole_database.rows(leave_out=("retention_run",))
    with frozen(DUE):
        assert run(app, DUE)["held_skipped"] == 1
    assert whole_database.rows(leave_out=("retention_run",)) == before
    with app.app_context():
        assert count(db, RetentionRun) == 2


# The dry run ----------------------------------------------------------------------------------


def test_the_dry_run_counts_what_a_run_would_do_lists_references_and_changes_nothing(
        app, db, settled_dispute, make_user, whole_database):
    manager = make_user("partnership_manager")
    due, held = settled_dispute(), settled_dispute(child_name="Isla Brown")
    not_yet = settled_dispute(child_dob=date(2022, 1, 1))
    with app.app_context():
        db.session.add(LegalHold(dispute_id=held, reason="A review", placed_by_id=manager.id))
        db.session.commit()
        references = {i: db.session.get(Dispute, i).reference for i in (due, held, not_yet)}
    before = whole_database.rows()
    with frozen(DUE), app.app_context():
        preview = job.preview(DUE)
    assert whole_database.rows() == before
    assert preview.references == [references[due]]
    assert preview.counts["held_skipped"] == 1
    with frozen(DUE):
        done = run(app, DUE)
    assert done == preview.counts


# The command and the scheduler ----------------------------------------------------------------


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def test_the_command_dry_run_lists_references_and_changes_nothing(app, db, cli,
                                                                  settled_dispute):
    dispute_id = settled_dispute()
    result = cli.invoke(args=["retention", "--dry-run", "--as-of", "2046-03-14"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        assert dispute.anonymised_on is None and dispute.child_name == "Amelia Jones"
        reference = dispute.reference
    assert "A run as of 2046-03-14 would change:" in result.output
    assert "  Disputes anonymised: 1" in result.output
    assert f"  would anonymise {reference}" in result.output
    assert result.output.rstrip().endswith("Nothing was changed.")
    assert "Amelia" not in result.output


def test_the_command_runs_as_of_today_and_prints_what_it_did(app, db, cli, settled_dispute):
    dispute_id = settled_dispute()
    with frozen(DUE, hour=10):
        result = cli.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "The retention run as of 2046-03-14 changed:" in result.output
    assert "  Disputes anonymised: 1" in result.output
    with app.app_context():
        assert db.session.get(Dispute, dispute_id).anonymised_on == DUE
        assert db.session.scalars(select(RetentionRun.as_of)).all() == [DUE]


@pytest.mark.parametrize(("as_of", "says"), [
    ("2046-02-30", "'2046-02-30' is not a date: give it as YYYY-MM-DD, like 2026-11-24"),
    ("14/03/2046", "'14/03/2046' is not a date: give it as YYYY-MM-DD"),
    ("2046-03-15", "a run cannot be as of a day after today: use --dry-run to see what that "
                   "day would change"),
])
def test_the_command_refuses_a_bad_or_future_date_clearly_and_changes_nothing(
        app, db, cli, settled_dispute, as_of, says):
    dispute_id = settled_dispute()
    with frozen(DUE, hour=10):
        result = cli.invoke(args=["retention", "--as-of", as_of])
    assert result.exit_code == 2
    assert says in " ".join(result.output.split())
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.get(Dispute, dispute_id).anonymised_on is None
        assert count(db, RetentionRun) == 0


def test_the_nightly_scheduler_job_runs_as_of_today(app, db, settled_dispute):
    dispute_id = settled_dispute()
    assert jobs.JOB_IDS["retention"].trigger_args == {"hour": 1, "minute": 30}
    with frozen(DUE - timedelta(days=1)), app.app_context():
        assert jobs.run_now("retention")["disputes_anonymised"] == 0
    with frozen(DUE), app.app_context():
        assert jobs.run_now("retention")["disputes_anonymised"] == 1
    with app.app_context():
        assert db.session.get(Dispute, dispute_id).anonymised_on == DUE
        assert count(db, RetentionRun) == 2


# A run that stops (issue #24, point 9) --------------------------------------------------------

STOPPED = ("The retention job of 14 March 2046 stopped before it finished. Before it stopped it "
           "anonymised 2 disputes and deleted 0 documents. The next run goes on from where it "
           "stopped.")


@pytest.fixture
def five_due(settled_dispute, monkeypatch):
    """Five disputes due on 14 March 2046, anonymised two to a batch."""
    monkeypatch.setattr(anonymise, "BATCH", 2)
    return [settled_dispute(child_name=f"Child {n} Jones", child_case_number=f"NS-5000{n}")
            for n in range(5)]


def the_database_restarts_in_batch(app, db, monkeypatch, number):
    """The database goes away during the `number`th batch of disputes, as a PostgreSQL restart
    does: on PostgreSQL its connection is really ended; SQLite, in the process, cannot restart,
    so the driver's error is raised instead. Returns the real step, to put back."""
    batches, real = [], anonymise.anonymise

    def restarting(dispute_ids, today):
        batches.append(dispute_ids)
        done = real(dispute_ids, today)
        if len(batches) == number:
            if db.engine.dialect.name == "postgresql":
                db.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
            raise OperationalError("COMMIT", {}, RuntimeError("server closed the connection"))
        return done

    monkeypatch.setattr(anonymise, "anonymise", restarting)
    return real


def told(app, db, prefix):
    with app.app_context():
        return db.session.scalars(select(Notification.message).where(
            Notification.key.like(f"{prefix}%")).order_by(Notification.id)).all()


def test_a_run_that_stops_reports_what_it_did_and_tells_the_managers_once(
        app, db, five_due, make_user, monkeypatch):
    manager = make_user("partnership_manager")
    real = the_database_restarts_in_batch(app, db, monkeypatch, 2)
    with frozen(DUE), pytest.raises(OperationalError):
        run(app, DUE)
    with app.app_context():
        [stopped] = db.session.scalars(select(RetentionRun)).all()
        # The first batch is kept and counted; the second, whose commit never came, is not.
        assert stopped.counts["disputes_anonymised"] == 2
        assert (stopped.finished_at, stopped.stopped_at) == (
            None, datetime(2046, 3, 14, 1, 30, tzinfo=UTC))
        assert [d.anonymised_on for d in db.session.scalars(
            select(Dispute).where(Dispute.id.in_(five_due)).order_by(Dispute.id))] == \
            [DUE, DUE, None, None, None]
    assert told(app, db, "retention-stopped:") == [STOPPED]
    assert told(app, db, "retention-ran:") == []
    report = client_for(app, manager).get(url(app, "retention.runs"))
    [row] = [[" ".join(cell.get_text(" ", strip=True).split()) for cell in tr.select("td")]
             for tr in page(report).select("main tbody tr")]
    assert row[0] == ("14 March 2046 Not finished: stopped before the end. The next run goes on "
                      "from there.")
    assert row[2].startswith("2 disputes anonymised 0 disputes due but on legal hold, so kept")
    with app.app_context():
        [email] = db.session.scalars(select(EmailMessage).where(
            EmailMessage.kind == "retention_stopped")).all()
    assert email.user_id == manager.id
    assert email.subject == "Threshold moderation: The retention job did not finish"
    for detail in ("Child", "Jones", "NS-5000", "D-2026", "2021"):
        assert detail not in email.subject + email.body

    # The next night goes on from there, says what it did itself, and tells of the stop no more.
    monkeypatch.setattr(anonymise, "anonymise", real)
    with frozen(DUE + timedelta(days=1)):
        assert run(app, DUE + timedelta(days=1))["disputes_anonymised"] == 3
    assert told(app, db, "retention-stopped:") == [STOPPED]
    [ran] = told(app, db, "retention-ran:")
    assert ran.startswith("The retention job of 15 March 2046 anonymised 3 disputes and ")


def test_a_stop_the_run_could_not_record_is_recorded_and_told_by_the_next_run(
        app, db, five_due, make_user, monkeypatch):
    """The database is still down when the run tries to record its stop: the next run, the next
    night, records it and tells the managers, once; a run still going (started within the
    hour, as the command during the nightly job) is not taken for stopped."""
    make_user("partnership_manager")
    real = the_database_restarts_in_batch(app, db, monkeypatch, 2)
    monkeypatch.setattr(job, "_stopped", _still_down(job._stopped))
    with frozen(DUE), pytest.raises(OperationalError):
        run(app, DUE)
    with app.app_context():
        [stopped] = db.session.scalars(select(RetentionRun)).all()
        assert (stopped.counts["disputes_anonymised"], stopped.stopped_at) == (2, None)
    assert told(app, db, "retention-stopped:") == []

    monkeypatch.setattr(anonymise, "anonymise", real)
    with frozen(DUE, hour=2):  # an hour later: it may still be running
        assert run(app, DUE)["disputes_anonymised"] == 3
    assert told(app, db, "retention-stopped:") == []
    with frozen(DUE + timedelta(days=1)):
        assert run(app, DUE + timedelta(days=1))["disputes_anonymised"] == 0
    assert told(app, db, "retention-stopped:") == [STOPPED]
    with app.app_context():
        assert db.session.get(RetentionRun, stopped.id).stopped_at == datetime(
            2046, 3, 15, 1, 30, tzinfo=UTC)
    with frozen(DUE + timedelta(days=2)):
        run(app, DUE + timedelta(days=2))
    assert told(app, db, "retention-stopped:") == [STOPPED]


def _still_down(stopped):
    calls = []

    def first_fails(run_record):
        calls.append(run_record)
        if len(calls) == 1:
            raise OperationalError("UPDATE", {}, RuntimeError("the database is still down"))
        return stopped(run_record)

    return first_fails


def test_every_batch_adds_its_counts_in_its_own_transaction(app, db, five_due, monkeypatch):
    """What the run row says while the run goes: the batches committed so far, no more."""
    seen, real = [], anonymise.anonymise

    def watching(dispute_ids, today):
        with db.engine.connect() as other:  # another connection reads what is committed
            seen.append(other.scalar(select(RetentionRun.counts))["disputes_anonymised"])
        return real(dispute_ids, today)

    monkeypatch.setattr(anonymise, "anonymise", watching)
    with frozen(DUE):
        assert run(app, DUE)["disputes_anonymised"] == 5
    assert seen == [0, 2, 4]
