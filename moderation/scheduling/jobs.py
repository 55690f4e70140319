"""Every scheduled job, declared in one place with an explicit id (DESIGN.md §2 and §5).

The scheduler is its own process (`flask --app wsgi scheduler`): one APScheduler 3.11
BlockingScheduler with an SQLAlchemyJobStore on the application's database, so jobs survive a
restart. Web workers never start it. Job bodies are thin: each calls one service in
moderation/scheduling/reminders.py, moderation/notifications/delivery.py or
moderation/retention/job.py, and `_run` is the one place that runs a body, in an app context,
as one transaction (`commit_job`: committed when it returns, rolled back when it raises). The
email delivery commits each message on its own as well (notifications/delivery.py says why),
and the retention job each batch (retention/job.py).
"""

import importlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app, has_app_context

from moderation.extensions import db
from moderation.notifications import delivery
from moderation.retention import job as retention_job
from moderation.scheduling import reminders
from moderation.web.boundary import commit_job

log = logging.getLogger(__name__)
JOBSTORE_TABLE = "apscheduler_jobs"  # outside the models (models/base.py NOT_MAPPED)


@dataclass(frozen=True)
class Job:
    id: str
    func: str
    description: str
    trigger: str
    trigger_args: dict


JOBS = [
    Job("deliver-email", "moderation.scheduling.jobs:deliver_email", "Deliver the email outbox",
        "interval", {"minutes": 1}),
    Job("freeze-agendas", "moderation.scheduling.jobs:freeze_agendas",
        "Freeze agendas at their cut-off and tell members the papers are ready",
        "cron", {"hour": 6, "minute": 0}),
    Job("escalation-alerts", "moderation.scheduling.jobs:escalation_alerts",
        "Each working morning: stages due tomorrow or overdue, and last-stage overdue disputes",
        "cron", {"day_of_week": "mon-fri", "hour": 7, "minute": 0}),
    Job("lapse-last-stages", "moderation.scheduling.jobs:lapse_last_stages",
        "Each working morning: disputes whose last stage ran out join the panel queue",
        "cron", {"day_of_week": "mon-fri", "hour": 6, "minute": 30}),
    # Urgent stages are due at the end of the office day (the policy's urgent due time, 17:00
    # by default; at most 19:00): one not answered by then moves on within 15 minutes.
    Job("urgent-stages", "moderation.scheduling.jobs:urgent_stages",
        "Every 15 minutes in office hours: urgent stages not answered by their due time move on",
        "cron", {"day_of_week": "mon-fri", "hour": "8-19", "minute": "*/15"}),
    Job("unanswered-settlements", "moderation.scheduling.jobs:unanswered_settlements",
        "Each working morning: settlements the referrer did not answer in time escalate",
        "cron", {"day_of_week": "mon-fri", "hour": 6, "minute": 35}),
    Job("disputes-digest", "moderation.scheduling.jobs:disputes_digest",
        "Each working morning: CSC managers' digest of the disputes raised",
        "cron", {"day_of_week": "mon-fri", "hour": 7, "minute": 45}),
    Job("session-reminders", "moderation.scheduling.jobs:session_reminders",
        "Remind members two working days before a session", "cron", {"hour": 7, "minute": 15}),
    Job("minutes-reminders", "moderation.scheduling.jobs:minutes_reminders",
        "Remind the chair of minutes still in draft five working days after a session",
        "cron", {"hour": 7, "minute": 30}),
    Job("overdue-actions", "moderation.scheduling.jobs:overdue_actions",
        "Weekly: chase overdue actions",
        "cron", {"day_of_week": "mon", "hour": 8, "minute": 0}),
    Job("generate-sessions", "moderation.scheduling.jobs:generate_sessions",
        "Keep every series' sessions generated six months ahead", "cron",
        {"hour": 5, "minute": 0}),
    Job("retention", "moderation.scheduling.jobs:retention",
        "Nightly: anonymise and delete what the retention schedule says is due, and report it",
        "cron", {"hour": 1, "minute": 30}),
]
JOB_IDS = {job.id: job for job in JOBS}

# The app the job bodies run in: set by the scheduler and `jobs run` commands (cli.py), which
# made it; a job run by hand inside an app context runs in that app.
_app = None


def use_app(app):
    global _app
    _app = app


def _run(step):
    """Run one job body as one transaction, in the scheduler's app (the only commit or
    rollback a job has: the bodies only flush)."""
    if _app is None and not has_app_context():
        raise RuntimeError("A job runs in the scheduler's app: start it with "
                           "`flask --app wsgi scheduler`, or call use_app(app) first")
    app = _app or current_app._get_current_object()
    with app.app_context():
        try:
            result = commit_job(step)
        except Exception:
            log.exception("Scheduled job failed")
            raise
    log.info("%s: %s", step.__name__, result)
    return result


def deliver_email():
    return _run(delivery.deliver)


def freeze_agendas():
    return _run(reminders.freeze_due_agendas)


def escalation_alerts():
    return _run(reminders.escalation_alerts)


def lapse_last_stages():
    return _run(reminders.lapse_last_stages)


def urgent_stages():
    return _run(reminders.move_on_urgent_stages)


def unanswered_settlements():
    return _run(reminders.escalate_unanswered_settlements)


def disputes_digest():
    return _run(reminders.disputes_digest)


def session_reminders():
    return _run(reminders.remind_sessions)


def minutes_reminders():
    return _run(reminders.remind_minutes)


def overdue_actions():
    return _run(reminders.chase_overdue_actions)


def generate_sessions():
    return _run(reminders.keep_series_generated)


def retention():
    # The run commits each batch itself (retention/job.py says why); `_run`'s own commit then
    # has nothing left to write.
    return _run(retention_job.nightly)


def build_scheduler(blocking=True):
    """The scheduler with its job store on the app's database and every job declared."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(
        jobstores={"default": SQLAlchemyJobStore(url=url, tablename=JOBSTORE_TABLE)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone="Europe/London",
    )
    for job in JOBS:
        scheduler.add_job(job.func, job.trigger, id=job.id, name=job.description,
                          replace_existing=True, **job.trigger_args)
    return scheduler


def next_runs(now):
    """Each job with its next run: from the job store if the scheduler has run, otherwise as
    the trigger would fire it. Reads the store without starting a second scheduler on it."""
    stored = {}
    if sa.inspect(db.engine).has_table(JOBSTORE_TABLE):
        table = sa.table(JOBSTORE_TABLE, sa.column("id"), sa.column("next_run_time"))
        stored = dict(db.session.execute(sa.select(table.c.id, table.c.next_run_time)).all())
    rows = []
    for job in JOBS:
        if job.id in stored and stored[job.id] is not None:
            rows.append((job, datetime.fromtimestamp(stored[job.id], UTC), "job store"))
            continue
        trigger_class = CronTrigger if job.trigger == "cron" else IntervalTrigger
        trigger = trigger_class(timezone="Europe/London", **job.trigger_args)
        rows.append((job, trigger.get_next_fire_time(None, now), "not yet scheduled"))
    return rows


def run_now(job_id):
    """Run one job now, as an operator would (`flask jobs run JOB_ID`)."""
    module, _, name = JOB_IDS[job_id].func.partition(":")
    return getattr(importlib.import_module(module), name)()
