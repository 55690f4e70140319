"""The retention schedule's deletions beyond disputes: notifications and the email outbox past
their period, and whole months of audit events through the one purge the log allows.

Notifications and emails go in bounded batches (the job commits each): the tables grow with
every event for every user. An email still waiting to be sent is never deleted, however old.
"""

from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import delete, func, select

from moderation.extensions import db
from moderation.models import AuditEvent, EmailMessage, EmailStatus, Notification, RecordKind
from moderation.retention import audit_purge, schedule

BATCH = 5000
# Sent, failed, or kept in the outbox by a deployment that sends no email: none will be sent.
FINISHED = (EmailStatus.SENT, EmailStatus.DEAD, EmailStatus.KEPT)


def _period(rule):
    return relativedelta(**{rule.unit or "years": rule.keep_for})


def notifications_before(today):
    """The moment before which notifications and emails are past the schedule (midnight UTC,
    the period before `today`), or None when the schedule keeps them."""
    rule = schedule.rule(RecordKind.NOTIFICATIONS)
    if rule is None or rule.keep_for is None:
        return None
    day = today - _period(rule)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _old_notifications(before):
    return select(Notification.id).where(Notification.created_at < before)


def _old_emails(before):
    return select(EmailMessage.id).where(EmailMessage.created_at < before,
                                         EmailMessage.status.in_(FINISHED))


def delete_notifications(before, size=None):
    """Delete up to `size` (BATCH) notifications older than `before`; returns how many."""
    return _delete_batch(Notification, _old_notifications(before), size)


def delete_emails(before, size=None):
    """Delete up to `size` (BATCH) finished emails older than `before`; returns how many."""
    return _delete_batch(EmailMessage, _old_emails(before), size)


def count_notifications(before):
    return _count(_old_notifications(before))


def count_emails(before):
    return _count(_old_emails(before))


def _delete_batch(model, ids, size):
    batch = ids.order_by(model.id).limit(size or BATCH).scalar_subquery()
    return db.session.execute(delete(model).where(model.id.in_(batch))
                              .execution_options(synchronize_session=False)).rowcount


def _count(ids):
    return db.session.scalar(select(func.count()).select_from(ids.subquery()))


def audit_cut_off(today):
    """The first day of the oldest month of audit events kept, or None when the schedule keeps
    them all."""
    rule = schedule.rule(RecordKind.AUDIT_EVENTS)
    if rule is None or rule.keep_for is None:
        return None
    if (rule.unit or "years") == "years":
        return audit_purge.first_month_kept(today, rule.keep_for)
    return (today - _period(rule)).replace(day=1)


def count_audit_events(cut_off):
    return db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.occurred_at < datetime(cut_off.year, cut_off.month, 1, tzinfo=UTC)))


def purge_audit_events(today):
    """Delete the whole months of audit events past the schedule (recorded as an audit event of
    its own); returns (how many, the first day kept), or (0, None) when all are kept."""
    cut_off = audit_cut_off(today)
    if cut_off is None:
        return 0, None
    return audit_purge.purge_before(cut_off), cut_off
