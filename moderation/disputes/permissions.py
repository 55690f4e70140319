"""Who may do what with disputes, the escalation policy and the panel queue (rule 12)."""

from sqlalchemy import select

from moderation.disputes import services
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

rule("dispute.raise", Role.REFERRER)
rule("policy.read")
rule("policy.change", Role.PARTNERSHIP_MANAGER)
rule("queue.read", Role.CHAIR, Role.PARTNERSHIP_MANAGER)


@rule("dispute.read", *VIEWERS, Role.PANEL_MEMBER, on=Dispute)
def may_read(user, dispute):
    """Need-to-know: a referrer sees only their own disputes; CSC managers and partnership
    managers see all; a chair sees disputes waiting for panel (to build agendas); a panel member
    sees a case once it is on the frozen agenda of a session they sit on."""
    if user.has_role(Role.PARTNERSHIP_MANAGER, Role.CSC_MANAGER):
        return True
    if user.has_role(Role.CHAIR) and dispute.status == DisputeStatus.QUEUED:
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


@rule("dispute.page", *VIEWERS, on=Dispute)
def may_open(user, dispute):
    """The dispute's own page; panel members read a case in the panel's papers instead."""
    return may_read(user, dispute)


@rule("dispute.confirm", Role.CSC_MANAGER, on=Dispute)
def may_confirm(user, dispute):
    """A CSC manager records CSC's decision, but not while an independent stage they may not
    answer is open: they could otherwise take their own name off the record."""
    return may_read(user, dispute) and services.independence_conflict(dispute, user) is None


@rule("dispute.answer", Role.CSC_MANAGER, Role.PARTNERSHIP_MANAGER, on=Dispute)
def may_answer(user, dispute):
    """The stage's answering role (a partnership manager answers as the named senior lead on
    the urgent route), and never, at an independent second screening, someone who made,
    authorised or already answered the decision."""
    try:
        services.check_can_answer(dispute, user)
    except Refusal:
        return False
    return may_read(user, dispute)


@rule("dispute.escalate", Role.REFERRER, Role.CSC_MANAGER, on=Dispute)
def may_escalate(user, dispute):
    """The referrer who raised it, or a CSC manager, once the stage may be escalated."""
    owner = dispute.referrer_id == user.id
    return ((owner or user.has_role(Role.CSC_MANAGER)) and services.can_escalate(dispute)
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
