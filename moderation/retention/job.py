"""The retention job: everything the schedule says is due on a day, done and reported.

`run` withdraws and anonymises the due disputes (withdrawal.py, anonymise.py), deletes old
notifications and emails and purges whole months of audit events (housekeeping.py), records
what it did as a `RetentionRun`, and tells the partnership managers when it changed anything or
the disputes kept changed (`_news`). `preview` counts the same without changing anything (the
dry run).

Each batch is its own transaction (`commit_job`), as the email delivery commits each message:
one transaction over 720,000 disputes would hold its locks and its undo for minutes and, on a
failure near the end, throw away all the work before it. Each batch adds what it did to its
run's counts in that same transaction, so the counts are exactly what was kept. A run that
stops halfway (the database restarted, the process killed) keeps the batches it finished; it is
recorded as stopped and the partnership managers are told, by the run itself if it still can,
else by the next run, which goes on from there. Every step is idempotent: what is done is no
longer due.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from sqlalchemy import select

from moderation.calendar import today as todays_date
from moderation.extensions import db
from moderation.models import RetentionRun
from moderation.models.types import utcnow
from moderation.notifications import notices
from moderation.retention import anonymise, housekeeping, schedule, withdrawal
from moderation.retention.anonymise import CutOffs
from moderation.web.boundary import commit_job

log = logging.getLogger(__name__)

# A run's counts, in the order the command prints them: the runs report's words.
COUNTS = {key: many[0].upper() + many[1:] for key, _, many in schedule.RUN_COUNTS}
# What a run keeps that was due: news only when it differs from the last run's.
KEPT = ("held_skipped", "panel_waiting")
# A run with no finish this old has stopped (the nightly job takes minutes, not hours); a
# younger one may still be running, as when someone runs the command during the nightly job.
STOPPED_AFTER = timedelta(hours=12)


def run(today, actor=None):
    """Do everything due on `today`, batch by batch, and record it; returns the run. `actor`:
    who ran it (None for the nightly scheduler job). A failure stops the run, which is recorded
    as stopped with what it did, and raised again."""
    run_id = commit_job(lambda: _started(today, actor))
    try:
        _do(run_id, today)
    except BaseException:
        _record_the_stop(run_id)
        raise
    return commit_job(lambda: _finished(run_id))


def nightly():
    """The scheduler's job: today's run."""
    return run(todays_date()).counts


def _started(today, actor):
    for stopped in _stopped_earlier():
        _stopped(stopped)
    started = RetentionRun(as_of=today, run_by_id=actor.id if actor else None,
                           counts={**dict.fromkeys(COUNTS, 0), "audit_deleted_before": None})
    db.session.add(started)
    db.session.flush()
    return started.id


def _do(run_id, today):
    cut_offs = CutOffs.on(today)
    _anonymise_all(run_id, cut_offs, today)
    commit_job(lambda: _add(run_id, held_skipped=anonymise.held_count(cut_offs),
                            panel_waiting=anonymise.panel_waiting_count(cut_offs)))
    before = housekeeping.notifications_before(today)
    if before is not None:
        _until_done(run_id, "notifications_deleted",
                    lambda: housekeeping.delete_notifications(before))
        _until_done(run_id, "emails_deleted", lambda: housekeeping.delete_emails(before))
    commit_job(partial(_purge_audit_events, run_id, today))


def _add(run_id, **numbers):
    """Add a batch's numbers to its run's counts, in the batch's own transaction."""
    run = db.session.get(RetentionRun, run_id)
    counts = dict(run.counts)
    for key, number in numbers.items():
        counts[key] = counts.get(key, 0) + number
    run.counts = counts


def _anonymise_all(run_id, cut_offs, today):
    """Every due, unheld dispute, a batch per transaction."""
    after = 0
    while ids := commit_job(partial(_anonymise_batch, run_id, cut_offs, after, today)):
        after = ids[-1]


def _anonymise_batch(run_id, cut_offs, after, today):
    """The next batch: the open ones among them withdrawn first, then all anonymised."""
    ids = anonymise.due_batch(cut_offs, after)
    if ids:
        withdrawn = withdrawal.close(ids, today, withdrawal.by_schedule_reason(cut_offs.age))
        deleted = anonymise.anonymise(ids, today)
        _add(run_id, disputes_anonymised=len(ids), open_withdrawn=withdrawn,
             documents_deleted=deleted)
    return ids


