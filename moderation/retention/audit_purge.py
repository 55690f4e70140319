"""The one way audit events leave the log: whole months past the schedule, through the single
named path the append-only triggers allow (migration 3b770c8c6cc9)."""

from datetime import UTC, date, datetime

import sqlalchemy as sa

from moderation.extensions import db
from moderation.models import AuditEvent
from moderation.web import audit

# SQLite stores UTC datetimes as text in this form, so the cut-off compares as text.
SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def first_month_kept(today, years):
    """The first day of the oldest month kept: audit events before it are past the schedule.
    A month is deleted only once all of it is older than `years`."""
    return date(today.year - years, today.month, 1)


def purge_before(cut_off):
    """Delete every audit event before `cut_off` (the first of a month), record that it was
    done as an audit event of its own, and return how many went. Nothing else may delete one."""
    if cut_off.day != 1:
        raise ValueError("Audit events are purged in whole months: give the first of a month")
    counted = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.occurred_at < datetime(cut_off.year, cut_off.month, 1, tzinfo=UTC)))
    if counted:
        _purge(cut_off)
        audit.record("audit_months_purged", object_type="audit_event", actor=None,
                     before=cut_off.isoformat(), deleted=counted)
    return counted


def _purge(cut_off):
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT purge_audit_months(:cut_off)"), {"cut_off": cut_off})
        return
    stamp = datetime(cut_off.year, cut_off.month, 1).strftime(SQLITE_FORMAT)
    db.session.execute(sa.text("INSERT INTO audit_purge (cut_off) VALUES (:cut_off)"),
                       {"cut_off": stamp})
