"""Who may do what with disputes, the escalation policy and the panel queue (rule 12)."""

from flask import g, has_app_context
from sqlalchemy import exists, select

from moderation.calendar import today
from moderation.disputes import escalating, responding
from moderation.extensions import db
from moderation.models import (
    AgendaItem,
    Dispute,
    DisputeStatus,
    PanelMember,
    PanelSession,
    Role,
    SessionStatus,
)
from moderation.web.boundary import Refusal
from moderation.web.permissions import rule

VIEWERS = (Role.REFERRER, Role.CSC_MANAGER, Role.CHAIR, Role.PARTNERSHIP_MANAGER)
# Until its agenda is frozen a session's cases are not open to its members.
NOT_OPENED = (SessionStatus.SCHEDULED, SessionStatus.CANCELLED)


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


rule("dispute.raise", Role.REFERRER)
rule("policy.read")
rule("policy.change", Role.PARTNERSHIP_MANAGER)
rule("queue.read", Role.CHAIR, Role.PARTNERSHIP_MANAGER, standing=reads_the_queue,
     refusal="The panel queue is for the panel's chair and deputy chair, and partnership "
             "managers. You do not chair the panel: a partnership manager adds the chair and "
             "deputy chair.")


@rule("dispute.read", *VIEWERS, Role.PANEL_MEMBER, on=Dispute)
def may_read(user, dispute):
    """Need-to-know: a referrer sees only their own disputes; CSC managers and partnership
    managers see all; the panel's chair and deputy chair see disputes waiting for panel (to
    build agendas); a panel member sees a case once it is on the frozen agenda of a session they
    sit on."""
    if user.has_role(Role.PARTNERSHIP_MANAGER, Role.CSC_MANAGER):
        return True
    if dispute.status == DisputeStatus.QUEUED and reads_the_queue(user):
        return True
    if user.has_role(Role.REFERRER) and _referrer_or_their_manager(user, dispute):
        return True
    return user.has_role(Role.PANEL_MEMBER, Role.CHAIR) and _on_an_agenda_they_sit_on(user, dispute)


def _referrer_or_their_manager(user, dispute):
    """The referrer who raised it, or the manager they named at escalation."""
    return user.id in (dispute.referrer_id, dispute.referrer_manager_id)


def _on_an_agenda_they_sit_on(user, dispute):
    return db.session.scalar(
        select(AgendaItem.id)
        .join(PanelSession, AgendaItem.session_id == PanelSession.id)
        .join(PanelMember, PanelMember.sitting_on(PanelSession.held_on))
        .where(AgendaItem.dispute_id == dispute.id, PanelSession.status.not_in(NOT_OPENED),
               PanelMember.user_id == user.id)
        .limit(1)
    ) is not None


@rule("dispute.page", *VIEWERS, Role.PANEL_MEMBER, on=Dispute)
def may_open(user, dispute):
    """The dispute's own page; panel members read a case in the panel's papers instead (they
    reach the route only to be told "Page not found", as at every case page they may not
    open)."""
    return user.has_role(*VIEWERS) and may_read(user, dispute)


@rule("dispute.confirm", Role.CSC_MANAGER, on=Dispute)
def may_confirm(user, dispute):
    """A CSC manager records CSC's decision, but not while an independent stage they may not
    answer is open: they could otherwise take their own name off the record."""
    return may_read(user, dispute) and responding.independence_conflict(dispute, user) is None


@rule("dispute.answer", Role.CSC_MANAGER, Role.PARTNERSHIP_MANAGER, on=Dispute)
def may_answer(user, dispute):
    """The stage's answering role (a partnership manager answers as the named senior lead on
    the urgent route), and never, at an independent second screening, someone who made,
    authorised or already answered the decision."""
    try:
        responding.check_can_answer(dispute, user)
    except Refusal:
        return False
    return may_read(user, dispute)


@rule("dispute.escalate", Role.REFERRER, Role.CSC_MANAGER, on=Dispute)
def may_escalate(user, dispute):
    """The referrer who raised it, or a CSC manager, once the stage may be escalated."""
    owner = dispute.referrer_id == user.id
    return ((owner or user.has_role(Role.CSC_MANAGER)) and escalating.can_escalate(dispute)
            and may_read(user, dispute))


@rule("dispute.reply_to_settlement", Role.REFERRER, on=Dispute)
def may_reply_to_settlement(user, dispute):
    """The referrer who raised it answers a settlement made on their acceptance. A second
    answer is the service's refusal, shown on the page, not "Page not found"."""
    return dispute.referrer_id == user.id


@rule("dispute.add_information", Role.REFERRER, on=Dispute)
def may_add_information(user, dispute):
    """The referrer who raised it, or the manager they named. Whether the papers are still open
    is the service's rule, refused with its reason on the page."""
    return _referrer_or_their_manager(user, dispute)


@rule("dispute.record_birth", Role.REFERRER, Role.CSC_MANAGER, on=Dispute)
def may_record_birth(user, dispute):
    """A dispute about an unborn child, not anonymised: the referrer who raised it or the
    manager they named, or a CSC manager (who reads every dispute). Open or closed: the date of
    birth is what the retention schedule counts the child's age from."""
    if not dispute.unborn or dispute.anonymised:
        return False
    if user.has_role(Role.REFERRER) and _referrer_or_their_manager(user, dispute):
        return True
    return user.has_role(Role.CSC_MANAGER) and may_read(user, dispute)
