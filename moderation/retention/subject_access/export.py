"""Subject access: the export. `export` gathers everything held in the disputes the officer
chose as plain data (dates as dates), in a fixed number of queries however many were chosen;
`as_json` and `as_pdf` write it out. Other children's details are left out: a dispute not chosen
is never named, and the minutes give only the chosen disputes' items. Documents are listed,
never included."""

import json
from collections import defaultdict
from datetime import date, datetime

from flask import current_app, render_template
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from moderation.calendar import today
from moderation.extensions import db
from moderation.models import (
    Action,
    AgendaItem,
    AuditEvent,
    DisputeAddition,
    DisputeDocument,
    MinutesStatus,
    MinutesVersion,
    PanelDecision,
    User,
    Vote,
)
from moderation.retention.subject_access.dispute_data import dispute_data
from moderation.web import pdf

# Each panel item of a found dispute: its session, votes, decision, actions and the chair's notes.
ITEMS = (
    joinedload(AgendaItem.session),
    selectinload(AgendaItem.votes).joinedload(Vote.agency),
    selectinload(AgendaItem.decision).selectinload(PanelDecision.themes),
    selectinload(AgendaItem.note),
)


# The export -----------------------------------------------------------------------------------


def export(disputes):
    """Everything held about the child in `disputes` (as `load` returns them), as plain data."""
    ids = [dispute.id for dispute in disputes]
    papers = _papers(ids)
    items = _items(ids)
    extracts = _minutes_extracts(items)
    actions = _by(_actions(items), lambda action: action.agenda_item.dispute_id)
    audit = _audit(ids, papers["documents"], items)
    return {
        "title": "Subject access: the records held about one child",
        "partnership": current_app.config["PARTNERSHIP_NAME"],
        "prepared_on": today(),
        "disputes": [dispute_data(dispute, set(ids), papers, items[dispute.id], extracts,
                              actions[dispute.id], audit[dispute.id]) for dispute in disputes],
    }


def counts(data):
    """How many of each kind of record the export holds, for the search results."""
    disputes = data["disputes"]
    return {kind: sum(len(d[kind]) for d in disputes)
            for kind in ("documents", "panel_decisions", "minutes_extracts", "audit")}


def as_json(data):
    """The export as one JSON file: dates and times as ISO 8601 strings."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=_iso)


def as_pdf(data, reader):
    """The export as one PDF, with the reader's name on every page."""
    return pdf.render(render_template("reports/subject_access.html", export=data,
                                      prepared_for=reader.name))


def _iso(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not exported")


def _by(rows, key):
    grouped = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return grouped


# What is read for the found disputes, in one query each ---------------------------------------


def _papers(ids):
    additions = db.session.scalars(
        select(DisputeAddition).where(DisputeAddition.dispute_id.in_(ids))
        .options(joinedload(DisputeAddition.author))
        .order_by(DisputeAddition.added_at, DisputeAddition.id)).all()
    documents = db.session.scalars(
        select(DisputeDocument).where(DisputeDocument.dispute_id.in_(ids))
        .options(joinedload(DisputeDocument.added_by), joinedload(DisputeDocument.withdrawn_by))
        .order_by(DisputeDocument.added_at, DisputeDocument.id)).all()
    return {"additions": additions, "documents": documents}


def _items(ids):
    found = db.session.scalars(
        select(AgendaItem).where(AgendaItem.dispute_id.in_(ids)).options(*ITEMS)
        .order_by(AgendaItem.id)).all()
    return _by(found, lambda item: item.dispute_id)


def _all_items(items):
    return [item for found in items.values() for item in found]


def _actions(items):
    item_ids = [item.id for item in _all_items(items)]
    return db.session.scalars(
        select(Action).where(Action.agenda_item_id.in_(item_ids))
        .options(joinedload(Action.owner), joinedload(Action.agency),
                 joinedload(Action.agenda_item))
        .order_by(Action.due_on, Action.id)).all()


def _minutes_extracts(items):
    """Item id -> its extract: this item's summary only, from the session's latest approved
    version of the minutes, else its latest draft."""
    session_ids = {item.session_id for item in _all_items(items)}
    versions = db.session.scalars(
        select(MinutesVersion).where(MinutesVersion.session_id.in_(session_ids))
        .order_by(MinutesVersion.version)).all()
    chosen = {}
    for version in versions:
        current = chosen.get(version.session_id)
        if current is None or current.status != MinutesStatus.APPROVED \
                or version.status == MinutesStatus.APPROVED:
            chosen[version.session_id] = version
    extracts = {}
    for item in _all_items(items):
        version = chosen.get(item.session_id)
        text = (version.texts or {}).get("items", {}).get(str(item.id)) if version else None
        if text is not None:
            extracts[item.id] = {"session_held_on": item.session.held_on,
                                 "item": item.position, "version": version.version,
                                 "status": MinutesStatus(version.status).label, "text": text}
    return extracts


def _audit(ids, documents, items):
    """Dispute id -> who viewed or changed it: events on the dispute, its documents and its
    panel items. Only who, what and when: an event's detail is not exported."""
    owners = {("dispute", str(i)): i for i in ids}
    owners |= {("dispute_document", str(d.id)): d.dispute_id for d in documents}
    owners |= {("agenda_item", str(item.id)): item.dispute_id for item in _all_items(items)}
    about = [and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_(
        [ident for (k, ident) in owners if k == kind])) for kind in {k for k, _ in owners}]
    events = db.session.scalars(
        select(AuditEvent).where(or_(*about))
        .options(joinedload(AuditEvent.actor).joinedload(User.agency))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)).all() if about else []
    return _by(events, lambda event: owners[(event.object_type, event.object_id)])
