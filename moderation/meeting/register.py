"""The attendance register and the meeting's start and close.

The chair keeps the register; each member can mark themselves present and accept the
confidentiality statement from their own account. The register opens on the session's date (or
once the chair has started the meeting) and stays open until the meeting closes, when the
minutes are drafted. Quorum (rule 6) is counted from this register: see quorum.py.
"""

from moderation.calendar import today
from moderation.disputes.child_identifiers import refuse_on_agenda
from moderation.meeting import minutes
from moderation.models import Attendance, AttendanceStatus, SessionStatus
from moderation.models.types import utcnow
from moderation.notifications import notices
from moderation.panels.membership import members, sitting_member
from moderation.panels.permissions import session_access
from moderation.papers.guests import of_session
from moderation.web import audit
from moderation.web.boundary import Refusal
from moderation.web.formatting import format_date
from moderation.web.permissions import NOT_YOURS, enforce

CONFIDENTIALITY_STATEMENT = (
    "The information in the papers and discussed at this panel is confidential. I will use it "
    "only for the panel's work, not share it outside the panel, and keep the papers securely."
)


def register(panel_session):
    """Every member sitting on this session's panel, with their attendance (None if not
    recorded)."""
    recorded = {row.member_id: row for row in panel_session.attendance}
    return [(member, recorded.get(member.id)) for member in members(panel_session)]


def record_guests(panel_session, actor, answers):
    """The chair records whether each guest came: `answers` maps guest id to "yes" or "no".
    Guests are listed in the register but are never members, so they neither vote nor count
    for quorum."""
    enforce(why_register_closed(panel_session), "register")
    invited = {guest.id: guest for guest in of_session(panel_session)}
    for guest_id, answer in answers.items():
        if guest_id not in invited or answer not in ("yes", "no"):
            raise Refusal("Select whether each guest came", "guests")
        invited[guest_id].attended = answer == "yes"
    audit.record("guest_attendance_recorded", panel_session, actor=actor,
                 guests={str(k): v for k, v in answers.items()})


def attendance_of(panel_session, user):
    return next((row for row in panel_session.attendance if row.member.user_id == user.id), None)


def register_open(panel_session):
    """The register is open on the session's date (or once the chair has started the meeting)
    until the meeting closes."""
    if panel_session.in_session:
        return True
    return panel_session.meeting_ahead and today() >= panel_session.held_on


def opens_later(panel_session):
    """True while the agenda is frozen but the session's date, when the register opens, has not
    come."""
    return panel_session.meeting_ahead and not register_open(panel_session)


def early(panel_session):
    """True before the session's date, when starting the meeting needs a reason."""
    return today() < panel_session.held_on


def why_register_closed(panel_session):
    """Why nobody may write in the session's register now, or None while it is open."""
    if opens_later(panel_session):
        return f"The register opens on the day of the session, {format_date(panel_session.held_on)}"
    if not register_open(panel_session):
        return "The register is open once the agenda is frozen and until the meeting closes"
    return None


def why_not_keep_register(user, panel_session):
    """`register.keep`, `record_attendance` and `record_guests`: the chair of the session
    keeps its register while it is open."""
    if not session_access(user, panel_session).runs_meeting:
        return NOT_YOURS
    return why_register_closed(panel_session)


def why_not_acknowledge(user, panel_session):
    """`register.acknowledge` and `acknowledge`: a member of the session's panel marks
    themselves present while the register is open."""
    if not session_access(user, panel_session).meeting:
        return NOT_YOURS
    return why_register_closed(panel_session)


def why_not_start(user, panel_session):
    """`meeting.start` and `start`: the chair starts a meeting whose agenda is frozen."""
    if not session_access(user, panel_session).runs_meeting:
        return NOT_YOURS
    return why_not_start_now(panel_session)


def why_not_start_now(panel_session):
    """Why it cannot be done now, whoever asks, or None: what the service checks (whose it
    is, the route has asked already, with a 404 for NOT_YOURS)."""
    return None if panel_session.ready_to_start else "Only a session with a frozen agenda can start"


def why_not_close(user, panel_session):
    """`meeting.close` and `close`: the chair closes a meeting in session (`close` then asks
    that every item be decided or deferred, and says which are not)."""
    if not session_access(user, panel_session).runs_meeting:
        return NOT_YOURS
    return why_not_close_now(panel_session)


def why_not_close_now(panel_session):
    """Why it cannot be done now, whoever asks, or None: what the service checks (whose it
    is, the route has asked already, with a 404 for NOT_YOURS)."""
    return None if panel_session.in_session else "Only a meeting in session can close"


def record_attendance(panel_session, actor, entries):
    """The chair's register: `entries` maps member id to (status, acknowledged in the room)."""
    enforce(why_register_closed(panel_session), "register")
    standing = {member.id: member for member in members(panel_session)}
    for member_id, (status, acknowledged) in entries.items():
        member = standing.get(member_id)
        if member is None or not AttendanceStatus.has(status):
            raise Refusal("Select present, apologies or absent for each member", "register")
        _set(panel_session, member, status, acknowledged)
    audit.record("attendance_recorded", panel_session, actor=actor,
                 register={str(k): v[0] for k, v in entries.items()})


def acknowledge(panel_session, user):
    """A member confirms, from their own account, that they are present and accept the
    confidentiality statement."""
    enforce(why_register_closed(panel_session), "register")
    member = sitting_member(user, panel_session)
    if member is None:
        raise Refusal("Only members of the panel can join the meeting", "acknowledge")
    _set(panel_session, member, AttendanceStatus.PRESENT, True)
    audit.record("confidentiality_acknowledged", panel_session, actor=user)


def _set(panel_session, member, status, acknowledged):
    row = next((r for r in panel_session.attendance if r.member_id == member.id), None)
    if row is None:
        row = Attendance(member=member, standing_for=member.deputy_for)
        panel_session.attendance.append(row)
    row.status = status
    present = status == AttendanceStatus.PRESENT
    if not present or not acknowledged:
        row.confidentiality_acknowledged_at = None
    elif row.confidentiality_acknowledged_at is None:
        row.confidentiality_acknowledged_at = utcnow()


def start(panel_session, actor, early_reason=None):
    """Start the meeting on the session's date; a chair who must start before it says why,
    and the reason goes into the minutes."""
    enforce(why_not_start_now(panel_session), "meeting")
    reason = (early_reason or "").strip()
    if early(panel_session) and not reason:
        raise Refusal(f"The session is on {format_date(panel_session.held_on)}: to start the "
                      "meeting before then, enter why", "early_reason")
    if early(panel_session):
        refuse_on_agenda(panel_session, [("The reason for starting early", "early_reason", reason)],
                         actor)
        panel_session.early_start_reason = reason
    panel_session.status = SessionStatus.IN_SESSION
    audit.record("meeting_started", panel_session, actor=actor, early_reason=reason or None)


def close(panel_session, actor):
    """End the meeting once every item is decided or deferred; the minutes are then drafted and
    the members present are told they are ready for comment."""
    enforce(why_not_close_now(panel_session), "meeting")
    open_items = [i for i in panel_session.agenda if not i.concluded]
    if open_items:
        numbers = ", ".join(str(i.position) for i in open_items)
        raise Refusal(f"Decide or defer every item before closing the meeting (still open: "
                      f"item {numbers})", "meeting")
    panel_session.status = SessionStatus.MINUTES_DRAFT
    audit.record("meeting_closed", panel_session, actor=actor)
    notices.minutes_draft(panel_session, minutes.start_draft(panel_session, actor))
