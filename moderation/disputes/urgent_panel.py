"""An urgent dispute's panel (DESIGN.md §4 rules 14 and 17): a child at immediate risk never
waits for a monthly panel.

An urgent dispute unresolved at the end of the urgent route needs a panel that sits within two
working days of joining the queue; one a panel defers (the chair defers the item, or the panel
decides "deferred for more information") needs another within two working days of that meeting.
Any session not yet under way that sits by then may hear it: an extraordinary session called for
it, or an agenda it joins beyond its capacity. Nothing puts it on a later session: a deferral
does not roll it on, an agenda that sits too late refuses it, a session holding it cannot move
past its date, and a cancelled session hands it back to the chair's urgent box, which lists every
urgent dispute until a panel decides it.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from moderation.calendar import add_working_days, region, today
from moderation.disputes.queries import queue_order
from moderation.extensions import db
from moderation.models import (
    AgendaItem,
    Dispute,
    DisputeStatus,
    PanelSession,
)

URGENT_PANEL_WITHIN = 2  # working days (rules 14 and 17)


def urgent_panel_needed_by(since):
    """The day by which a panel must sit for an urgent dispute that joined the queue, or was
    deferred by a panel, on `since`."""
    return add_working_days(since, URGENT_PANEL_WITHIN, region())


@dataclass
class Standing:
    """Where one urgent dispute waiting for a panel's decision stands."""

    dispute: Dispute
    needed_by: date  # the day by which a panel must sit
    session: PanelSession | None = None  # the session whose agenda holds it, if one does
    deferred_on: date | None = None  # the last meeting that deferred it
    deferral_reason: str | None = None

    @property
    def waiting(self):
        """No agenda holds it: the chair must call a panel."""
        return self.session is None

    @property
    def overdue(self):
        """No panel has decided it by the day one was needed, or the session that holds it sits
        later than that."""
        return self.needed_by < (self.session.held_on if self.session else today()) or (
            self.needed_by < today())

    @property
    def hear_by(self):
        """The last day a session may sit to hear it: the day it is needed, or, once that has
        passed, the next working day (the soonest an extraordinary panel can be called for)."""
        return max(self.needed_by, add_working_days(today(), 1, region()))

    def in_time(self, panel_session):
        """Whether `panel_session` sits soon enough to hear it."""
        return today() <= panel_session.held_on <= self.hear_by


def standings(*options, dispute_ids=None):
    """Every urgent dispute waiting for a panel's decision, in rule 5 order, each with where it
    stands (two queries, whatever their number). `options`: what to load with each dispute."""
    statement = (select(Dispute)
                 .where(Dispute.status == DisputeStatus.QUEUED, Dispute.immediate_risk.is_(True))
                 .options(*options).order_by(*queue_order()))
    if dispute_ids is not None:
        statement = statement.where(Dispute.id.in_(dispute_ids))
    disputes = db.session.scalars(statement).all()
    items = _items_of([dispute.id for dispute in disputes])
    return [_standing(dispute, items[dispute.id]) for dispute in disputes]


def standing_of(dispute):
    """Where one dispute stands, or None if it is not an urgent dispute waiting for a panel."""
    if not (dispute.immediate_risk and dispute.queued):
        return None
    return _standing(dispute, _items_of([dispute.id])[dispute.id])


def waiting(*options):
    """The urgent disputes no agenda holds: each needs the chair to call a panel."""
    return [standing.dispute for standing in standings(*options) if standing.waiting]


def box(*options):
    """The chair's urgent box (panels/_urgent_waiting.html): every urgent dispute waiting for a
    panel's decision, with where it stands (`urgent`), and the frozen agendas to come that sit in
    time for one that no agenda holds (`frozen`)."""
    listed = standings(*options)
    waiting = [standing for standing in listed if standing.waiting]
    if not waiting:
        return {"urgent": listed, "frozen": []}
    frozen = db.session.scalars(
        select(PanelSession)
        .where(PanelSession.opened, PanelSession.before_meeting,  # its agenda frozen
               PanelSession.held_on >= today(),
               PanelSession.held_on <= max(standing.hear_by for standing in waiting))
        .order_by(PanelSession.held_on, PanelSession.id)).all()
    return {"urgent": listed, "frozen": frozen}


def _items_of(dispute_ids):
    """The disputes' agenda items on sessions not cancelled, each with its session."""
    items = defaultdict(list)
    if not dispute_ids:
        return items
    for item in db.session.scalars(
            select(AgendaItem).join(AgendaItem.session)
            .where(AgendaItem.dispute_id.in_(dispute_ids),
                   ~PanelSession.is_cancelled)
            .options(contains_eager(AgendaItem.session))):
        items[item.dispute_id].append(item)
    return items


def _standing(dispute, items):
    deferred = max((item for item in items if item.deferred),
                   key=lambda item: (item.session.held_on, item.id), default=None)
    since = dispute.queued_on or today()
    if deferred is not None:
        since = max(since, deferred.session.held_on)
    return Standing(
        dispute, urgent_panel_needed_by(since),
        session=next((item.session for item in items if not item.deferred), None),
        deferred_on=deferred.session.held_on if deferred else None,
        deferral_reason=deferred.deferral_reason if deferred else None)
