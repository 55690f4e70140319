"""Who may do what with the panel's actions (rule 12).

An action's owner updates it, wherever it was set; the chair and deputy chair update those set
at the sessions they chair (a seat covering the session's date and today); partnership managers
oversee them all. Actions are set by the chair of the session, during the meeting or while its
minutes are in draft.
"""

from flask import g, has_app_context
from sqlalchemy import select

from moderation.calendar import today
from moderation.extensions import db
from moderation.models import Action, PanelMember, PanelSession, Role
from moderation.panels.permissions import session_access
from moderation.web.permissions import NOT_YOURS, may, rule

rule("actions.list")  # anyone signed in: the list shows what each person may see
# The list shows the panel's actions, not only the user's own: every action to partnership
# managers, those of the sessions they sat on to chairs (the list's query says which).
rule("actions.see_all", Role.CHAIR, Role.PARTNERSHIP_MANAGER)


@rule("action.update", on=Action)
def may_update(user, action):
    """Owners update their own actions (every holder of the role, for one a role owns);
    partnership managers any; the chair and deputy chair those set at the sessions they chair
    now (a chair whose seat has ended updates none)."""
    if action.owner_id == user.id or user.has_role(Role.PARTNERSHIP_MANAGER):
        return True
    if action.owner_role and user.has_role(action.owner_role):
        return True
    return user.has_role(Role.CHAIR) and action.session_id in _sessions_chaired(user)


def _sessions_chaired(user):
    """The ids of the sessions the user chairs now: read once per request, however many actions
    a list asks about."""
    chaired = g.setdefault("sessions_chaired", {}) if has_app_context() else {}
    if user.id not in chaired:
        chaired[user.id] = set(db.session.scalars(
            select(PanelSession.id)
            .join(PanelMember, PanelMember.chairing_on(PanelSession.held_on, today()))
            .where(PanelMember.user_id == user.id)))
    return chaired[user.id]


@rule("action.set", Role.CHAIR, on=PanelSession)
def may_set(user, panel_session):
    """The chair of the session sets actions during the meeting and while the minutes are in
    draft."""
    return may(why_not_set(user, panel_session))


def why_not_set(user, panel_session):
    """`action.set` and services.add_action: the chair of the session sets actions during the
    meeting and while the minutes are in draft."""
    if not session_access(user, panel_session).runs_meeting:
        return NOT_YOURS
    return why_not_set_now(panel_session)


def why_not_set_now(panel_session):
    """Why it cannot be done now, whoever asks, or None: what the service checks (whose it
    is, the route has asked already, with a 404 for NOT_YOURS)."""
    if panel_session.record_open:
        return None
    return "Actions are set during the meeting or while the minutes are in draft"