def _until_done(run_id, key, step):
    """Run a batch step, each its own transaction with its count, until it does nothing."""
    while commit_job(partial(_counted, run_id, key, step)):
        pass


def _counted(run_id, key, step):
    done = step()
    if done:
        _add(run_id, **{key: done})
    return done


def _purge_audit_events(run_id, today):
    deleted, kept_from = housekeeping.purge_audit_events(today)
    _add(run_id, audit_events_deleted=deleted)
    run = db.session.get(RetentionRun, run_id)
    run.counts = {**run.counts, "audit_deleted_before": kept_from.isoformat() if kept_from
                  else None}


def _finished(run_id):
    finished = db.session.get(RetentionRun, run_id)
    finished.finished_at = utcnow()
    if _news(finished):
        notices.retention_ran(finished)
    return finished


def _news(finished):
    """Whether the partnership managers need to hear of a run: it anonymised or deleted
    something, or the disputes it kept are not those the last finished run kept. A run that
    changes nothing is in the runs report and tells nobody, so a second run the same night is
    silent."""
    counts = finished.counts
    if any(counts.get(key) for key in COUNTS if key not in KEPT):
        return True
    before = db.session.scalar(
        select(RetentionRun).where(RetentionRun.id < finished.id,
                                   RetentionRun.finished_at.is_not(None))
        .order_by(RetentionRun.id.desc()).limit(1))
    kept_before = before.counts if before else {}
    return any(counts.get(key, 0) != kept_before.get(key, 0) for key in KEPT)


# A run that stops ---------------------------------------------------------------------------


def _record_the_stop(run_id):
    """Record the run as stopped and tell the managers, in a transaction of its own. The
    database may be what failed: then the next run does it (_stopped_earlier)."""
    try:  # the failed batch's own commit_job has rolled it back
        commit_job(lambda: _stopped(db.session.get(RetentionRun, run_id)))
    except Exception:
        log.exception("The retention run %s stopped and could not be recorded as stopped; the "
                      "next run will record it", run_id)


def _stopped_earlier():
    """Runs that never finished and were never recorded as stopped, old enough to be dead."""
    return db.session.scalars(select(RetentionRun).where(
        RetentionRun.finished_at.is_(None), RetentionRun.stopped_at.is_(None),
        RetentionRun.started_at < utcnow() - STOPPED_AFTER)
        .order_by(RetentionRun.id).with_for_update(skip_locked=True)).all()


def _stopped(stopped):
    """Once: the run is recorded as stopped, and the managers told what it did before."""
    if stopped.finished_at is None and stopped.stopped_at is None:
        stopped.stopped_at = utcnow()
        notices.retention_stopped(stopped)


@dataclass
class Preview:
    """What a run on `as_of` would do: the same counts, and the references of the disputes it
    would anonymise (never a child's details)."""

    as_of: object
    counts: dict
    references: list = field(default_factory=list)


def preview(today, listed=None):
    """What `run(today)` would do, changing nothing: the counts, and the references of the
    disputes it would anonymise (the first `listed` of them, or all)."""
    cut_offs = CutOffs.on(today)
    before = housekeeping.notifications_before(today)
    kept_from = housekeeping.audit_cut_off(today)
    counts = {
        "disputes_anonymised": anonymise.due_count(cut_offs),
        "open_withdrawn": anonymise.open_due_count(cut_offs),
        "documents_deleted": anonymise.documents_of(cut_offs),
        "held_skipped": anonymise.held_count(cut_offs),
        "panel_waiting": anonymise.panel_waiting_count(cut_offs),
        "notifications_deleted": housekeeping.count_notifications(before) if before else 0,
        "emails_deleted": housekeeping.count_emails(before) if before else 0,
        "audit_events_deleted": housekeeping.count_audit_events(kept_from) if kept_from else 0,
        "audit_deleted_before": kept_from.isoformat() if kept_from else None,
    }
    return Preview(today, counts, _due_references(cut_offs, listed))


def _due_references(cut_offs, listed):
    references, after = [], 0
    while batch := anonymise.due_references(cut_offs, after):
        references += [reference for _, reference in batch]
        if listed is not None and len(references) >= listed:
            return references[:listed]
        after = batch[-1][0]
    return references
