"""The disputes behind a figure of the dashboard, and the pseudonymised CSV export: counted as
the figures count them (moderation/outcomes/figures.py), with no child's name or date of birth
(rule 13); the export gives no references either, only each dispute's pseudonym (rule 12)."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from moderation.calendar import region, working_days_between
from moderation.extensions import db
from moderation.models import Dispute, PanelDecision, PanelOutcome, StageOutcome

EVENTS = {"raised": "Raised", "settled": "Settled before panel", "decided": "Decided by the panel",
          "withdrawn": "Withdrawn"}

# The list behind a figure names each dispute's referring agency.
LISTED = (joinedload(Dispute.referring_agency),)
# The export adds each dispute's concerns and its stages (the stage it was settled at), and the
# final decision's learning themes.
EXPORTED = (joinedload(Dispute.referring_agency), selectinload(Dispute.concerns),
            selectinload(Dispute.stages))
FINAL_DECISION = (selectinload(PanelDecision.themes),)


def listing(period, filters, event, outcome=None, limit=500):
    """Disputes behind one figure: raised, settled, decided or withdrawn in the period (newest
    first)."""
    statement = filters.apply(select(Dispute))
    if event == "settled":
        statement = statement.where(Dispute.settled_on.between(period.start, period.end))
        order = Dispute.settled_on.desc()
    elif event == "withdrawn":
        statement = statement.where(Dispute.withdrawn_on.between(period.start, period.end))
        order = Dispute.withdrawn_on.desc()
    elif event == "decided":
        decided = select(PanelDecision.dispute_id).where(
            PanelDecision.decided_on.between(period.start, period.end),
            PanelDecision.outcome != PanelOutcome.DEFERRED)
        if outcome:
            decided = decided.where(PanelDecision.outcome == outcome)
        statement = statement.where(Dispute.id.in_(decided))
        order = Dispute.id.desc()
    else:
        statement = statement.where(Dispute.raised_on.between(period.start, period.end))
        order = Dispute.raised_on.desc()
    return db.session.scalars(statement.options(*LISTED).order_by(order, Dispute.id.desc())
                              .limit(limit)).all()


CSV_COLUMNS = ["pseudonym", "raised_month", "referring_agency", "agency_kind",
               "concern_categories", "level_of_need", "referrer_intent", "csc_recorded_as",
               "dispute_type", "immediate_risk", "repeat", "status", "settled_at_stage",
               "panel_outcome", "decision_method", "working_days_to_settlement",
               "working_days_to_decision", "learning_themes"]


def export_rows(period, filters, pseudonym):
    """One row per dispute raised in the period: no names, dates of birth, free text or
    references; `pseudonym` maps a dispute id to a stable, unguessable label."""
    disputes = db.session.scalars(filters.apply(select(Dispute)).where(
        Dispute.raised_on.between(period.start, period.end)).options(*EXPORTED)
        .order_by(Dispute.raised_on, Dispute.id)).all()
    decisions = _final_decisions([d.id for d in disputes])
    for dispute in disputes:
        decision = decisions.get(dispute.id)
        settled_stage = next((s.position for s in dispute.stages
                              if s.outcome == StageOutcome.SETTLED), "")
        yield [
            pseudonym(dispute.id), dispute.raised_on.strftime("%Y-%m"),
            dispute.referring_agency.name, dispute.referring_agency.kind,
            ";".join(sorted(c.category for c in dispute.concerns)), dispute.level_of_need,
            dispute.referrer_intent, dispute.effective_recorded_as, dispute.dispute_type,
            "yes" if dispute.immediate_risk else "no", "yes" if dispute.repeat_of_id else "no",
            dispute.status, settled_stage,
            decision.outcome if decision else "", decision.method if decision else "",
            _working_days(dispute.csc_decision_date, dispute.settled_on)
            if dispute.settled_on else "",
            _working_days(dispute.csc_decision_date, decision.decided_on) if decision else "",
            ";".join(t.name for t in decision.themes) if decision else "",
        ]


def _final_decisions(dispute_ids):
    if not dispute_ids:
        return {}
    found = db.session.scalars(select(PanelDecision).where(
        PanelDecision.dispute_id.in_(dispute_ids), PanelDecision.outcome != PanelOutcome.DEFERRED)
        .options(*FINAL_DECISION)
    ).all()
    return {d.dispute_id: d for d in found}


def _working_days(start, end):
    return working_days_between(start, end, region())
