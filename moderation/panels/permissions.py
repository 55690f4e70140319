"""Who may do what with one panel session (rule 12): the answer for views and templates alike.

Holding a role never grants a session by itself. A session's case detail (its agenda, papers,
meeting record, actions and minutes) is for those who sit on its panel, which means being a
member on the day it is held, and for partnership managers, who oversee every session but run
none. Running the meeting also needs the chair role.
"""

from dataclasses import dataclass

from flask import abort

from moderation.models import MemberRole, Role, SessionStatus
from moderation.panels.membership import sitting_member

CHAIRING = (MemberRole.CHAIR, MemberRole.DEPUTY_CHAIR)
# Until the agenda is frozen a session has no papers or meeting to open.
NOT_OPENED = (SessionStatus.SCHEDULED, SessionStatus.CANCELLED)


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
    def meeting(self):
        """The meeting pages, where members mark themselves present, declare and vote."""
        return self.sits_on and self.opened

    @property
    def runs_meeting(self):
        return self.chairs and self.opened


def session_access(user, session):
    member = sitting_member(user, session)
    return SessionAccess(
        sits_on=member is not None,
        chairs=member is not None and member.role in CHAIRING and user.has_role(Role.CHAIR),
        oversees=user.has_role(Role.PARTNERSHIP_MANAGER),
        opened=session.status not in NOT_OPENED,
    )


def require(allowed):
    """Refuse a record the user may not see as if it were not there (as for a dispute), so
    that nobody learns what a session they do not sit on holds."""
    if not allowed:
        abort(404)
