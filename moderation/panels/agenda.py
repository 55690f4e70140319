"""Building and freezing a session's agenda (DESIGN.md §4 rules 5 and 14).

The agenda is filled from the monthly queue in rule 5 order up to the session's capacity; the
chair can add, remove, reorder and time items while the session is scheduled. Freezing locks it
and opens the papers to the session's members. Queued disputes that do not fit roll to the next
one. Urgent disputes never wait in the monthly queue: the chair calls an extraordinary panel for
one (services.schedule_extraordinary), or adds it to an agenda that sits in time for it
(disputes/urgent_panel.py), beyond its capacity and ahead of the other items (rule 5).
"""

from sqlalchemy import select

from moderation.disputes import queue, urgent_panel
from moderation.extensions import db
from moderation.models import AgendaItem, Dispute, SessionStatus
from moderation.notifications import notices
from moderation.web import audit
from moderation.web.boundary import Refusal
from moderation.web.formatting import format_date
from moderation.web.words import count

MINUTES = (5, 120)
DEFAULT_MINUTES = 20


NOT_URGENT = ("Only a dispute about a child at immediate risk can be added after the agenda is "
              "frozen")
AFTER_FREEZE = "Added after the agenda was frozen: immediate risk"


def waiting():
    """The monthly queue: queued disputes, not urgent, not yet on any agenda, in rule 5 order."""
    return db.session.scalars(queue.query(queue.QueueFilters())).all()


def urgent_standing(dispute_id, lock=False):
    """Where the queued immediate-risk dispute with this id stands, if no agenda holds it.
    `lock`: hold its row first, so that two chairs placing it at once place it once (the second
    waits, then finds it on the first one's agenda)."""
    if lock:
        db.session.execute(select(Dispute.id).where(Dispute.id == dispute_id).with_for_update())
    return next((standing for standing in urgent_panel.standings(dispute_ids=[dispute_id])
                 if standing.waiting), None)


def why_no_urgent_now(panel_session):
    """Why no urgent dispute may join this session's agenda now, or None: a frozen agenda (or
    a draft) takes one, a meeting that has started does not. Who may add it: the rule
    `agenda.add_urgent` (panels/permissions.py:why_not_add_urgent), which asks this too."""
    if panel_session.before_meeting:
        return None
    return ("The meeting has started: an urgent dispute can only join a session that has not "
            "started")


def urgent_in_time(panel_session):
    """The urgent disputes no agenda holds that this session sits in time to hear."""
    return [standing.dispute for standing in urgent_panel.standings()
            if standing.waiting and standing.in_time(panel_session)]


def _refuse_too_late(panel_session, standing, field):
    if not standing.in_time(panel_session):
        raise Refusal(f"{standing.dispute.reference} is about a child at immediate risk: a panel "
                      f"must hear it by {format_date(standing.hear_by)}, and this session sits "
                      f"on {format_date(panel_session.held_on)}. Call an extraordinary panel "
                      "instead", field)


def room(panel_session):
    return max(panel_session.capacity - len(panel_session.agenda), 0)


def _require_draft(panel_session):
    if not panel_session.agenda_draft:
        raise Refusal("The agenda is frozen and cannot change")


def fill_from_queue(panel_session, actor):
    """Add waiting disputes in rule 5 order until the session is full; return those added."""
    _require_draft(panel_session)
    added = waiting()[:room(panel_session)]
    for dispute in added:
        _append(panel_session, dispute)
    if added:
        audit.record("agenda_filled", panel_session, actor=actor, disputes=[d.id for d in added])
    return added


def add_item(panel_session, actor, dispute_id):
    """A waiting dispute onto a draft agenda within its capacity: an urgent one only if the
    session sits in time for it (rule 17)."""
    _require_draft(panel_session)
    standing = urgent_standing(dispute_id, lock=True)
    dispute = standing.dispute if standing else next(
        (d for d in waiting() if d.id == dispute_id), None)
    if dispute is None:
        raise Refusal("Select a dispute waiting for the panel", "dispute_id")
    if standing is not None:
        _refuse_too_late(panel_session, standing, "dispute_id")
    if not room(panel_session):
        raise Refusal(f"The agenda is full: this session takes "
                      f"{count(panel_session.capacity, 'case')}", "dispute_id")
    item = _append(panel_session, dispute)
    audit.record("agenda_item_added", panel_session, actor=actor, dispute=dispute.id)
    return item


