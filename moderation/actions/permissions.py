"""Who may do what with the panel's actions (rule 12).

An action's owner updates it, wherever it was set; a chair updates those set at the sessions they
sat on; partnership managers oversee them all. Actions are set by the chair of the session, during
the meeting or while its minutes are in draft.
"""

from flask import g, has_app_context

from moderation.extensions import db
from moderation.models import Action, PanelSession, Role, SessionStatus
from moderation.panels import membership
from moderation.panels.permissions import session_access
from moderation.web.permissions import rule

SETTING_OPEN = (SessionStatus.IN_SESSION, SessionStatus.MINUTES_DRAFT)

rule("actions.list")  # anyone signed in: the list shows what each person may see
# The list shows the panel's actions, not only the user's own: every action to partnership
# managers, those of the sessions they sat on to chairs (the list's query says which).
rule("actions.see_all", Role.CHAIR, Role.PARTNERSHIP_MANAGER)


@rule("action.update", on=Action)
def may_update(user, action):
    """Owners update their own actions (every holder of the role, for one a role owns);
    partnership managers any; a chair those set at the sessions they sat on."""
    if action.owner_id == user.id or user.has_role(Role.PARTNERSHIP_MANAGER):
        return True
    if action.owner_role and user.has_role(action.owner_role):
        return True
    return user.has_role(Role.CHAIR) and action.session_id in _sessions_sat_on(user)


def _sessions_sat_on(user):
    """The ids of the sessions the user sat on: read once per request, however many actions a
    list asks about."""
    sat_on = g.setdefault("sessions_sat_on", {}) if has_app_context() else {}
    if user.id not in sat_on:
        sat_on[user.id] = set(db.session.scalars(membership.sessions_sat_on(user)))
    return sat_on[user.id]


@rule("action.set", Role.CHAIR, on=PanelSession)
def may_set(user, session):
    """The chair of the session sets actions during the meeting and while the minutes are in
    draft."""
    return session.status in SETTING_OPEN and session_access(user, session).runs_meeting
