"""Panel minutes: data gathered from the meeting, the chair's free text, versions and approval.

Rule 10: approved minutes cannot change. A correction is a new version that names what changed;
each approved version keeps the exact PDF that was approved.
"""

import re

from flask import current_app, render_template
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from moderation.actions import services as actions
from moderation.calendar import add_working_days, region, today
from moderation.disputes.child_identifiers import refuse_on_agenda
from moderation.disputes.policy import current_policy
from moderation.extensions import db
from moderation.meeting.quorum import quorum
from moderation.models import (
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Classification,
    Conflict,
    CscOutcome,
    Dispute,
    DisputeType,
    ItemGuest,
    MinutesComment,
    MinutesStatus,
    MinutesVersion,
    PanelDecision,
    PanelMember,
    PanelOutcome,
    PanelSession,
    SessionStatus,
    StageOutcome,
    User,
    Vote,
)
from moderation.models.dispute_terms import LEVELS_OF_NEED
from moderation.models.types import utcnow
from moderation.notifications import notices
from moderation.panels.agenda import AFTER_FREEZE
from moderation.panels.permissions import know_seats, readable_sessions
from moderation.web import audit, pdf
from moderation.web.boundary import Refusal
from moderation.web.formatting import format_date
from moderation.web.permissions import can, enforce
from moderation.web.words import count

TEXT_LIMIT = 4000
COMMENT_LIMIT = 2000

# The first draft's summary of each item names its dispute's referring agency.
DRAFTED = (joinedload(AgendaItem.dispute).joinedload(Dispute.referring_agency),)
# What the minutes say of each item: its dispute's reference and escalation stages, the votes
# by agency, the conflicts (whose, and their agency) and the decision with its themes.
MINUTED = (
    joinedload(AgendaItem.dispute).selectinload(Dispute.stages),
    selectinload(AgendaItem.votes).joinedload(Vote.agency),
    selectinload(AgendaItem.conflicts).joinedload(Conflict.member).options(
        joinedload(PanelMember.user), joinedload(PanelMember.agency)),
    selectinload(AgendaItem.decision).selectinload(PanelDecision.themes),
    selectinload(AgendaItem.guests).joinedload(ItemGuest.user).joinedload(User.agency),
)
# Who attended: each member's name and agency, and whom a deputy stood in for.
ATTENDED = (
    joinedload(Attendance.member).options(joinedload(PanelMember.user),
                                          joinedload(PanelMember.agency)),
    joinedload(Attendance.standing_for).joinedload(PanelMember.user),
)
# The minutes page lists each version with who approved it.
VERSIONS = (joinedload(MinutesVersion.approved_by),)
# The comments beside the draft: each with its author and their agency.
COMMENTS = (selectinload(MinutesVersion.comments).joinedload(MinutesComment.author)
            .joinedload(User.agency),)


def versions(panel_session, *options):
    return db.session.scalars(
        select(MinutesVersion).where(MinutesVersion.session_id == panel_session.id)
        .options(*VERSIONS, *options)
        .order_by(MinutesVersion.version)
    ).all()


def version_of(panel_session, number, *options):
    """The session's version `number` of the minutes, or None."""
    return db.session.scalar(
        select(MinutesVersion).where(MinutesVersion.session_id == panel_session.id,
                                     MinutesVersion.version == number)
        .options(*VERSIONS, *options))


def latest(panel_session):
    found = versions(panel_session)
    return found[-1] if found else None


def start_draft(panel_session, actor):
    """The first draft, written when the meeting closes."""
    if latest(panel_session) is not None:
        return latest(panel_session)
    draft = MinutesVersion(session_id=panel_session.id, version=1,
                           texts=default_texts(panel_session), created_by_id=actor.id)
    db.session.add(draft)
    db.session.flush()
    _circulate(draft, actor)
    return draft


def _circulate(draft, actor):
    """A draft goes to the members present, who comment on it until the policy's number of
    working days after today, that day included."""
    draft.circulated_at = utcnow()
    draft.comments_due_on = add_working_days(today(), current_policy().minutes_comment_days,
                                             region())
    audit.record("minutes_circulated", draft, actor=actor, session=draft.session_id,
                 version=draft.version, comments_due_on=draft.comments_due_on.isoformat())


def default_texts(panel_session):
    return {"opening": "", "closing": "",
            "items": {str(item.id): summary(item) for item in _items(panel_session, DRAFTED)}}


