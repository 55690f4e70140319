"""Subject access (UK GDPR Article 15): find every record about one child, and export them.

`find` answers the search: the exact matches (the name and date of birth, or the case number,
as typed) and, for the officer to review, the possible matches, each with why it is offered
(the same name with another date of birth, the same date of birth with a similar name, the same
case number, a repeat link). `export` gathers everything held in the disputes the officer
chose as plain data (dates as dates), in a fixed number of queries however many were chosen;
`as_json` and `as_pdf` write it out. Other children's details are left out: a dispute not chosen
is never named, and the minutes give only the chosen disputes' items. Documents are listed,
never included.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app, render_template
from rapidfuzz import fuzz
from sqlalchemy import and_, false, or_, select, true, tuple_
from sqlalchemy.orm import joinedload, selectinload

from moderation.calendar import today
from moderation.disputes import child_identifiers, children, queries, raising
from moderation.extensions import db
from moderation.models import (
    Action,
    ActionStatus,
    AgendaItem,
    AuditEvent,
    Classification,
    CscOutcome,
    Dispute,
    DisputeAddition,
    DisputeDocument,
    DisputeStatus,
    DisputeType,
    Intent,
    LegalHold,
    MinutesStatus,
    MinutesVersion,
    PanelDecision,
    PanelOutcome,
    ReferralMethod,
    SettlementReply,
    StageOutcome,
    ToldHow,
    User,
    Vote,
)
from moderation.models.disputes import LEVELS_OF_NEED
from moderation.web import pdf
from moderation.web.boundary import Refusal
from moderation.web.formatting import format_date

BY_NAME = "name and date of birth"
BY_CASE_NUMBER = "case number"
# Names born the same day that score this or more (rapidfuzz's token_sort_ratio, 0 to 100, on
# names folded to lower case without accents, so word order does not count) are offered as a
# possible match: "Lia Carter" and "Leah Carter" score 86, "Mohammed Khan" and "Muhammad Khan"
# 85, while twins "Leo Carter" and "Mia Carter" score 70 and are not offered.
SIMILAR_NAME = 80

# A dispute in full: the referral record, CSC's decision and record, the stages and who
# answered them.
FOUND = (*queries.DETAIL, joinedload(Dispute.referrer_manager),
         selectinload(Dispute.holds).options(joinedload(LegalHold.placed_by),
                                             joinedload(LegalHold.released_by)))
# A search result's row: the dispute and its referring agency.
LISTED = (joinedload(Dispute.referring_agency),)
# Each panel item of a found dispute: its session, votes, decision, actions and the chair's notes.
ITEMS = (
    joinedload(AgendaItem.session),
    selectinload(AgendaItem.votes).joinedload(Vote.agency),
    selectinload(AgendaItem.decision).selectinload(PanelDecision.themes),
    selectinload(AgendaItem.note),
)


# The search -----------------------------------------------------------------------------------


def searched_by(name=None, dob=None, case_number=None):
    """How the search was asked (BY_NAME or BY_CASE_NUMBER), or a Refusal on the field to fix."""
    name, case_number = (name or "").strip(), (case_number or "").strip()
    if case_number and (name or dob):
        raise Refusal("Search by the child's name and date of birth, or by a case number, "
                      "not both", "case_number")
    if case_number:
        if child_identifiers.case_key(case_number) is None:
            raise Refusal("The case number must include letters or numbers", "case_number")
        return BY_CASE_NUMBER
    if not name and dob is None:
        raise Refusal("Enter the child's name and date of birth, or a case number",
                      "child_name")
    if not name:
        raise Refusal("Enter the child's full name", "child_name")
    if dob is None:
        raise Refusal("Enter the child's date of birth", "child_dob")
    # A date ahead can only be an unborn child's expected date of delivery.
    if dob > today() + children.DUE_AHEAD:
        raise Refusal("The child's date of birth must be in the past", "child_dob")
    return BY_NAME


@dataclass
class Possible:
    """A dispute that may be about the same child, and why the search offers it."""

    dispute: Dispute
    reasons: list[str] = field(default_factory=list)


@dataclass
class Found:
    """What a search found: `exact` matches, oldest first, and `possible` ones to review, the
    likeliest first."""

    how: str
    exact: list
    possible: list

    @property
    def ids(self):
        return [d.id for d in self.exact] + [p.dispute.id for p in self.possible]

    def chosen(self, values):
        """The ids of the disputes ticked (`values`, as sent) that this search returned, in its
        order: an id it did not return is ignored, whatever was sent."""
        ticked = {int(value) for value in values or () if str(value).strip().isdigit()}
        return [ident for ident in self.ids if ident in ticked]


def find(name=None, dob=None, case_number=None):
    """The disputes about one child: by name (compared as repeat matching compares it) and date
    of birth, or by case number (without case, spaces or punctuation); then the possible
    matches. Anonymised disputes hold no child's details any more, so they are never found."""
    how = searched_by(name, dob, case_number)
    if how == BY_CASE_NUMBER:
        matches = Dispute.child_case_key == child_identifiers.case_key(case_number)
    else:
        # The name given before a birth that was never recorded ("Unborn Carter") and its
        # expected date match too.
        matches = and_(Dispute.child_name_key == raising.name_key(name),
                       or_(Dispute.child_dob == dob,
                           Dispute.child_expected_delivery_date == dob))
    exact = _listed(matches)
    return Found(how, exact, _possible(how, exact, name, dob))


