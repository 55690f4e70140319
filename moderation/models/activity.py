"""A dispute's last activity (`Dispute.last_activity_at`), stamped by the ORM at every flush.

Whatever happens to a dispute is a change to its own row or a new row of its own: a stage opened,
answered or closed, new information, a document added or withdrawn, a place on an agenda or a
deferral, the panel's decision. Every service writes those through the session, so stamping
them here, once, means no service can forget to, and the list of open disputes nobody has
touched for a year (retention/inactivity.py) reads one indexed column instead of the latest of
six tables for each of 720,000 disputes. Set-based statements (the retention job's anonymising)
do not pass through here, and are not activity. A legal hold is kept about a dispute, not done
to it, so it is not activity either.
"""

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from moderation.models.disputes import Dispute, DisputeStage
from moderation.models.meeting import PanelDecision
from moderation.models.panels import AgendaItem
from moderation.models.papers import DisputeAddition, DisputeDocument
from moderation.models.types import utcnow

# The dispute's own rows: a new one is activity, and so is a change to the attributes named
# (None: any of its columns).
OWN_ROWS = {
    DisputeStage: None,
    DisputeAddition: None,
    DisputeDocument: None,
    AgendaItem: ("deferred",),  # not its place or time on a draft agenda
    PanelDecision: None,
}


@event.listens_for(Session, "before_flush")
def stamp_activity(session, flush_context, instances):
    now, stamped = utcnow(), set()
    with session.no_autoflush:
        for dispute in _disputes_acted_on(session):
            if id(dispute) not in stamped:
                stamped.add(id(dispute))
                dispute.last_activity_at = now


def _disputes_acted_on(session):
    for row in session.new:
        if type(row) in OWN_ROWS:
            yield from _dispute_of(session, row)
    for row in session.dirty:
        if isinstance(row, Dispute):
            if session.is_modified(row, include_collections=False):
                yield row
        elif type(row) in OWN_ROWS and _changed(row, OWN_ROWS[type(row)]):
            yield from _dispute_of(session, row)


def _changed(row, attributes):
    state = inspect(row)
    names = attributes or [column.key for column in state.mapper.column_attrs]
    return any(state.attrs[name].history.has_changes() for name in names)


def _dispute_of(session, row):
    """The row's dispute, unless it is new itself (its default stamps it)."""
    dispute = row.__dict__.get("dispute")  # as the service set it, without a lazy load
    if dispute is None and row.dispute_id is not None:
        dispute = session.get(Dispute, row.dispute_id)
    if dispute is not None and dispute not in session.new:
        yield dispute