def _items(panel_session, options):
    """The session's agenda in order (as `session.agenda`), with what the caller reads of each
    item: the agenda may already be loaded without it."""
    return db.session.scalars(
        select(AgendaItem).where(AgendaItem.session_id == panel_session.id).options(*options)
        .order_by(AgendaItem.position)
    ).all()


def summary(item):
    """A short, anonymised summary the chair can edit: no names, no dates of birth."""
    dispute = item.dispute
    level = LEVELS_OF_NEED.get(dispute.level_of_need, "")
    return (f"{dispute.referring_agency.name} disputed CSC's decision: "
            f"{DisputeType(dispute.dispute_type).label.replace('my referral', 'the referral')}. "
            f"The referrer judged the need at {level.lower()}.")


def why_not_edit_now(version):
    """Rule 10: a draft version changes until it is approved, never after (`minutes.edit`
    asks this too, with whose minutes they are)."""
    if version.status == MinutesStatus.DRAFT:
        return None
    return "Approved minutes cannot change: start a correction instead"


def edit(version, actor, texts):
    enforce(why_not_edit_now(version), "opening")
    cleaned = {"opening": _clean(texts.get("opening")), "closing": _clean(texts.get("closing")),
               "items": {key: _clean(texts.get("items", {}).get(key))
                         for key in version.texts.get("items", {})}}
    if any(len(t) > TEXT_LIMIT for t in [cleaned["opening"], cleaned["closing"],
                                          *cleaned["items"].values()]):
        raise Refusal(f"Each part of the minutes must be {TEXT_LIMIT} characters or fewer",
                      "opening")
    panel_session = db.session.get(PanelSession, version.session_id)
    refuse_on_agenda(panel_session, _labelled(panel_session, cleaned), actor)
    version.texts = cleaned
    version.edited_at = utcnow()
    audit.record("minutes_edited", version, actor=actor, session=version.session_id)


def _clean(text):
    return (text or "").strip()


def _labelled(panel_session, texts):
    """(label, field id on the minutes page, text) for each part the chair edits."""
    positions = {str(item.id): item.position for item in panel_session.agenda}
    return [("Opening remarks", "opening-text", texts["opening"]),
            *[(f"The summary of item {positions.get(key, '')}".rstrip(), f"item-{key}", text)
              for key, text in texts["items"].items()],
            ("Any other business", "closing", texts["closing"])]


def approve(panel_session, version, actor):
    """Approve a draft (the page asks the chair to confirm first): it is locked from now on and
    the members present are told."""
    if version.status != MinutesStatus.DRAFT:
        raise Refusal("These minutes are already approved", "approve")
    version.status = MinutesStatus.APPROVED
    version.approved_by = actor
    version.approved_at = utcnow()
    db.session.flush()
    version.pdf = pdf.render(minutes_html(panel_session, version))
    panel_session.status = SessionStatus.MINUTES_APPROVED
    audit.record("minutes_approved", version, actor=actor, session=panel_session.id,
                 version=version.version)
    notices.minutes_approved(panel_session, version)


def correct(panel_session, actor, change_note):
    """A new draft version, copied from the approved one, naming what will change."""
    current = latest(panel_session)
    if current is None or current.status != MinutesStatus.APPROVED:
        raise Refusal("Only approved minutes are corrected: edit the draft instead",
                      "change_note")
    if not _clean(change_note):
        raise Refusal("Say what the correction changes", "change_note")
    refuse_on_agenda(panel_session, [("What the correction changes", "change_note-text",
                                change_note)], actor)
    draft = MinutesVersion(session_id=panel_session.id, version=current.version + 1,
                           texts=dict(current.texts), change_note=_clean(change_note),
                           created_by_id=actor.id)
    db.session.add(draft)
    db.session.flush()
    audit.record("minutes_correction_started", draft, actor=actor, session=panel_session.id)
    _circulate(draft, actor)
    notices.minutes_draft(panel_session, draft)
    return draft


# Comments on a circulated draft -----------------------------------------------------------------


def present_at(panel_session, user):
    """True if the user was present at the session (a deputy who stood in included)."""
    return db.session.scalar(
        select(Attendance.id).join(PanelMember, Attendance.member_id == PanelMember.id)
        .where(Attendance.session_id == panel_session.id, PanelMember.user_id == user.id,
               Attendance.status == AttendanceStatus.PRESENT).limit(1)) is not None


