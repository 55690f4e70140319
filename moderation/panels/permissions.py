"""Who may do what with one panel session (rule 12): the answer for views and templates alike.

Holding a role never grants a session by itself. A session (its date, place and link, and its
case detail: the agenda, papers, meeting record, actions and minutes) is for those who sit on its
panel, which means being a member on the day it is held, and for partnership managers, who
oversee every session but run none. Managing it (moving, cancelling, building its agenda,
running its meeting, its minutes) needs a chair or deputy chair seat that covers its date and
today, and the chair role: a chair whose seat ended yesterday, or starts next month, manages
nothing, whatever they once chaired or will.
"""

from dataclasses import dataclass

from flask import g, has_app_context
from sqlalchemy import exists, select, true

from moderation.calendar import today
from moderation.disputes.permissions import chairs_the_panel
from moderation.extensions import db
from moderation.models import Dispute, PanelMember, PanelSession, Role
from moderation.panels.agenda import urgent_standing, why_no_urgent_now
from moderation.web.permissions import NOT_YOURS, may, rule

SCHEDULE_READERS = (Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER)
CASE_READERS = (Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER)
MEMBERSHIP_MANAGERS = (Role.CHAIR, Role.PARTNERSHIP_MANAGER)
# Who reaches the pages of a session (and its items) that a person may open: every panel role,
# whatever the page is for, so that whoever is refused one (a member at the chair's page, a
# chair whose seat has ended) is told "Page not found", the same as for a session that is not
# there. The record's test says who may take the action; the door says nothing of the record.
SESSION_PAGES = (Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER)


@dataclass(frozen=True)
class SessionAccess:
    """What the signed-in user may do with one session."""

    sits_on: bool  # a member of this session's panel
    chairs: bool  # its chair or deputy chair now: a seat covering its date and today, and the role
    oversees: bool  # a partnership manager: reads everything, runs nothing
    opened: bool  # the agenda is frozen, so papers, meeting and actions exist

    @property
    def case_detail(self):
        """The session itself and its agenda, papers, meeting record, actions and minutes."""
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


def session_access(user, panel_session):
    sits_on, chairs = _seat(user, panel_session)
    return SessionAccess(
        sits_on=sits_on, chairs=chairs and user.has_role(Role.CHAIR),
        oversees=user.has_role(Role.PARTNERSHIP_MANAGER), opened=panel_session.opened,
    )


def _seat(user, panel_session):
    """Whether the user sits on the session's panel, and chairs it now: one query, asked once
    per request, however many links a page decides with it."""
    seats = g.setdefault("panel_seats", {}) if has_app_context() else {}
    key = (user.id, panel_session.id)
    if key not in seats:
        seats[key] = _seat_query(user, panel_session) if user.is_authenticated else (False, False)
    return seats[key]


def _seat_query(user, panel_session):
    return tuple(db.session.execute(select(*_seat_columns(user, panel_session.held_on))).one())


def _seat_columns(user, held_on):
    mine = PanelMember.user_id == user.id
    return (exists().where(mine, PanelMember.sitting_on(held_on)),
            exists().where(mine, PanelMember.chairing_on(held_on, today())))


def know_seats(user, sessions):
    """The user's seat on each of `sessions`, in one query: a list that asks `can` of each row
    then asks the database nothing more."""
    seats = g.setdefault("panel_seats", {})
    unknown = [panel_session.id for panel_session in sessions
               if (user.id, panel_session.id) not in seats]
    if not user.is_authenticated or not unknown:
        return
    rows = db.session.execute(select(PanelSession.id, *_seat_columns(user, PanelSession.held_on))
                              .where(PanelSession.id.in_(unknown)))
    for session_id, sits_on, chairs in rows:
        seats[(user.id, session_id)] = (sits_on, chairs)


# The rules -------------------------------------------------------------------------------------

def manages_membership(user):
    """Partnership managers, and the panel's chair and deputy chair today."""
    return user.has_role(Role.PARTNERSHIP_MANAGER) or chairs_the_panel(user)


