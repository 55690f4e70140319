"""Who may do what with one panel session (rule 12): the answer for views and templates alike.

Holding a role never grants a session by itself. A session's case detail (its agenda, papers,
meeting record, actions and minutes) is for those who sit on its panel, which means being a
member on the day it is held, and for partnership managers, who oversee every session but run
none. Running the meeting also needs the chair role.
"""

from dataclasses import dataclass

from flask import g, has_app_context

from moderation.models import Dispute, MemberRole, PanelSession, Role, SessionStatus
from moderation.panels.agenda import urgent_standing
from moderation.panels.membership import sitting_member
from moderation.web.permissions import rule

SCHEDULE_READERS = (Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER)
CASE_READERS = (Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER)
MEMBERSHIP_MANAGERS = (Role.CHAIR, Role.PARTNERSHIP_MANAGER)

CHAIRING = (MemberRole.CHAIR, MemberRole.DEPUTY_CHAIR)


@dataclass(frozen=True)
class SessionAccess:
    """What the signed-in user may do with one session."""

    sits_on: bool  # a member of this session's panel
    chairs: bool  # sits on it as its chair or deputy chair, holding the chair role
    oversees: bool  # a partnership manager: reads everything, runs nothing
    opened: bool  # the agenda is frozen, so papers, meeting and actions exist

    @property
    def case_detail(self):
        """The agenda, papers, meeting record, actions and minutes."""
        return self.sits_on or self.oversees

    @property
    def papers(self):
        """The case detail, once the agenda is frozen and there are papers to read."""
        return self.case_detail and self.opened

    @property
    def meeting(self):
        """The meeting pages, where members mark themselves present, declare and vote."""
        return self.sits_on and self.opened

    @property
    def runs_meeting(self):
        return self.chairs and self.opened


def session_access(user, session):
    sits_on, chairs = _seat(user, session)
    return SessionAccess(
        sits_on=sits_on, chairs=chairs, oversees=user.has_role(Role.PARTNERSHIP_MANAGER),
        opened=session.opened,
    )


def _seat(user, session):
    """Whether the user sits on the session's panel, and chairs it: asked once per request,
    however many links a page decides with it."""
    seats = g.setdefault("panel_seats", {}) if has_app_context() else {}
    key = (user.id, session.id)
    if key not in seats:
        member = sitting_member(user, session)
        seats[key] = (member is not None, member is not None and member.role in CHAIRING
                      and user.has_role(Role.CHAIR))
    return seats[key]


# The rules -------------------------------------------------------------------------------------

rule("session.schedule", Role.CHAIR)  # schedule sessions and series
rule("members.manage", *MEMBERSHIP_MANAGERS)
rule("calendar.subscribe", Role.CHAIR, Role.PANEL_MEMBER)


@rule("session.read", *SCHEDULE_READERS, on=PanelSession)
def may_read(user, session):
    """Date, time and place: anyone who sees the schedule."""
    return True


@rule("session.case_detail", *CASE_READERS, on=PanelSession)
def may_read_case_detail(user, session):
    """The agenda, papers, meeting record, actions and minutes: those who sit on its panel, and
    partnership managers."""
    return session_access(user, session).case_detail


@rule("session.change", Role.CHAIR, on=PanelSession)
def may_change(user, session):
    """Move or cancel a session: any chair, while it is only scheduled."""
    return session.agenda_draft


@rule("papers.read", *CASE_READERS, on=PanelSession)
def may_read_papers(user, session):
    """The agenda's papers, once it is frozen: those who may read the session's case detail."""
    return session_access(user, session).papers


@rule("agenda.build", Role.CHAIR, on=PanelSession)
def may_build_agenda(user, session):
    """Any chair builds a draft agenda; once frozen it is case detail, for its own panel."""
    access = session_access(user, session)
    return not access.opened or access.case_detail


@rule("meeting.attend", Role.CHAIR, Role.PANEL_MEMBER, on=PanelSession)
def may_attend(user, session):
    """The meeting pages, where members mark themselves present, declare and vote."""
    return session_access(user, session).meeting


@rule("meeting.run", Role.CHAIR, on=PanelSession)
def may_run(user, session):
    """The register, voting, decisions and minutes: the chair of this session's panel."""
    return session_access(user, session).runs_meeting


@rule("agenda.add_urgent", Role.CHAIR, on=PanelSession)
def may_add_urgent(user, session):
    """An urgent dispute onto the agenda, beyond its capacity: the chair of this session's panel,
    until the meeting starts."""
    return (session.status in (SessionStatus.SCHEDULED, SessionStatus.AGENDA_FROZEN)
            and session_access(user, session).chairs)


@rule("session.call_extraordinary", Role.CHAIR, on=Dispute)
def may_call_extraordinary(user, dispute):
    """An extraordinary panel for a dispute about a child at immediate risk, unresolved at the end
    of the urgent route and on no agenda yet: any chair (the notice goes to the chair and the
    deputy chair, and either may be the one to act)."""
    return urgent_standing(dispute.id) is not None
