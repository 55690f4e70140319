"""A dispute's papers as the referrer's side adds to them: new information, their named manager,
and whether the papers are still open (until an agenda that will hear the dispute is frozen)."""

from sqlalchemy import select

from moderation.disputes.readers import on_the_referrers_side
from moderation.extensions import db
from moderation.models import (
    AgendaItem,
    DisputeAddition,
    PanelSession,
    Role,
    User,
)
from moderation.models.dispute_terms import OPEN_STATUSES
from moderation.notifications import notices
from moderation.web import audit
from moderation.web.boundary import Refusal
from moderation.web.permissions import NOT_YOURS, enforce


# A session's agenda is open to its panel (and its papers fixed) from the freeze on.
def _frozen_items(dispute, still_to_decide):
    items = (select(AgendaItem.id).join(PanelSession, AgendaItem.session_id == PanelSession.id)
             .where(AgendaItem.dispute_id == dispute.id, PanelSession.opened))
    if still_to_decide:
        items = items.where(AgendaItem.deferred.is_(False))
    return db.session.scalar(items.limit(1)) is not None


def papers_open(dispute):
    """Whether new information and documents can be added: while the dispute is open (it
    escalates or waits for panel), until an agenda it is on is frozen (a deferral opens them
    again)."""
    return dispute.status in OPEN_STATUSES and not _frozen_items(dispute, still_to_decide=True)


def papers_decided_on(dispute):
    """Whether a panel has had the papers: once on a frozen agenda, or once the dispute is
    closed, a document stays (the panel decided on it) and can no longer be withdrawn."""
    return dispute.closed or _frozen_items(dispute, still_to_decide=False)


def papers_closed_reason(dispute):
    """Why nothing more can be added to the dispute's papers."""
    if dispute.closed:
        return "This dispute is closed, so no new information can be added to it"
    return ("The panel's papers are fixed: the agenda of the meeting that will hear this dispute "
            "is frozen, so no new information can be added")


def why_not_add_information(user, dispute):
    """Why `user` may not add information to the dispute now, or None: NOT_YOURS unless they
    are on the referrer's side of it; else why its papers are closed, if they are."""
    if not on_the_referrers_side(user, dispute):
        return NOT_YOURS
    return None if papers_open(dispute) else papers_closed_reason(dispute)


def add_information(dispute, actor, text):
    """New information from the referrer (or their named manager) for the next stage or the
    panel: dated, and marked new in the papers. Refused once the papers are fixed (the agenda
    of the meeting that will hear it is frozen) or the dispute is closed."""
    enforce(why_not_add_information(actor, dispute), "text")
    stage = dispute.current_stage
    addition = DisputeAddition(dispute_id=dispute.id, author_id=actor.id, text=text.strip(),
                               stage_position=stage.position if stage else None)
    db.session.add(addition)
    db.session.flush()
    audit.record("information_added", dispute, actor=actor, addition=addition.id,
                 stage=addition.stage_position)
    return addition


def referrer_manager_candidates(dispute):
    """Who the referrer can name as their manager: the active referrers of their own agency,
    other than the referrer (the manager reads the dispute's page as a referrer does)."""
    return db.session.scalars(
        select(User).where(User.agency_id == dispute.referring_agency_id, User.active.is_(True),
                           User.id != dispute.referrer_id,
                           User.role_links.any(role=Role.REFERRER))
        .order_by(User.name, User.id)).all()


def name_referrer_manager(dispute, actor, manager_id):
    """The referrer names their manager, who may then read the dispute and add information to
    it (but not escalate it or answer a settlement). Only someone of their own agency."""
    if actor.id != dispute.referrer_id:
        raise Refusal("Only the referrer who raised the dispute can name their manager",
                      "referrer_manager_id")
    if manager_id not in {user.id for user in referrer_manager_candidates(dispute)}:
        raise Refusal("Select your manager from the people in your own agency",
                      "referrer_manager_id")
    if dispute.referrer_manager_id != manager_id:
        dispute.referrer_manager_id = manager_id
        audit.record("referrer_manager_named", dispute, actor=actor, manager=manager_id)
        notices.manager_named(dispute)