def comments_closed(version):
    """Why members cannot comment on this version now, or None while they can."""
    if version.status != MinutesStatus.DRAFT:
        return "These minutes are approved and locked: comments are closed"
    if version.comments_due_on is None:
        return "These minutes have not been circulated for comments"
    if today() > version.comments_due_on:
        return f"The time for comments ended on {format_date(version.comments_due_on)}"
    return None


def open_for_comment(user):
    """The draft minutes `user` may comment on now, as (version, session), the soonest to close
    first: circulated drafts whose time for comments has not ended, of sessions of their panel
    they were present at, and not those they chair (the chair answers in the draft)."""
    present = exists().where(
        Attendance.session_id == PanelSession.id, Attendance.member_id == PanelMember.id,
        PanelMember.user_id == user.id, Attendance.status == AttendanceStatus.PRESENT)
    rows = db.session.execute(
        select(MinutesVersion, PanelSession)
        .join(PanelSession, MinutesVersion.session_id == PanelSession.id)
        .where(MinutesVersion.status == MinutesStatus.DRAFT,
               MinutesVersion.comments_due_on >= today(), present, readable_sessions(user))
        .order_by(MinutesVersion.comments_due_on, PanelSession.held_on, PanelSession.id)).all()
    know_seats(user, [panel_session for _, panel_session in rows])
    return [(version, panel_session) for version, panel_session in rows
            if not can(user, "meeting.run", panel_session)]


def comment(panel_session, version, actor, text):
    """A member present at the session comments on the circulated draft, until its due date
    (that day included). Rule 13 applies: the comment is about what goes into the minutes."""
    closed = comments_closed(version)
    if closed:
        raise Refusal(closed, "text")
    if not present_at(panel_session, actor):
        raise Refusal("Only members present at the meeting can comment on its minutes", "text")
    text = _clean(text)
    if not text:
        raise Refusal("Enter your comment on the draft minutes", "text")
    if len(text) > COMMENT_LIMIT:
        raise Refusal(f"Your comment must be {COMMENT_LIMIT} characters or fewer", "text")
    refuse_on_agenda(panel_session, [("Your comment", "text", text)], actor)
    added = MinutesComment(version=version, author=actor, text=text)
    db.session.add(added)
    db.session.flush()
    audit.record("minutes_commented", version, actor=actor, session=panel_session.id,
                 version=version.version, comment=added.id)
    return added


def unanswered(version):
    """The comments made since the chair last saved this draft (all of them if never saved):
    the chair who saves the draft beside the comments has answered those before it."""
    saved = version.edited_at
    return [c for c in version.comments if saved is None or c.created_at > saved]


def approval_warnings(version):
    """What the chair should know before approving: comments may still come, or have come
    since the draft was last saved."""
    warnings = []
    if version.comments_due_on is not None and today() <= version.comments_due_on:
        warnings.append("The time for comments has not ended: members present can comment "
                        f"until {format_date(version.comments_due_on)}.")
    waiting = len(unanswered(version))
    if waiting:
        warnings.append(f"{count(waiting, 'comment')} arrived since the draft "
                        "was last saved.")
    return warnings


def pdf_bytes(panel_session, version):
    """The approved PDF as it was approved, or a fresh rendering of a draft."""
    if version.status == MinutesStatus.APPROVED and version.pdf:
        return version.pdf
    return pdf.render(minutes_html(panel_session, version))


def minutes_html(panel_session, version):
    return render_template("reports/minutes.html", minutes=minutes_data(panel_session, version))


# The data ------------------------------------------------------------------------------------


