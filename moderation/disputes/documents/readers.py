"""Who may read a dispute's documents (rule 12): whoever may read the dispute, the referrer's
named manager, and the guests of its agenda item while they may read its papers."""

from flask import g, has_request_context
from sqlalchemy import select

from moderation.disputes import papers
from moderation.disputes.readers import may_read, on_the_referrers_side
from moderation.extensions import db
from moderation.models import AgendaItem, ItemGuest, PanelSession


def remembered(key, answer):
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


def may_read_papers(user, dispute):
    """Whoever may read the dispute, the referrer's named manager, and the guests of its item
    while they may read its papers."""
    return remembered(("read", user.id, dispute.id), lambda: (
        on_the_referrers_side(user, dispute) or may_read(user, dispute)
        or guest_of(user, dispute)))


def decided_on(dispute):
    """Whether the panel has had the dispute's papers (papers.papers_decided_on), once per
    request."""
    return remembered(("decided", dispute.id), lambda: papers.papers_decided_on(dispute))
