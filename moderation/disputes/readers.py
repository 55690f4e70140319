"""Who may read a dispute (rule 12: need-to-know per record): the one home of that rule, which
the permission rules (permissions.py) and each service's why_not answers both read."""

from flask import g, has_app_context
from sqlalchemy import exists, select

from moderation.calendar import today
from moderation.extensions import db
from moderation.models import AgendaItem, DisputeStatus, PanelMember, PanelSession, Role


def chairs_the_panel(user):
    """Whether the user chairs the panel today: a chair or deputy chair seat that covers today,
    and the chair role. Holding the role is not enough (rule 12): a chair whose seat has ended,
    or starts next month, manages nothing. Asked once per request."""
    if not user.is_authenticated or not user.has_role(Role.CHAIR):
        return False
    answers = g.setdefault("chairs_the_panel", {}) if has_app_context() else {}
    if user.id not in answers:
        answers[user.id] = db.session.scalar(select(exists().where(
            PanelMember.user_id == user.id, PanelMember.chairing_on(today()))))
    return answers[user.id]


def reads_the_queue(user):
    """The queue and the disputes in it: partnership managers, and the panel's chair and deputy
    chair today, whose seat is a seat on every session still to come (they build its agenda, or
    schedule it, and call an extraordinary panel for an urgent dispute)."""
    return user.has_role(Role.PARTNERSHIP_MANAGER) or chairs_the_panel(user)


def may_read(user, dispute):
    """Need-to-know: a referrer sees only their own disputes; CSC managers and partnership
    managers see all; the panel's chair and deputy chair see disputes waiting for panel (to
    build agendas); a panel member sees a case once it is on the frozen agenda of a session they
    sit on."""
    if user.has_role(Role.PARTNERSHIP_MANAGER, Role.CSC_MANAGER):
        return True
    if dispute.status == DisputeStatus.QUEUED and reads_the_queue(user):
        return True
    if user.has_role(Role.REFERRER) and on_the_referrers_side(user, dispute):
        return True
    return user.has_role(Role.PANEL_MEMBER, Role.CHAIR) and _on_an_agenda_they_sit_on(user, dispute)


def on_the_referrers_side(user, dispute):
    """The referrer who raised it, or the manager they named at escalation."""
    return user.id in (dispute.referrer_id, dispute.referrer_manager_id)


def _on_an_agenda_they_sit_on(user, dispute):
    """Asked once per request for each dispute: a page asks it for the dispute and again for
    each of its documents (its papers' permissions)."""
    answers = g.setdefault("on_an_agenda_they_sit_on", {}) if has_app_context() else {}
    if (user.id, dispute.id) not in answers:
        answers[user.id, dispute.id] = _sits_on_an_agenda_holding(user, dispute)
    return answers[user.id, dispute.id]


def _sits_on_an_agenda_holding(user, dispute):
    return db.session.scalar(
        select(AgendaItem.id)
        .join(PanelSession, AgendaItem.session_id == PanelSession.id)
        .join(PanelMember, PanelMember.sitting_on(PanelSession.held_on))
        .where(AgendaItem.dispute_id == dispute.id, PanelSession.opened,
               PanelMember.user_id == user.id)
        .limit(1)
    ) is not None