rule("session.schedule", Role.CHAIR, standing=chairs_the_panel,
     refusal="Scheduling panel sessions is for the panel's chair and deputy chair. You do not "
             "chair the panel: a partnership manager adds the chair and deputy chair.")
rule("members.manage", *MEMBERSHIP_MANAGERS, standing=manages_membership,
     refusal="Panel membership is managed by partnership managers and the panel's chair and "
             "deputy chair. You do not chair the panel.")
rule("calendar.subscribe", Role.CHAIR, Role.PANEL_MEMBER)


@rule("session.read", *SCHEDULE_READERS, on=PanelSession)
def may_read(user, panel_session):
    """Its date, time, place, online link and purpose: those who sit on its panel, and
    partnership managers."""
    return session_access(user, panel_session).case_detail


def readable_sessions(user):
    """`session.read` for a list: a WHERE clause choosing the sessions the user may read, so
    that a schedule asks once, not once per row."""
    if user.has_role(Role.PARTNERSHIP_MANAGER):
        return true()
    return exists().where(PanelMember.user_id == user.id,
                          PanelMember.sitting_on(PanelSession.held_on))


@rule("session.case_detail", *CASE_READERS, on=PanelSession)
def may_read_case_detail(user, panel_session):
    """The agenda, papers, meeting record, actions and minutes: those who sit on its panel, and
    partnership managers."""
    return session_access(user, panel_session).case_detail


@rule("session.change", *SESSION_PAGES, on=PanelSession)
def may_change(user, panel_session):
    """Move or cancel a session while it is only scheduled: its chair or deputy chair now."""
    return may(why_not_change(user, panel_session))


def why_not_change(user, panel_session):
    """`session.change`, `cancel_session` and `move_session`."""
    if not session_access(user, panel_session).chairs:
        return NOT_YOURS
    return why_not_change_now(panel_session)


def why_not_change_now(panel_session):
    """Why it cannot be done now, whoever asks, or None: what the service checks (whose it
    is, the route has asked already, with a 404 for NOT_YOURS)."""
    if panel_session.agenda_draft:
        return None
    return "Only a scheduled session can be cancelled or moved"


@rule("papers.read", *CASE_READERS, on=PanelSession)
def may_read_papers(user, panel_session):
    """The agenda's papers, once it is frozen: those who may read the session's case detail."""
    return session_access(user, panel_session).papers


@rule("agenda.build", *SESSION_PAGES, on=PanelSession)
def may_build_agenda(user, panel_session):
    """Its chair or deputy chair now builds the agenda until it is frozen; a frozen agenda is
    case detail, for its own panel and partnership managers."""
    access = session_access(user, panel_session)
    return access.case_detail if access.opened else access.chairs


@rule("meeting.attend", Role.CHAIR, Role.PANEL_MEMBER, on=PanelSession)
def may_attend(user, panel_session):
    """The meeting pages, where members mark themselves present, declare and vote."""
    return session_access(user, panel_session).meeting


@rule("meeting.run", Role.CHAIR, on=PanelSession)
def may_run(user, panel_session):
    """The register, voting, decisions and minutes: the session's chair or deputy chair now."""
    return session_access(user, panel_session).runs_meeting


@rule("agenda.add_urgent", Role.CHAIR, on=PanelSession)
def may_add_urgent(user, panel_session):
    """An urgent dispute onto the agenda, beyond its capacity: the session's chair or deputy
    chair now, until the meeting starts."""
    return may(why_not_add_urgent(user, panel_session))


def why_not_add_urgent(user, panel_session):
    """`agenda.add_urgent` and `add_urgent_item`: a frozen agenda (or a draft), never a
    meeting that has started."""
    if not session_access(user, panel_session).chairs:
        return NOT_YOURS
    return why_no_urgent_now(panel_session)


@rule("session.call_extraordinary", *SESSION_PAGES, on=Dispute, standing=chairs_the_panel)
def may_call_extraordinary(user, dispute):
    """An extraordinary panel for a dispute about a child at immediate risk, unresolved at the end
    of the urgent route and on no agenda yet: the panel's chair or deputy chair today (the notice
    goes to both, and either may be the one to act)."""
    return urgent_standing(dispute.id) is not None
