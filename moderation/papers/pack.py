"""The papers pack: one PDF per member for a frozen agenda, and the agenda printed alone.

Reports are data -> HTML -> PDF (DESIGN.md §2): `pack_data` gathers plain data in a fixed
number of queries however many items the agenda holds, `reports/papers_pack.html` lays it out
and `web/pdf.py` makes the tagged PDF. Documents are listed, never inlined: their contents are
read only when downloaded.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from moderation.calendar import UK, today
from moderation.disputes import queries
from moderation.disputes.children import born_or_due
from moderation.extensions import db
from moderation.models import (
    AgendaItem,
    Classification,
    CscOutcome,
    Dispute,
    DisputeAddition,
    DisputeDocument,
    DisputeType,
    Intent,
    PanelSession,
    ReferralMethod,
    StageOutcome,
    ToldHow,
)
from moderation.models.dispute_terms import LEVELS_OF_NEED
from moderation.panels.agenda import AFTER_FREEZE
from moderation.web import pdf
from moderation.web.formatting import format_date, format_datetime
from moderation.web.words import in_sentence

NOT_RECORDED = "Not recorded"

# The agenda with each item's dispute in full: its referral, CSC's record and its stages.
PACK = (
    selectinload(PanelSession.agenda).options(
        joinedload(AgendaItem.dispute).options(
            *queries.DETAIL, joinedload(Dispute.csc_authorising_manager))),
)
# The agenda alone: each item's reference and child's initials.
AGENDA = (selectinload(PanelSession.agenda).joinedload(AgendaItem.dispute),)


def pack_pdf(panel_session, reader):
    """The papers pack made for `reader`, whose name is on every page."""
    return pdf.render(pack_html(pack_data(panel_session, reader)))


def pack_html(data):
    return render_template("reports/papers_pack.html", pack=data)


def agenda_pdf(panel_session, reader):
    """The agenda alone, for the chair to print."""
    data = agenda_data(panel_session, reader)
    return pdf.render(render_template("reports/agenda.html", pack=data))


def load(session_id, options=PACK):
    return db.session.get(PanelSession, session_id, options=options)


def agenda_data(panel_session, reader):
    """The cover facts and the agenda with times: start time plus each item's minutes."""
    return {
        "partnership": current_app.config["PARTNERSHIP_NAME"],
        "title": f"Threshold moderation panel: agenda for {format_date(panel_session.held_on)}",
        "papers": False,
        "held_on": format_date(panel_session.held_on),
        "time": panel_session.starts_at.strftime("%H:%M"),
        "duration": panel_session.duration_minutes,
        "place": panel_session.place or "Online",
        "online": bool(panel_session.online_link),
        "extraordinary": panel_session.extraordinary,
        "prepared_for": reader.name,
        "prepared_on": format_date(today()),
        "agenda": agenda_times(panel_session),
    }


def agenda_times(panel_session):
    start = datetime.combine(panel_session.held_on, panel_session.starts_at)
    rows = []
    for item in panel_session.agenda:
        end = start + timedelta(minutes=item.minutes)
        rows.append({"position": item.position, "reference": item.dispute.reference,
                     "child": _child_in_brief(item.dispute), "minutes": item.minutes,
                     "starts": start.strftime("%H:%M"), "ends": end.strftime("%H:%M"),
                     "added_after_freeze": AFTER_FREEZE if item.added_after_freeze else None})
        start = end
    return rows


def _child_in_brief(dispute):
    """'child AJ'; 'anonymised' once the retention schedule has removed the child's details."""
    return "anonymised" if dispute.anonymised else f"child {dispute.child_initials}"


def pack_data(panel_session, reader):
    """Everything the pack says, as plain data: the template only lays it out."""
    dispute_ids = [item.dispute_id for item in panel_session.agenda]
    additions = _by_dispute(db.session.scalars(
        select(DisputeAddition).where(DisputeAddition.dispute_id.in_(dispute_ids))
        .options(joinedload(DisputeAddition.author))
        .order_by(DisputeAddition.added_at, DisputeAddition.id)))
    documents = _by_dispute(db.session.scalars(
        select(DisputeDocument).where(DisputeDocument.dispute_id.in_(dispute_ids))
        .options(joinedload(DisputeDocument.added_by), joinedload(DisputeDocument.withdrawn_by))
        .order_by(DisputeDocument.added_at, DisputeDocument.id)))
    return {
        **agenda_data(panel_session, reader),
        # The pack is the papers: the agenda, then each item in full.
        "title": f"Threshold moderation panel: papers for {format_date(panel_session.held_on)}",
        "papers": True,
        "items": [_item(item, additions[item.dispute_id], documents[item.dispute_id])
                  for item in panel_session.agenda],
    }


def _by_dispute(rows):
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.dispute_id].append(row)
    return grouped