def _listed(*where):
    """The disputes found, oldest first. Anonymised ones have no child's details to match
    any more; they are left out here rather than in SQL, where the condition could lead the
    planner away from the indexes of what is searched."""
    found = db.session.scalars(
        select(Dispute).where(*where).options(*LISTED)
        .order_by(Dispute.raised_on, Dispute.id)).unique()
    return [dispute for dispute in found if not dispute.anonymised]


def _possible(how, exact, name, dob):
    """The disputes, beside the exact matches, that may be about the same child: read in one
    query over indexed columns, then each kept with the reasons it is offered."""
    near = _near_by_name(name, dob) if how == BY_NAME else _near_by_exact(exact)
    near.append(_near_by_links(exact))
    found = {d.id for d in exact}
    candidates = _listed(or_(*near), Dispute.id.not_in(found) if found else true())
    offered = [Possible(d, _reasons(d, how, exact, name, dob)) for d in candidates]
    return sorted((possible for possible in offered if possible.reasons),
                  key=lambda possible: _likelihood(possible, dob))


def _likelihood(possible, dob):
    """The order possible matches are listed in: those with most reasons first (a repeat link
    and the same case number beside the name), then the date of birth nearest the one searched
    (a common name can be shared by many children), then the oldest."""
    born = possible.dispute.child_age_from
    apart = abs((born - dob).days) if born and dob else 0
    return -len(possible.reasons), apart, possible.dispute.raised_on, possible.dispute.id


def _near_by_name(name, dob):
    """Born the same day (the similar names are picked in Python), the same first name and
    surname (born another day), or unborn when raised and due near that day (the surname is
    picked in Python: the name before the birth is "Unborn Carter")."""
    pair = child_identifiers.name_pair(name)
    near = [Dispute.child_dob == dob, Dispute.child_expected_delivery_date.between(
        dob - raising.DUE_DATE_DRIFT, dob + raising.DUE_DATE_DRIFT)]
    if pair:
        near.append(Dispute.child_name_pair == pair)
    return near


def _near_by_exact(exact):
    """The same name and date of birth as an exact match (found by case number)."""
    children = {(d.child_name_key, d.child_dob) for d in exact if d.child_name_key}
    return [tuple_(Dispute.child_name_key, Dispute.child_dob).in_(children) if children
            else false()]


def _near_by_links(exact):
    """The same case number as an exact match, or a repeat of one or repeated by one."""
    case_keys = {d.child_case_key for d in exact if d.child_case_key}
    found = {d.id for d in exact}
    repeated = {d.repeat_of_id for d in exact if d.repeat_of_id}
    return or_(Dispute.child_case_key.in_(case_keys) if case_keys else false(),
               Dispute.repeat_of_id.in_(found) if found else false(),
               Dispute.id.in_(repeated) if repeated else false())


def _reasons(dispute, how, exact, name, dob):
    """Why `dispute` may be about the searched child, in words the officer reads."""
    reasons = _name_reasons(dispute, name, dob) if how == BY_NAME else [
        f"Same name and date of birth as {e.reference}" for e in exact
        if e.child_name_key and (e.child_name_key, e.child_dob) ==
        (dispute.child_name_key, dispute.child_dob)][:1]
    reasons += [f"Same case number as {e.reference}" for e in exact
                if e.child_case_key and e.child_case_key == dispute.child_case_key][:1]
    reasons += [f"Raised as a repeat of {e.reference}" for e in exact
                if e.id == dispute.repeat_of_id]
    reasons += [f"{e.reference} was raised as a repeat of it" for e in exact
                if e.repeat_of_id == dispute.id]
    return reasons


