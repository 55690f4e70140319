"""The panel queue: filtered, ordered by rule 5, paginated, and exported without child names."""

from dataclasses import asdict, dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from moderation.admin.services import agency_options
from moderation.disputes.queries import queue_order
from moderation.extensions import db
from moderation.models import (
    AgendaItem,
    Classification,
    ConcernCategory,
    CscOutcome,
    Dispute,
    DisputeConcern,
    DisputeStage,
    DisputeStatus,
    DisputeType,
    Intent,
    PanelSession,
    StageOutcome,
)
from moderation.models.dispute_terms import LEVELS_OF_NEED
from moderation.web import csv_safe
from moderation.web.forms import id_from


@dataclass
class QueueFilters:
    reference: str = ""
    agency: int | None = None
    category: str = ""
    level: int | None = None
    stage: int | None = None
    urgent: bool = False
    overdue: bool = False
    repeat: bool = False

    @classmethod
    def from_args(cls, args):
        """Filters from a query string; anything unrecognised is ignored, never an error."""
        category = args.get("category", "")
        level = id_from(args, "level")
        return cls(
            reference=args.get("reference", "").strip()[:20],
            agency=id_from(args, "agency"),
            category=category if category in set(ConcernCategory) else "",
            level=level if level in LEVELS_OF_NEED else None,
            stage=id_from(args, "stage"),
            urgent=args.get("urgent") == "yes",
            overdue=args.get("overdue") == "yes",
            repeat=args.get("repeat") == "yes",
        )

    def as_args(self):
        values = asdict(self)
        for flag in ("urgent", "overdue", "repeat"):
            values[flag] = "yes" if values[flag] else ""
        return {key: value for key, value in values.items() if value not in ("", None)}


def _stage_reached():
    return (
        select(func.max(DisputeStage.position))
        .where(DisputeStage.dispute_id == Dispute.id,
               DisputeStage.outcome != StageOutcome.SKIPPED)
        .correlate(Dispute)
        .scalar_subquery()
    )


def query(filters, monthly=True):
    """The queued disputes the filters choose that no agenda holds yet, in rule 5 order: those
    still waiting for a session (one on an agenda, frozen or not, has its session). The monthly
    queue (`monthly`) leaves out urgent disputes: they wait for no monthly panel (rule 14)."""
    statement = select(Dispute).where(Dispute.status == DisputeStatus.QUEUED, ~on_an_agenda())
    if monthly:
        statement = statement.where(Dispute.immediate_risk.is_(False))
    if filters.reference:
        statement = statement.where(Dispute.reference.ilike(f"%{filters.reference}%"))
    if filters.agency:
        statement = statement.where(Dispute.referring_agency_id == filters.agency)
    if filters.category:
        statement = statement.where(exists().where(
            DisputeConcern.dispute_id == Dispute.id, DisputeConcern.category == filters.category))
    if filters.level:
        statement = statement.where(Dispute.level_of_need == filters.level)
    if filters.stage:
        statement = statement.where(_stage_reached() == filters.stage)
    if filters.urgent:
        statement = statement.where(Dispute.immediate_risk.is_(True))
    if filters.overdue:
        statement = statement.where(exists().where(
            DisputeStage.dispute_id == Dispute.id, DisputeStage.closed_on > DisputeStage.due_on))
    if filters.repeat:
        statement = statement.where(Dispute.repeat_of_id.is_not(None))
    return statement.order_by(*queue_order())


def waiting_count():
    """How many disputes wait in the monthly queue: the number the queue page and the chair's
    home both say."""
    return db.session.scalar(select(func.count()).select_from(
        query(QueueFilters()).order_by(None).subquery()))


# The queue page shows each dispute's referring agency (no stage, concern or referrer).
QUEUED = (joinedload(Dispute.referring_agency),)
# The CSV adds the concerns.
EXPORTED = (joinedload(Dispute.referring_agency), selectinload(Dispute.concerns))


def on_an_agenda():
    """Whether the dispute is listed, not deferred, for a session that is not cancelled: a
    correlated EXISTS, which the database answers per dispute from an index (NOT IN a subquery
    made PostgreSQL scan every agenda item once per dispute)."""
    return exists().where(
        AgendaItem.dispute_id == Dispute.id, AgendaItem.deferred.is_(False),
        AgendaItem.session_id == PanelSession.id, ~PanelSession.is_cancelled)


def page(filters, number, per_page):
    return db.paginate(query(filters).options(*QUEUED), page=number, per_page=per_page,
                       error_out=False)


def filter_options(selected_agency=None):
    return {
        "agency_options": agency_options(selected_agency),
        "categories": ConcernCategory.choices(),
        "levels": list(LEVELS_OF_NEED.items()),
    }


CSV_COLUMNS = [
    "Reference", "Raised on", "Referring agency", "Level of need claimed", "Concerns",
    "Referrer intended", "CSC recorded as", "CSC decision", "CSC decision date", "Dispute type",
    "Immediate risk", "Repeat", "Joined queue on",
]


def csv_text(filters, batch=500):
    """The filtered queue as CSV, urgent disputes included; no child names, initials or dates
    of birth.

    Built whole rather than streamed, so that no database transaction stays open while a slow
    client downloads it (the queue holds only the disputes waiting now, so it stays small).
    """
    disputes = db.session.scalars(query(filters, monthly=False).options(*EXPORTED)
                                  .execution_options(yield_per=batch))
    return csv_safe.csv_text(CSV_COLUMNS, (_csv_row(dispute) for dispute in disputes))


def _csv_row(dispute):
    """One queued dispute in words, as the pages say them (never stored codes)."""
    return [
        dispute.reference, dispute.raised_on.isoformat(), dispute.referring_agency.name,
        LEVELS_OF_NEED.get(dispute.level_of_need, dispute.level_of_need),
        "; ".join(c.label for c in dispute.concern_categories),
        Intent(dispute.referrer_intent).label,
        Classification(dispute.effective_recorded_as).label,
        CscOutcome(dispute.effective_outcome).label,
        dispute.csc_decision_date.isoformat(), DisputeType(dispute.dispute_type).label,
        "Yes" if dispute.immediate_risk else "No", "Yes" if dispute.repeat_of_id else "No",
        dispute.queued_on.isoformat() if dispute.queued_on else "",
    ]
