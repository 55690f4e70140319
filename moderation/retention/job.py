"""The retention job: everything the schedule says is due on a day, done and reported.

`run` anonymises the due disputes (anonymise.py), deletes old notifications and emails and
purges whole months of audit events (housekeeping.py), records what it did as a
`RetentionRun`, and tells the partnership managers when it changed anything or the disputes kept
on legal hold changed (`_news`). `preview` counts the same without changing anything (the dry run).

Each batch is its own transaction (`commit_job`), as the email delivery commits each message:
one transaction over 720,000 disputes would hold its locks and its undo for minutes and, on a
failure near the end, throw away all the work before it. A run that stops halfway keeps the
batches it finished, its run is left without a finish time, and the next run goes on from
there. Every step is idempotent: what is done is no longer due.
"""

from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import select

from moderation.calendar import today as todays_date
from moderation.extensions import db
from moderation.models import RetentionRun
from moderation.models.types import utcnow
from moderation.notifications import notices
from moderation.retention import anonymise, housekeeping, schedule
from moderation.retention.anonymise import CutOffs
from moderation.web.boundary import commit_job

# A run's counts, in the order the command prints them: the runs report's words.
COUNTS = {key: many[0].upper() + many[1:] for key, _, many in schedule.RUN_COUNTS}


def run(today, actor=None):
    """Do everything due on `today`, batch by batch, and record it; returns the run. `actor`:
    who ran it (None for the nightly scheduler job)."""
    run_id = commit_job(lambda: _started(today, actor))
    counts = dict.fromkeys(COUNTS, 0)
    cut_offs = CutOffs.on(today)
    counts["disputes_anonymised"], counts["documents_deleted"] = _anonymise_all(cut_offs, today)
    counts["held_skipped"] = anonymise.held_count(cut_offs)
    before = housekeeping.notifications_before(today)
    if before is not None:
        counts["notifications_deleted"] = _until_done(
            lambda: housekeeping.delete_notifications(before))
        counts["emails_deleted"] = _until_done(lambda: housekeeping.delete_emails(before))
    deleted, kept_from = commit_job(lambda: housekeeping.purge_audit_events(today))
    counts["audit_events_deleted"] = deleted
    counts["audit_deleted_before"] = kept_from.isoformat() if kept_from else None
    return commit_job(lambda: _finished(run_id, counts))


def nightly():
    """The scheduler's job: today's run."""
    return run(todays_date()).counts


def _started(today, actor):
    started = RetentionRun(as_of=today, run_by_id=actor.id if actor else None, counts={})
    db.session.add(started)
    db.session.flush()
    return started.id


def _anonymise_all(cut_offs, today):
    """Every due, unheld dispute, a batch per transaction; (disputes, documents deleted)."""
    disputes = documents = 0
    after = 0
    while True:
        ids, deleted = commit_job(partial(_anonymise_batch, cut_offs, after, today))
        if not ids:
            return disputes, documents
        disputes, documents, after = disputes + len(ids), documents + deleted, ids[-1]


def _anonymise_batch(cut_offs, after, today):
    ids = anonymise.due_batch(cut_offs, after)
    return ids, anonymise.anonymise(ids, today)


def _until_done(step):
    """Run a batch step, each its own transaction, until it does nothing; the total."""
    total = 0
    while done := commit_job(step):
        total += done
    return total


def _finished(run_id, counts):
    finished = db.session.get(RetentionRun, run_id)
    finished.counts, finished.finished_at = counts, utcnow()
    if _news(finished):
        notices.retention_ran(finished)
    return finished


def _news(finished):
    """Whether the partnership managers need to hear of a run: it anonymised or deleted
    something, or the disputes kept on legal hold are not those the last run kept. A run that
    changes nothing is in the runs report and tells nobody, so a second run the same night is
    silent."""
    counts = finished.counts
    if any(counts[key] for key in COUNTS if key != "held_skipped"):
        return True
    before = db.session.scalar(
        select(RetentionRun).where(RetentionRun.id < finished.id,
                                   RetentionRun.finished_at.is_not(None))
        .order_by(RetentionRun.id.desc()).limit(1))
    held_before = before.counts.get("held_skipped", 0) if before else 0
    return counts["held_skipped"] != held_before


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
        "documents_deleted": anonymise.documents_of(cut_offs),
        "held_skipped": anonymise.held_count(cut_offs),
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