def _name_reasons(dispute, name, dob):
    if dispute.child_name is None:
        return []
    if dispute.unborn:
        return _unborn_reasons(dispute, name, dob)
    same_pair = dispute.child_name_pair == child_identifiers.name_pair(name)
    if dispute.child_dob != dob:
        if not same_pair:
            return []
        if dispute.child_name_key == raising.name_key(name):
            return ["Same name, another date of birth"]
        return ["Same first name and surname, another date of birth"]
    if same_pair or _similarity(name, dispute.child_name) >= SIMILAR_NAME:
        return ["Same date of birth, similar name"]
    return []


def _unborn_reasons(dispute, name, dob):
    """A dispute about a child whose birth was never recorded: the name it holds is the one
    given before the birth, so only the surname can match, and the date an expected one."""
    due = dispute.child_expected_delivery_date
    if abs(due - dob) <= raising.DUE_DATE_DRIFT and \
            _surname(dispute.child_name) == _surname(name):
        return [f"Same surname, unborn when raised and due {format_date(due)}"]
    return []


def _surname(name):
    words = child_identifiers.fold(name).split()
    return words[-1] if words else None


def _similarity(typed, held):
    return fuzz.token_sort_ratio(child_identifiers.fold(typed), child_identifiers.fold(held))


def load(ids):
    """The disputes with these ids, in full for the export, oldest first."""
    return db.session.scalars(
        select(Dispute).where(Dispute.id.in_(ids), Dispute.anonymised_on.is_(None))
        .options(*FOUND).order_by(Dispute.raised_on, Dispute.id)).unique().all()


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
        "disputes": [_dispute(dispute, set(ids), papers, items[dispute.id], extracts,
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


# One dispute, as plain data -------------------------------------------------------------------


def _dispute(dispute, found_ids, papers, items, extracts, actions, audit):
    item_ids = {item.id for item in items}
    return {
        "reference": dispute.reference,
        "status": DisputeStatus(dispute.status).label,
        "raised_on": dispute.raised_on,
        "referral_record": _referral(dispute),
        "csc_decision": _csc_decision(dispute),
        "csc_record": _csc_record(dispute),
        "challenge": _challenge(dispute, found_ids),
        "settlement": _settlement(dispute),
        "escalation_stages": [_stage(stage) for stage in dispute.stages],
        "additions": [_addition(a) for a in papers["additions"] if a.dispute_id == dispute.id],
        "documents": [_document(d) for d in papers["documents"] if d.dispute_id == dispute.id],
        "panel_decisions": [_decision(item) for item in items if item.decision is not None],
        "panel_items": [_panel_item(item) for item in items],
        "actions": [_action(action) for action in actions],
        "minutes_extracts": [extracts[i] for i in sorted(item_ids) if i in extracts],
        "legal_holds": [_hold(hold) for hold in dispute.holds],
        "audit": [_event(event) for event in audit],
    }


def _label(enum, value):
    return enum(value).label if value else None


def _person(user):
    if user is None:
        return None
    return {"name": user.name, "agency": user.agency.name if user.agency else None}


def _name(user, typed=None):
    return user.name if user is not None else typed


def _referral(dispute):
    return {
        "child_name": dispute.child_name,
        "date_of_birth": dispute.child_dob,
        "expected_date_of_delivery": dispute.child_expected_delivery_date,
        "case_number": dispute.child_case_number,
        "referring_agency": dispute.referring_agency.name,
        "referrer": dispute.referrer.name,
        "referrers_manager": _name(dispute.referrer_manager),
        "sent_on": dispute.referral_date,
        "sent_by": _label(ReferralMethod, dispute.referral_method),
        "referrer_intended": _label(Intent, dispute.referrer_intent),
        "concerns": [category.label for category in dispute.concern_categories],
        "level_of_need": LEVELS_OF_NEED.get(dispute.level_of_need, str(dispute.level_of_need)),
        "summary": dispute.referral_summary,
    }


def _csc_decision(dispute):
    """CSC's decision as the referrer was told it."""
    return {
        "decided_on": dispute.csc_decision_date,
        "recorded_as": _label(Classification, dispute.told_recorded_as),
        "outcome": _label(CscOutcome, dispute.told_outcome),
        "decision_maker": dispute.told_decision_maker,
        "reasons": dispute.told_reasons,
    }


def _csc_record(dispute):
    """CSC's own record of its decision."""
    return {
        "recorded_as": _label(Classification, dispute.csc_recorded_as),
        "outcome": _label(CscOutcome, dispute.csc_outcome),
        "rationale": dispute.csc_rationale,
        "decision_maker": _name(dispute.csc_decision_maker, dispute.csc_decision_maker_name),
        "authorising_manager": _name(dispute.csc_authorising_manager,
                                     dispute.csc_authorising_manager_name),
        "referrer_told_on": dispute.csc_told_referrer_on,
        "referrer_told_how": _label(ToldHow, dispute.csc_told_referrer_how),
        "confirmed_at": dispute.csc_confirmed_at,
    }


def _challenge(dispute, found_ids):
    # An earlier dispute is named only when it is this child's too (found by the same search):
    # otherwise its reference would point at another child's records.
    repeat_of = dispute.repeat_of.reference if dispute.repeat_of_id in found_ids else None
    return {
        "disagreement": _label(DisputeType, dispute.dispute_type),
        "grounds": dispute.grounds,
        "immediate_risk": dispute.immediate_risk,
        "repeat_of": repeat_of,
    }


def _settlement(dispute):
    if dispute.settled_on is None and dispute.settlement_outcome is None:
        return None
    return {
        "settled_on": dispute.settled_on,
        "outcome": _label(CscOutcome, dispute.settlement_outcome),
        "note": dispute.settlement_note,
        "referrer_reply": _label(SettlementReply, dispute.settlement_reply),
        "replied_at": dispute.settlement_replied_at,
    }


def _stage(stage):
    return {
        "position": stage.position,
        "name": stage.name,
        "opened_on": stage.opened_on,
        "due_on": stage.due_on,
        "closed_on": stage.closed_on,
        "outcome": _label(StageOutcome, stage.outcome) or "Open",
        "skip_reason": stage.skip_reason,
        "response": stage.response,
        "answered_by": _name(stage.responded_by),
        "answered_at": stage.responded_at,
    }


def _addition(addition):
    return {
        "added_at": addition.added_at,
        "added_by": addition.author.name,
        "at_stage": addition.stage_position,
        "text": addition.text,
    }


def _document(document):
    """A document's particulars: never its contents."""
    return {
        "name": document.filename,
        "type": document.type_label,
        "file_kind": document.file_kind.upper(),
        "size_bytes": document.size,
        "added_by": document.added_by.name,
        "added_at": document.added_at,
        "withdrawn_at": document.withdrawn_at,
        "withdrawn_by": _name(document.withdrawn_by),
        "withdrawal_reason": document.withdrawal_reason,
    }


def _decision(item):
    decision = item.decision
    return {
        "decided_on": decision.decided_on,
        "outcome": decision.outcome_label,
        "how_reached": decision.method,
        "rationale": decision.rationale,
        "dissenting_agencies": list(decision.dissenting_agencies or []),
        "dissent": decision.dissent,
        "learning_themes": [theme.name for theme in decision.themes],
        "feedback_to_referrer": decision.feedback,
    }


def _panel_item(item):
    """The dispute on one session's agenda: each agency's vote, a deferral, the chair's notes."""
    return {
        "session_held_on": item.session.held_on,
        "item": item.position,
        "deferred": item.deferral_reason if item.deferred else None,
        "votes": [{"agency": vote.agency.name, "outcome": _label(PanelOutcome, vote.outcome),
                   "reason": vote.reason} for vote in item.votes],
        "chairs_notes": item.note.text if item.note else None,
    }


def _action(action):
    return {
        "description": action.description,
        "owner": action.owner_label,
        "agency": action.agency.name,
        "due_on": action.due_on,
        "status": _label(ActionStatus, action.status),
        "note": action.status_note,
    }


def _hold(hold):
    return {
        "reason": hold.reason,
        "placed_by": hold.placed_by.name,
        "placed_at": hold.placed_at,
        "released_by": _name(hold.released_by),
        "released_at": hold.released_at,
        "release_reason": hold.release_reason,
    }


def _event(event):
    return {
        "when": event.occurred_at,
        "what": _in_words(event.action),
        "who": _person(event.actor) or {"name": "The system", "agency": None},
    }


def _in_words(action):
    """An audit action as a reader says it: "csc_decision_confirmed" is "CSC decision
    confirmed"."""
    words = action.replace("_", " ").capitalize()
    return " ".join("CSC" if word.lower() == "csc" else word for word in words.split())
