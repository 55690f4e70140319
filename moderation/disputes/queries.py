"""The lists of disputes and what a dispute's page reads beside it: each a query or two,
whatever the number of rows (the options say what each list loads with its disputes)."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from moderation.extensions import db
from moderation.models import (
    Action,
    AgendaItem,
    Dispute,
    DisputeAddition,
    DisputeStage,
    DisputeStatus,
    PanelDecision,
    Role,
)
from moderation.notifications import notices

# A list of disputes shows each one's referring agency and its current stage with its clock.
LISTED = (joinedload(Dispute.referring_agency), selectinload(Dispute.stages))

# One dispute in full (its page, and the panel's papers): who raised it and for which agency,
# CSC's decision maker, the concerns, and each stage with who opened and who answered it.
DETAIL = (
    joinedload(Dispute.referring_agency),
    joinedload(Dispute.referrer),
    joinedload(Dispute.csc_decision_maker),
    joinedload(Dispute.csc_authorising_manager),
    joinedload(Dispute.repeat_of),
    selectinload(Dispute.concerns),
    selectinload(Dispute.stages).options(joinedload(DisputeStage.opened_by),
                                         joinedload(DisputeStage.responded_by)),
)


def referrers_disputes(user):
    return _newest_first(Dispute.referrer_id == user.id)


def managed_disputes(user):
    """The disputes whose referrers named `user` as their manager."""
    return _newest_first(Dispute.referrer_manager_id == user.id)


def _newest_first(condition):
    return db.session.scalars(
        select(Dispute).where(condition).options(*LISTED)
        .order_by(Dispute.raised_on.desc(), Dispute.id.desc())
    ).all()


def csc_worklist():
    """Disputes waiting for CSC at their current stage: urgent first, then most overdue. Each
    urgent one carries who has been told of it (`told`), read in one query for the list."""
    open_stage = (
        select(DisputeStage)
        .where(DisputeStage.closed_on.is_(None), DisputeStage.answering_role == Role.CSC_MANAGER)
        .subquery()
    )
    disputes = db.session.execute(
        select(Dispute)
        .join(open_stage, open_stage.c.dispute_id == Dispute.id)
        .where(Dispute.status == DisputeStatus.ESCALATING)
        .options(*LISTED)
        .order_by(Dispute.immediate_risk.desc(), open_stage.c.due_on, Dispute.id)
    ).scalars().all()
    return with_told(disputes)


def with_told(disputes):
    """The disputes, each urgent one carrying who has been told of it (`told`), read in one
    query for the list."""
    urgent = [dispute for dispute in disputes if dispute.immediate_risk]
    told = notices.told_of_each({notices.urgent_key(d): d for d in urgent})
    for dispute in urgent:
        dispute.told = told[notices.urgent_key(dispute)]
    return disputes


def who_was_told(dispute):
    """Who was told of an urgent dispute at once, and when."""
    return notices.who_was_told(notices.urgent_key(dispute))


def queue_order():
    """Rule 5: immediate risk first, then the level of need claimed, then the oldest decision."""
    return (
        Dispute.immediate_risk.desc(),
        Dispute.level_of_need.desc(),
        Dispute.csc_decision_date,
        Dispute.id,
    )


# The dispute page shows each of the panel's decisions with its learning themes.
DECISIONS = (selectinload(PanelDecision.themes),)


def decisions_on(dispute):
    """The panel's decisions on a dispute, oldest first (a deferral, then the outcome)."""
    return db.session.scalars(
        select(PanelDecision).where(PanelDecision.dispute_id == dispute.id)
        .options(*DECISIONS)
        .order_by(PanelDecision.recorded_at, PanelDecision.id)
    ).all()


def actions_on(dispute):
    """The action CSC owes after the panel overturned its decision, and whether it was done."""
    return db.session.scalars(
        select(Action).join(AgendaItem, Action.agenda_item_id == AgendaItem.id)
        .where(AgendaItem.dispute_id == dispute.id, Action.owner_role.is_not(None))
        .order_by(Action.due_on, Action.id)).all()


def additions_on(dispute):
    """The referrer's additions to a dispute, oldest first, each with its author."""
    return db.session.scalars(
        select(DisputeAddition).where(DisputeAddition.dispute_id == dispute.id)
        .options(joinedload(DisputeAddition.author))
        .order_by(DisputeAddition.added_at, DisputeAddition.id)).all()


def raised_since(start, end):
    """How many disputes, not urgent (those are told at once), were raised from `start` up to
    the day before `end`: the CSC managers' daily digest."""
    return db.session.scalar(select(func.count(Dispute.id)).where(
        Dispute.raised_on >= start, Dispute.raised_on < end, Dispute.immediate_risk.is_(False)))
