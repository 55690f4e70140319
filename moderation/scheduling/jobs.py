"""Every scheduled job, declared in one place with an explicit id (DESIGN.md §2 and §5).

The scheduler is its own process (`flask --app wsgi scheduler`): one APScheduler 3.11
BlockingScheduler with an SQLAlchemyJobStore on the application's database, so jobs survive a
restart. Web workers never start it. Job bodies are thin: each opens an app context, calls one
service in moderation/scheduling/reminders.py or moderation/notifications/delivery.py, and commits.
"""

import logging
from dataclasses import dataclass

from flask import current_app

log = logging.getLogger(__name__)
JOBSTORE_TABLE = "apscheduler_jobs"


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
]
JOB_IDS = {job.id: job for job in JOBS}

# The app the job bodies run in: set by the scheduler command, or created on first use.
_app = None


def use_app(app):
    global _app
    _app = app


def _run(step):
    from moderation import create_app
    from moderation.extensions import db

    app = _app or create_app()
    with app.app_context():
        try:
            result = step()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("Scheduled job failed")
            raise
    log.info("%s: %s", step.__name__, result)
    return result


def deliver_email():
    from moderation.notifications import delivery

    return _run(delivery.deliver)


def freeze_agendas():
    from moderation.scheduling import reminders

    return _run(reminders.freeze_due_agendas)


def escalation_alerts():
    from moderation.scheduling import reminders

    return _run(reminders.escalation_alerts)


def session_reminders():
    from moderation.scheduling import reminders

    return _run(reminders.remind_sessions)


def minutes_reminders():
    from moderation.scheduling import reminders

    return _run(reminders.remind_minutes)


def overdue_actions():
    from moderation.scheduling import reminders

    return _run(reminders.chase_overdue_actions)


def generate_sessions():
    from moderation.scheduling import reminders

    return _run(reminders.keep_series_generated)


def build_scheduler(blocking=True):
    """The scheduler with its job store on the app's database and every job declared."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

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
    import sqlalchemy as sa
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from moderation.extensions import db

    stored = {}
    if sa.inspect(db.engine).has_table(JOBSTORE_TABLE):
        table = sa.table(JOBSTORE_TABLE, sa.column("id"), sa.column("next_run_time"))
        stored = dict(db.session.execute(sa.select(table.c.id, table.c.next_run_time)).all())
    rows = []
    for job in JOBS:
        if job.id in stored and stored[job.id] is not None:
            from datetime import UTC, datetime

            rows.append((job, datetime.fromtimestamp(stored[job.id], UTC), "job store"))
            continue
        trigger_class = CronTrigger if job.trigger == "cron" else IntervalTrigger
        trigger = trigger_class(timezone="Europe/London", **job.trigger_args)
        rows.append((job, trigger.get_next_fire_time(None, now), "not yet scheduled"))
    return rows


def run_now(job_id):
    """Run one job now, as an operator would (`flask jobs run JOB_ID`)."""
    import importlib

    module, _, name = JOB_IDS[job_id].func.partition(":")
    return getattr(importlib.import_module(module), name)()