def add_urgent_item(panel_session, actor, dispute_id):
    """An urgent dispute onto a frozen agenda (or a draft one), beyond its capacity if need be:
    marked as added after the freeze, and the session's members and the referrer are told."""
    if why := why_no_urgent_now(panel_session):
        raise Refusal(why, "urgent_dispute_id")
    standing = urgent_standing(dispute_id, lock=True)
    if standing is None:
        raise Refusal(NOT_URGENT, "urgent_dispute_id")
    _refuse_too_late(panel_session, standing, "urgent_dispute_id")
    dispute = standing.dispute
    item = _append(panel_session, dispute, added_after_freeze=panel_session.opened)
    audit.record("urgent_item_added", panel_session, actor=actor, dispute=dispute.id,
                 after_freeze=item.added_after_freeze)
    if panel_session.opened:  # a draft agenda's members and referrers hear when it is frozen
        notices.urgent_item_added(panel_session, item)
    return item


def _append(panel_session, dispute, added_after_freeze=False):
    """An item at the end of the agenda, or, for a child at immediate risk, after the urgent
    items already on it and before the rest (rule 5), so it is heard and timed first."""
    item = AgendaItem(dispute=dispute, minutes=DEFAULT_MINUTES,
                      added_after_freeze=added_after_freeze)
    at = len(panel_session.agenda)
    if dispute.immediate_risk:
        at = sum(1 for listed in panel_session.agenda if listed.dispute.immediate_risk)
    panel_session.agenda.insert(at, item)
    _renumber(panel_session)
    db.session.flush()  # the item's id, for the notices' keys and the audit
    return item


def remove_item(panel_session, actor, item):
    _require_draft(panel_session)
    panel_session.agenda.remove(item)
    _renumber(panel_session)
    audit.record("agenda_item_removed", panel_session, actor=actor, dispute=item.dispute.id)


def move_item(panel_session, item, steps):
    """Move an item up (negative) or down (positive) the agenda."""
    _require_draft(panel_session)
    items = list(panel_session.agenda)
    index = items.index(item)
    target = min(max(index + steps, 0), len(items) - 1)
    items.insert(target, items.pop(index))
    panel_session.agenda[:] = items
    _renumber(panel_session)


def set_minutes(panel_session, item, minutes):
    _require_draft(panel_session)
    if not MINUTES[0] <= minutes <= MINUTES[1]:
        raise Refusal(f"The time must be between {MINUTES[0]} and {MINUTES[1]} minutes",
                              "minutes")
    item.minutes = minutes


def _renumber(panel_session):
    for number, item in enumerate(panel_session.agenda, start=1):
        item.position = number


def freeze(panel_session, actor, tell=True):
    """Lock the agenda (filling it from the queue if the chair has not) and open the papers.
    `tell=False` leaves the notices to the caller (an extraordinary session tells its own)."""
    _require_draft(panel_session)
    if not panel_session.agenda:
        fill_from_queue(panel_session, actor)
    db.session.flush()  # the items' ids and dispute ids
    panel_session.status = SessionStatus.AGENDA_FROZEN
    audit.record("agenda_frozen", panel_session, actor=actor,
                 disputes=[item.dispute_id for item in panel_session.agenda])
    if tell:
        notices.agenda_frozen(panel_session)
    return panel_session


def planned_minutes(panel_session):
    return sum(item.minutes for item in panel_session.agenda if not item.deferred)


def declared_conflict(item, user):
    """Whether the user has declared a conflict of interest on this item (their papers say so)."""
    return any(conflict.member.user_id == user.id for conflict in item.conflicts)
