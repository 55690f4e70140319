"""Running the meeting: the attendance register, confidentiality, conflicts and quorum (rule 6).

Quorum is computed per agenda item, because a conflicted representative does not count for the
item they declared on. The rule itself lives in voting/rules.py; this module gathers its inputs.
"""

from sqlalchemy import select

from moderation.calendar import today
from moderation.disputes import child_identifiers
from moderation.extensions import db
from moderation.meeting import rules
from moderation.models import (
    Agency,
    Attendance,
    AttendanceStatus,
    Conflict,
    SessionStatus,
    VotingStatus,
)
from moderation.models.types import utcnow
from moderation.panels.membership import members, sitting_member
from moderation.panels.services import SchedulingError
from moderation.web import audit
from moderation.web.formatting import format_date

CONFIDENTIALITY_STATEMENT = (
    "The information in the papers and discussed at this panel is confidential. I will use it "
    "only for the panel's work, not share it outside the panel, and keep the papers securely."
)
# The register is open on the session's date (or once the chair has started the meeting) until
# the meeting closes.
REGISTER_OPEN = (SessionStatus.AGENDA_FROZEN, SessionStatus.IN_SESSION)


class MeetingError(SchedulingError):
    """Something the meeting's rules do not allow, with the field to point at."""


def register(session):
    """Every member sitting on this session's panel, with their attendance (None if not
    recorded)."""
    recorded = {row.member_id: row for row in session.attendance}
    return [(member, recorded.get(member.id)) for member in members(session)]


def attendance_of(session, user):
    return next((row for row in session.attendance if row.member.user_id == user.id), None)


def refuse_child_identifiers(session, fields):
    """Rule 13: text that goes into the minutes names, dates or numbers no child on this
    session's agenda. `fields`: (label, field id, text), in the order the page shows them."""
    children = child_identifiers.ChildIdentifiers(
        child_identifiers.Child(item.dispute.child_name, item.dispute.child_dob,
                                item.dispute.child_case_number) for item in session.agenda)
    refused = child_identifiers.refusal([f for f in fields if f[2]], children)
    if refused:
        raise MeetingError(*refused)


def register_open(session):
    if session.status == SessionStatus.IN_SESSION:
        return True
    return session.status in REGISTER_OPEN and today() >= session.held_on


def early(session):
    """True before the session's date, when starting the meeting needs a reason."""
    return today() < session.held_on


def _require_register_open(session):
    if session.status in REGISTER_OPEN and not register_open(session):
        raise MeetingError(f"The register opens on the day of the session, "
                           f"{format_date(session.held_on)}", "register")
    if not register_open(session):
        raise MeetingError("The register is open once the agenda is frozen and until the "
                           "meeting closes", "register")


def record_attendance(session, actor, entries):
    """The chair's register: `entries` maps member id to (status, acknowledged in the room)."""
    _require_register_open(session)
    standing = {member.id: member for member in members(session)}
    for member_id, (status, acknowledged) in entries.items():
        member = standing.get(member_id)
        if member is None or not AttendanceStatus.has(status):
            raise MeetingError("Select present, apologies or absent for each member", "register")
        _set(session, member, status, acknowledged)
    audit.record("attendance_recorded", session, actor=actor,
                 register={str(k): v[0] for k, v in entries.items()})


def acknowledge(session, user):
    """A member confirms, from their own account, that they are present and accept the
    confidentiality statement."""
    _require_register_open(session)
    member = sitting_member(user, session)
    if member is None:
        raise MeetingError("Only members of the panel can join the meeting", "acknowledge")
    _set(session, member, AttendanceStatus.PRESENT, True)
    audit.record("confidentiality_acknowledged", session, actor=user)


def _set(session, member, status, acknowledged):
    row = next((r for r in session.attendance if r.member_id == member.id), None)
    if row is None:
        row = Attendance(member=member, standing_for=member.deputy_for)
        session.attendance.append(row)
    row.status = status
    present = status == AttendanceStatus.PRESENT
    if not present or not acknowledged:
        row.confidentiality_acknowledged_at = None
    elif row.confidentiality_acknowledged_at is None:
        row.confidentiality_acknowledged_at = utcnow()


def core_agencies():
    return db.session.scalars(
        select(Agency.name).where(Agency.is_core.is_(True)).order_by(Agency.name)
    ).all()


def attendees(session, item=None):
    conflicted = {c.member_id for c in item.conflicts} if item is not None else set()
    return [
        rules.Attendee(name=row.member.user.name, agency=row.member.agency.name,
                       role=row.member.role, present=row.status == AttendanceStatus.PRESENT,
                       conflicted=row.member_id in conflicted)
        for row in session.attendance
    ]


def quorum(session, item=None):
    """Rule 6 for the session as a whole, or for one item (conflicted members excluded)."""
    return rules.quorum(attendees(session, item), core_agencies())


def declare_conflict(session, item, actor, member, nature):
    """Record a conflict of interest: the member no longer votes on the item, and any vote they
    cast while voting is open is withdrawn."""
    _require_register_open(session)
    if item.decision is not None or item.voting == VotingStatus.CLOSED:
        raise MeetingError("Voting on this item has closed: conflicts must be declared before",
                           "nature")
    if not nature.strip():
        raise MeetingError("Describe the conflict of interest", "nature")
    refuse_child_identifiers(session, [("The conflict of interest", "nature", nature)])
    if any(c.member_id == member.id for c in item.conflicts):
        raise MeetingError(f"{member.user.name} has already declared a conflict on this item",
                           "nature")
    item.conflicts.append(Conflict(member=member, nature=nature.strip(), declared_by_id=actor.id))
    for vote in [v for v in item.votes if v.member_id == member.id]:
        item.votes.remove(vote)
        audit.record("vote_withdrawn", item.dispute, actor=actor, item=item.id,
                     agency=vote.agency_id, reason="conflict declared")
    audit.record("conflict_declared", item.dispute, actor=actor, item=item.id,
                 member=member.id)


def conflicted(item, user):
    return any(c.member.user_id == user.id for c in item.conflicts)


def start(session, actor, early_reason=None):
    """Start the meeting on the session's date; a chair who must start before it says why,
    and the reason goes into the minutes."""
    if session.status != SessionStatus.AGENDA_FROZEN:
        raise MeetingError("Only a session with a frozen agenda can start", "meeting")
    reason = (early_reason or "").strip()
    if early(session) and not reason:
        raise MeetingError(f"The session is on {format_date(session.held_on)}: to start the "
                           "meeting before then, enter why", "early_reason")
    if early(session):
        refuse_child_identifiers(session, [("The reason for starting early", "early_reason",
                                            reason)])
        session.early_start_reason = reason
    session.status = SessionStatus.IN_SESSION
    audit.record("meeting_started", session, actor=actor, early_reason=reason or None)


def close(session, actor):
    """End the meeting once every item is decided or deferred; the minutes are then drafted."""
    if session.status != SessionStatus.IN_SESSION:
        raise MeetingError("Only a meeting in session can close", "meeting")
    open_items = [i for i in session.agenda if i.decision is None and not i.deferred]
    if open_items:
        numbers = ", ".join(str(i.position) for i in open_items)
        raise MeetingError(f"Decide or defer every item before closing the meeting (still open: "
                           f"item {numbers})", "meeting")
    session.status = SessionStatus.MINUTES_DRAFT
    audit.record("meeting_closed", session, actor=actor)
    from moderation.meeting import minutes  # the minutes build on this module

    minutes.start_draft(session, actor)