def _item(item, additions, documents):
    dispute = item.dispute
    return {
        "position": item.position,
        "reference": dispute.reference,
        "child": _child_in_brief(dispute),
        "added_after_freeze": AFTER_FREEZE if item.added_after_freeze else None,
        "referral": _referral(dispute),
        "referrer_account": _referrer_account(dispute),
        "csc_record": _csc_record(dispute),
        "challenge": [
            ("Disagreement", DisputeType(dispute.dispute_type).label),
            ("Grounds", dispute.grounds),
            ("Immediate risk", "Yes" if dispute.immediate_risk else "No"),
        ],
        "stages": [_stage(stage) for stage in dispute.stages],
        "additions": [_addition(addition) for addition in additions],
        "documents": [_document(document) for document in documents],
    }


def _child(dispute):
    if dispute.anonymised:
        removed = f"Removed under the retention schedule on {format_date(dispute.anonymised_on)}"
        return [("Child", removed), ("Date of birth", removed), ("Case number", removed)]
    return [("Child", dispute.child_name),
            ("Date of birth", born_or_due(dispute.child_dob, dispute.child_expected_delivery_date)),
            ("Case number", dispute.child_case_number or "Not known")]


def _referral(dispute):
    return [
        *_child(dispute),
        ("Referring agency", dispute.referring_agency.name),
        ("Referrer", dispute.referrer.name),
        ("Sent", f"{format_date(dispute.referral_date)}, "
                 f"{in_sentence(ReferralMethod(dispute.referral_method).label)}"),
        ("The referrer intended", Intent(dispute.referrer_intent).label),
        ("Concerns", ", ".join(c.label for c in dispute.concern_categories)),
        ("Level of need claimed", LEVELS_OF_NEED.get(dispute.level_of_need,
                                                     str(dispute.level_of_need))),
        ("Summary", dispute.referral_summary),
    ]


def _referrer_account(dispute):
    return [
        ("Recorded as", Classification(dispute.told_recorded_as).label),
        ("Outcome", CscOutcome(dispute.told_outcome).label),
        ("Decision date", format_date(dispute.csc_decision_date)),
        ("Decision maker", dispute.told_decision_maker or "Not known"),
        ("Reasons given", dispute.told_reasons or "None given"),
    ]


def _csc_record(dispute):
    told = NOT_RECORDED
    if dispute.csc_told_referrer_how == ToldHow.NOT_TOLD:
        told = ToldHow.NOT_TOLD.label
    elif dispute.csc_told_referrer_on or dispute.csc_told_referrer_how:
        told = ", ".join(part for part in (
            format_date(dispute.csc_told_referrer_on) if dispute.csc_told_referrer_on else None,
            in_sentence(ToldHow(dispute.csc_told_referrer_how).label)
            if dispute.csc_told_referrer_how else None) if part)
    return [
        ("Recorded as", Classification(dispute.csc_recorded_as).label
         if dispute.csc_recorded_as else NOT_RECORDED),
        ("Outcome", CscOutcome(dispute.csc_outcome).label if dispute.csc_outcome
         else NOT_RECORDED),
        ("Rationale", dispute.csc_rationale or NOT_RECORDED),
        ("Decision maker", _person(dispute.csc_decision_maker, dispute.csc_decision_maker_name)),
        ("Authorising manager", _person(dispute.csc_authorising_manager,
                                        dispute.csc_authorising_manager_name)),
        ("When and how the referrer was told", told),
    ]


def _person(user, typed_name):
    return user.name if user is not None else (typed_name or NOT_RECORDED)


def _stage(stage):
    skipped = stage.outcome == StageOutcome.SKIPPED
    return {
        "position": stage.position,
        "name": stage.name,
        "skipped": stage.skip_reason or "No reason recorded" if skipped else None,
        "opened": format_date(stage.opened_on),
        "due": format_date(stage.due_on),
        "closed": format_date(stage.closed_on) if stage.closed_on else None,
        "outcome": StageOutcome(stage.outcome).label if stage.outcome else "Open",
        "response": stage.response,
        "answered_by": stage.responded_by.name if stage.responded_by else None,
        "answered_at": format_datetime(stage.responded_at) if stage.responded_at else None,
    }


def _addition(addition):
    return {
        "added": format_datetime(addition.added_at),
        "author": addition.author.name,
        "when": f"At stage {addition.stage_position}" if addition.stage_position
        else "While waiting for the panel",
        "text": addition.text,
    }


def _document(document):
    return {
        "name": document.filename,
        "kind": document.type_label,
        "file_kind": document.file_kind.upper(),
        "size": _size(document.size),
        "added_by": document.added_by.name,
        "added": _day(document.added_at),
        "withdrawn": _withdrawal(document) if document.withdrawn else None,
    }


def _withdrawal(document):
    who = document.withdrawn_by.name if document.withdrawn_by else "its author"
    reason = f": {document.withdrawal_reason}" if document.withdrawal_reason else ""
    return f"Withdrawn on {_day(document.withdrawn_at)} by {who}{reason}"


def _day(moment):
    return format_date(moment.astimezone(UK).date())


def _size(size):
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
