"""CSC's work list: every dispute CSC is party to, filtered and a page at a time.

CSC is the other side of every dispute in the partnership, and a CSC front-door manager may read
each one (readers.may_read), so the list is every dispute, open ones by default. Each filter
is a condition on an indexed column, or an EXISTS the database answers from the stage's
(dispute_id, position) index, so the list stays fast however many disputes there are.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select

from moderation.calendar import today
from moderation.disputes import queries
from moderation.disputes.worklist_forms import ANY, OPEN
from moderation.extensions import db
from moderation.models import Dispute, DisputeStage, DisputeStatus, Role
from moderation.models.dispute_terms import OPEN_STATUSES


@dataclass
class WorklistFilters:
    reference: str = ""
    status: str = OPEN
    waiting: bool = False
    urgent: bool = False
    overdue: bool = False
    received_from: date | None = None
    received_to: date | None = None

    @classmethod
    def from_form(cls, form):
        """The filters a valid form chose; an invalid one filters nothing beyond the default
        (its errors are shown beside the list)."""
        if not form.validate():
            return cls()
        return cls(reference=form.typed_reference(), status=form.status.data,
                   waiting=form.waiting.data, urgent=form.urgent.data,
                   overdue=form.overdue.data, received_from=form.received_from.data,
                   received_to=form.received_to.data)


def _open_stage(*conditions):
    return exists().where(DisputeStage.dispute_id == Dispute.id,
                          DisputeStage.closed_on.is_(None), *conditions)


def query(filters):
    """The disputes the filters choose, newest received first; among open ones, urgent ones
    first. (Closed disputes, nearly all of them, are listed in the order of the index on the
    date received.)"""
    statement = select(Dispute)
    if filters.status == OPEN:
        statement = statement.where(Dispute.status.in_(OPEN_STATUSES))
    elif filters.status != ANY:
        statement = statement.where(Dispute.status == filters.status)
    if filters.reference:
        statement = statement.where(Dispute.reference == filters.reference)
    if filters.waiting:
        statement = statement.where(
            Dispute.status == DisputeStatus.ESCALATING,
            _open_stage(DisputeStage.answering_role == Role.CSC_MANAGER))
    if filters.urgent:
        statement = statement.where(Dispute.immediate_risk.is_(True))
    if filters.overdue:
        statement = statement.where(_open_stage(DisputeStage.due_on < today()))
    if filters.received_from:
        statement = statement.where(Dispute.raised_on >= filters.received_from)
    if filters.received_to:
        statement = statement.where(Dispute.raised_on <= filters.received_to)
    newest_first = (Dispute.raised_on.desc(), Dispute.id.desc())
    if filters.status in (OPEN, *OPEN_STATUSES):
        # Few disputes are open at once: urgent ones top the list (rule 14).
        return statement.order_by(Dispute.immediate_risk.desc(), *newest_first)
    return statement.order_by(*newest_first)


def page(filters, number, per_page):
    """One page of the list, each dispute with its agency and stages (and, if urgent, who has
    been told of it): the same queries for a page of 1 row or of `per_page`."""
    found = db.paginate(query(filters).options(*queries.LISTED), page=number,
                        per_page=per_page, error_out=False)
    queries.with_told(found.items)
    return found