def minutes_data(panel_session, version):
    """Everything the minutes say, as plain data: the template only lays it out."""
    texts = version.texts or {}
    items = _items(panel_session, MINUTED)
    # Held while the quorum is counted, which reads the same rows through
    # `panel_session.attendance`.
    register = db.session.scalars(
        select(Attendance).where(Attendance.session_id == panel_session.id)
        .options(*ATTENDED).order_by(Attendance.id)).all()
    session_actions = actions.for_session(panel_session)
    return {
        "partnership": current_app.config["PARTNERSHIP_NAME"],
        "title": f"Threshold moderation panel: minutes of {format_date(panel_session.held_on)}",
        "extraordinary": panel_session.extraordinary,
        "held_on": format_date(panel_session.held_on),
        "time": panel_session.starts_at.strftime("%H:%M"),
        "place": _place(panel_session),
        "early_start": panel_session.early_start_reason,
        "version": version.version,
        "draft": version.status == MinutesStatus.DRAFT,
        "approved": _approval(version),
        "change_note": version.change_note,
        "earlier_versions": _earlier(panel_session, version),
        "opening": texts.get("opening", ""),
        "closing": texts.get("closing", ""),
        "attendance": _attendance(register),
        "guests": [{"item": item.position, **_guest(g)} for item in items for g in item.guests],
        "quorum": quorum(panel_session).explanation,
        "conflicts": _conflicts(items),
        "agenda_items": [_item(item, texts.get("items", {}), session_actions) for item in items],
        "actions": [_action(a) for a in session_actions],
        "overdue": [_action(a) for a in actions.overdue_before(panel_session)],
    }


def _place(panel_session):
    """Where the panel met, said once: "Online", or "Council House, Room 2 and online"."""
    place = (panel_session.place or "").strip()
    if not place:
        return "Online"  # a session needs a place or a link: with no place, it met online
    if panel_session.online_link and not re.search(r"\bonline\b", place, re.IGNORECASE):
        return f"{place} and online"
    return place


def _approval(version):
    if version.status != MinutesStatus.APPROVED:
        return None
    return {"by": version.approved_by.name if version.approved_by else "",
            "on": format_date(version.approved_at.date())}


def _earlier(panel_session, version):
    return [{"version": v.version, "change_note": v.change_note}
            for v in versions(panel_session) if v.version < version.version]


def _attendance(register):
    rows = {status: [] for status in AttendanceStatus}
    for row in register:
        member = row.member
        rows[AttendanceStatus(row.status)].append({
            "name": member.user.name, "agency": member.agency.name,
            "role": member.role.replace("_", " "),
            "deputy_for": row.standing_for.user.name if row.standing_for else None})
    return {status.value: people for status, people in rows.items()}


def _conflicts(items):
    return [{"item": item.position, "reference": item.dispute.reference,
             "name": c.member.user.name, "agency": c.member.agency.name, "nature": c.nature}
            for item in items for c in item.conflicts]


def _item(item, summaries, session_actions):
    dispute = item.dispute
    decision = item.decision
    return {
        "position": item.position,
        "reference": dispute.reference,
        "initials": dispute.child_initials,
        "added_after_freeze": AFTER_FREEZE if item.added_after_freeze else None,
        "summary": summaries.get(str(item.id), ""),
        "classification": Classification(dispute.effective_recorded_as).label,
        "csc_outcome": CscOutcome(dispute.effective_outcome).label,
        "escalation": [{"name": s.name, "opened": format_date(s.opened_on),
                        "closed": format_date(s.closed_on) if s.closed_on else "open",
                        "outcome": StageOutcome(s.outcome).label if s.outcome else "open"}
                       for s in dispute.stages],
        "votes": [{"agency": v.agency.name, "outcome": PanelOutcome(v.outcome).label,
                   "reason": v.reason, "in_room": v.in_room} for v in item.votes],
        "decision": _decision(decision),
        "deferred": item.deferral_reason if item.deferred and not decision else None,
        "actions": [_action(a) for a in session_actions if a.agenda_item_id == item.id],
        "guests": [_guest(g) for g in item.guests],
    }


GUEST_ATTENDED = {True: "attended", False: "did not attend", None: "attendance not recorded"}


def _guest(guest):
    return {"name": guest.user.name, "agency": guest.user.agency.name, "purpose": guest.purpose,
            "attended": GUEST_ATTENDED[guest.attended]}


def _decision(decision):
    if decision is None:
        return None
    return {"outcome": decision.outcome_label, "method": decision.method,
            "dissenting": decision.dissenting_agencies, "dissent": decision.dissent,
            "rationale": decision.rationale, "feedback": decision.feedback,
            "themes": [t.name for t in decision.themes]}


def _action(action):
    return {"description": action.description, "owner": action.owner_label,
            "agency": action.agency.name, "due": format_date(action.due_on),
            "status": ActionStatus(action.status).label,
            "reference": action.agenda_item.dispute.reference if action.agenda_item else None}

