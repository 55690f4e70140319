"""Who may attach, download and withdraw a dispute's documents (rule 12: per record)."""

from flask import g, has_request_context
from sqlalchemy import select

from moderation.disputes import papers
from moderation.disputes.permissions import may_read
from moderation.extensions import db
from moderation.models import (
    AgendaItem,
    Dispute,
    DisputeDocument,
    ItemGuest,
    PanelSession,
    Role,
)
from moderation.web.permissions import rule

ADDERS = (Role.REFERRER, Role.CSC_MANAGER)


def _remembered(key, answer):
    """The answer for `key` once per request: a list of documents asks the same question of its
    dispute for every row, and must not query for each."""
    if not has_request_context():
        return answer()
    answers = g.setdefault("document_permissions", {})
    if key not in answers:
        answers[key] = answer()
    return answers[key]


def guest_of(user, dispute):
    """Whether `user` is a guest of an agenda item on this dispute whose session's agenda is
    frozen and whose meeting has not ended."""
    return db.session.scalar(
        select(ItemGuest.id)
        .join(AgendaItem, ItemGuest.agenda_item_id == AgendaItem.id)
        .join(PanelSession, AgendaItem.session_id == PanelSession.id)
        .where(ItemGuest.user_id == user.id, AgendaItem.dispute_id == dispute.id,
               PanelSession.meeting_ahead)
        .limit(1)) is not None


def _on_the_referrers_side(user, dispute):
    return user.id in (dispute.referrer_id, dispute.referrer_manager_id)


def may_read_papers(user, dispute):
    """Whoever may read the dispute, the referrer's named manager, and the guests of its item
    while they may read its papers."""
    return _remembered(("read", user.id, dispute.id), lambda: (
        _on_the_referrers_side(user, dispute) or may_read(user, dispute)
        or guest_of(user, dispute)))


def _decided_on(dispute):
    return _remembered(("decided", dispute.id), lambda: papers.papers_decided_on(dispute))


@rule("document.add", *ADDERS, on=Dispute)
def may_add(user, dispute):
    """The referrer who raised it, their named manager, and CSC managers, while the papers are
    open."""
    side = _on_the_referrers_side(user, dispute) or user.has_role(Role.CSC_MANAGER)
    return side and papers.papers_open(dispute)


@rule("document.read", on=DisputeDocument)
def may_download(user, document):
    """Not once withdrawn; otherwise exactly those who may read the dispute's papers."""
    return not document.withdrawn and may_read_papers(user, document.dispute)


@rule("document.withdraw", *ADDERS, on=DisputeDocument)
def may_withdraw(user, document):
    """Whoever added it, until the panel has had it."""
    return (document.added_by_id == user.id and not document.withdrawn
            and may_read_papers(user, document.dispute) and not _decided_on(document.dispute))
