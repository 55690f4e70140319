"""Every scheduled job, run twice in a row over the demo's data, changes nothing the second time:
the scheduler may fire a job again after a restart, or two schedulers may overlap for a moment,
and nobody may be told twice, nor a record moved twice."""

from datetime import datetime

import pytest
import time_machine

from moderation import demo
from moderation.calendar import UK
from moderation.scheduling import jobs

# Kept by the scheduler itself, and the retention job's record of each run (the runs report).
RUN_RECORDS = ("apscheduler_jobs", "retention_run")


@pytest.fixture
def app_config():
    """Emails kept in the outbox, as `make run` keeps them: with no mail server here, a second
    delivery run would rightly try the next email after the first one failed."""
    return {"MAIL_DELIVERY": "outbox"}


@pytest.fixture
def demo_monday(app, db):
    """The demo's data as `make run` loads it on Monday 23 November 2026 at 08:00, then the clock
    at 17:30 that day: after the urgent stages' due time, with every kind of job due."""
    with time_machine.travel(datetime(2026, 11, 23, 8, 0, tzinfo=UK), tick=False) as clock:
        with app.app_context():
            demo.load()
            db.session.commit()
        clock.move_to(datetime(2026, 11, 23, 17, 30, tzinfo=UK))
        yield


@pytest.mark.parametrize("job", jobs.JOBS, ids=lambda job: job.id)
def test_a_job_run_twice_changes_nothing_the_second_time(app, demo_monday, whole_database, job):
    with app.app_context():
        jobs.run_now(job.id)
    after_first = whole_database.rows(leave_out=RUN_RECORDS)
    with app.app_context():
        jobs.run_now(job.id)
    assert whole_database.rows(leave_out=RUN_RECORDS) == after_first


def test_the_urgent_job_had_work_to_do_in_the_demo(app, db, demo_monday):
    """The test above is only worth something if the urgent job moved something the first time:
    the demo's urgent dispute, raised today, unanswered at 17:30."""
    with app.app_context():
        assert jobs.run_now("urgent-stages") == 1
        assert jobs.run_now("urgent-stages") == 0
