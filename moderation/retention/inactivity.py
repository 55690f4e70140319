"""Open disputes nobody has acted on for the schedule's period (12 months by default): listed
for the partnership manager, oldest first, to withdraw (withdrawal.py) or hold (holds.py), so
that no open dispute is kept for ever (rule 15).

A dispute's last activity is its indexed `last_activity_at` (models/activity.py says what
counts). One on legal hold is not listed: the manager has already decided to keep it.
"""

from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from moderation.extensions import db
from moderation.models import Dispute, RecordKind
from moderation.models.dispute_terms import OPEN_STATUSES
from moderation.retention import schedule
from moderation.retention.anonymise import held


def period():
    """The schedule's period as (number, unit), like (12, "months")."""
    rule = schedule.rule(RecordKind.INACTIVE_DISPUTES)
    return rule.keep_for, rule.unit


def period_in_words():
    """'12 months'."""
    return schedule.period_in_words(*period())


def since(today):
    """Midnight (UTC) the period before `today`: a dispute last touched before then is listed."""
    number, unit = period()
    day = today - relativedelta(**{unit: number})
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _inactive(today):
    return (Dispute.status.in_(OPEN_STATUSES), Dispute.anonymised_on.is_(None),
            Dispute.last_activity_at < since(today), ~held())


def page(today, number, per_page):
    """A page of the open disputes with no activity, the longest untouched first, each with its
    referring agency and holds (which say whether it may be held) in the same few queries."""
    query = (select(Dispute).where(*_inactive(today))
             .options(joinedload(Dispute.referring_agency), selectinload(Dispute.holds))
             .order_by(Dispute.last_activity_at, Dispute.id))
    return db.paginate(query, page=number, per_page=per_page, error_out=False)


def count(today):
    return db.session.scalar(select(func.count(Dispute.id)).where(*_inactive(today)))
