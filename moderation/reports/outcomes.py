"""Outcome figures for a period: the data behind the dashboard and the learning summary.

Counted by event date within the period: disputes raised, settled and decided then. Rule 13: no
child's name or date of birth is read here, only references and categories.
"""

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, func, or_, select

from moderation.calendar import working_days_between
from moderation.disputes.services import region, today
from moderation.extensions import db
from moderation.models import (
    Agency,
    ConcernCategory,
    Dispute,
    DisputeConcern,
    DisputeStage,
    LearningTheme,
    PanelDecision,
    PanelOutcome,
    StageOutcome,
)
from moderation.models.disputes import LEVELS_OF_NEED
from moderation.models.meeting import decision_theme

UPHELD = PanelOutcome.UPHELD
CHANGED = (PanelOutcome.OVERTURN_ASSESSMENT, PanelOutcome.OVERTURN_STRATEGY,
           PanelOutcome.EARLY_HELP)
PERIODS = {"quarter": "Last three months", "year": "Last twelve months", "custom": "Custom"}


@dataclass(frozen=True)
class Filters:
    agency_id: int | None = None
    category: str | None = None
    level: int | None = None

    def apply(self, statement):
        if self.agency_id:
            statement = statement.where(Dispute.referring_agency_id == self.agency_id)
        if self.level:
            statement = statement.where(Dispute.level_of_need == self.level)
        if self.category:
            statement = statement.where(Dispute.concerns.any(DisputeConcern.category
                                                             == self.category))
        return statement

    def as_args(self):
        return {k: v for k, v in (("agency", self.agency_id), ("category", self.category),
                                  ("level", self.level)) if v}


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self):
        return (self.end - self.start).days + 1

    def previous(self):
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)


def period_for(kind, start=None, end=None, on=None):
    on = on or today()
    if kind == "custom" and start and end:
        return Period(start, end)
    months = 12 if kind == "year" else 3
    return Period(on - relativedelta(months=months) + timedelta(days=1), on)


@dataclass
class Figures:
    period: Period
    raised: int = 0
    settled_by_stage: dict = field(default_factory=dict)  # stage name -> count
    decided: int = 0
    outcomes: dict = field(default_factory=dict)  # outcome label -> count
    upheld: int = 0
    changed: int = 0
    by_agency: list = field(default_factory=list)  # rows: (name, decided, changed, rate)
    by_category: list = field(default_factory=list)
    by_level: list = field(default_factory=list)
    mismatches: int = 0
    urgent: int = 0
    repeats: int = 0
    to_settlement: dict = field(default_factory=dict)  # median, p90, n in working days
    to_decision: dict = field(default_factory=dict)
    themes: list = field(default_factory=list)  # (name, count), most frequent first
    previous: dict = field(default_factory=dict)

    @property
    def settled(self):
        return sum(self.settled_by_stage.values())

    @property
    def overturn_rate(self):
        return _rate(self.changed, self.upheld + self.changed)


def _rate(part, whole):
    return round(100 * part / whole) if whole else None


def figures(period, filters=Filters(), with_previous=True):
    result = Figures(period)
    _raised(result, period, filters)
    _settled(result, period, filters)
    _decided(result, period, filters)
    if with_previous:
        before = figures(period.previous(), filters, with_previous=False)
        result.previous = {"raised": before.raised, "settled": before.settled,
                           "decided": before.decided, "overturn_rate": before.overturn_rate,
                           "period": before.period}
    return result


def _raised(result, period, filters):
    mismatch = or_(
        and_(Dispute.referrer_intent == "referral",
             func.coalesce(Dispute.csc_recorded_as, Dispute.told_recorded_as) == "contact"),
        and_(Dispute.referrer_intent == "information",
             func.coalesce(Dispute.csc_recorded_as, Dispute.told_recorded_as) == "referral"))
    statement = filters.apply(select(
        func.count(Dispute.id),
        func.count(Dispute.id).filter(mismatch),
        func.count(Dispute.id).filter(Dispute.immediate_risk.is_(True)),
        func.count(Dispute.id).filter(Dispute.repeat_of_id.is_not(None)),
    ).where(Dispute.raised_on.between(period.start, period.end)))
    result.raised, result.mismatches, result.urgent, result.repeats = db.session.execute(
        statement).one()


def _settled(result, period, filters):
    rows = db.session.execute(filters.apply(
        select(DisputeStage.position, DisputeStage.name, Dispute.csc_decision_date,
               Dispute.settled_on)
        .join(Dispute, DisputeStage.dispute_id == Dispute.id)
        .where(Dispute.settled_on.between(period.start, period.end),
               DisputeStage.outcome == StageOutcome.SETTLED)
        .order_by(DisputeStage.position)
    )).all()
    counts = Counter()
    for position, name, _, _ in rows:
        counts[(position, name)] += 1
    result.settled_by_stage = {f"Stage {p}: {n}": c for (p, n), c in sorted(counts.items())}
    result.to_settlement = _spread([_working_days(r[2], r[3]) for r in rows])


def _decided(result, period, filters):
    rows = db.session.execute(filters.apply(
        select(PanelDecision.id, PanelDecision.outcome, PanelDecision.decided_on,
               Dispute.id, Dispute.csc_decision_date, Dispute.level_of_need, Agency.name)
        .join(Dispute, PanelDecision.dispute_id == Dispute.id)
        .join(Agency, Dispute.referring_agency_id == Agency.id)
        .where(PanelDecision.decided_on.between(period.start, period.end),
               PanelDecision.outcome != PanelOutcome.DEFERRED)
    )).all()
    result.decided = len(rows)
    outcomes = Counter(PanelOutcome(r.outcome) for r in rows)
    result.outcomes = {o.label: outcomes[o] for o in PanelOutcome if outcomes[o]}
    result.upheld = outcomes[UPHELD]
    result.changed = sum(outcomes[o] for o in CHANGED)
    result.by_agency = _breakdown((r.name, r.outcome) for r in rows)
    result.by_level = _breakdown((LEVELS_OF_NEED[r.level_of_need], r.outcome) for r in rows)
    result.by_category = _breakdown(_categories(rows))
    result.to_decision = _spread([_working_days(r.csc_decision_date, r.decided_on)
                                  for r in rows])
    result.themes = _themes([r[0] for r in rows])


def _categories(rows):
    if not rows:
        return []
    outcome_of = {r[3]: r.outcome for r in rows}
    concerns = db.session.execute(
        select(DisputeConcern.dispute_id, DisputeConcern.category)
        .where(DisputeConcern.dispute_id.in_(list(outcome_of)))).all()
    return [(ConcernCategory(category).label, outcome_of[dispute_id])
            for dispute_id, category in concerns]


def _breakdown(pairs):
    """Rows of (group, decided, changed, overturn rate %), most decided first."""
    decided, changed = Counter(), Counter()
    for group, outcome in pairs:
        decided[group] += 1
        changed[group] += outcome in CHANGED
    return [(group, n, changed[group], _rate(changed[group], n))
            for group, n in sorted(decided.items(), key=lambda kv: (-kv[1], kv[0]))]


def _themes(decision_ids):
    if not decision_ids:
        return []
    rows = db.session.execute(
        select(LearningTheme.name, func.count())
        .join(decision_theme, decision_theme.c.theme_id == LearningTheme.id)
        .where(decision_theme.c.decision_id.in_(decision_ids))
        .group_by(LearningTheme.name)
        .order_by(func.count().desc(), LearningTheme.name)).all()
    return [(name, count) for name, count in rows]


def _working_days(start, end):
    return working_days_between(start, end, region())


def _spread(values):
    """Median and 90th percentile in working days (None when there is nothing to measure)."""
    if not values:
        return {"median": None, "p90": None, "n": 0}
    ordered = sorted(values)
    p90 = ordered[math.ceil(0.9 * len(ordered)) - 1]  # nearest rank
    median = statistics.median(ordered)
    return {"median": int(median) if median == int(median) else round(median, 1), "p90": p90,
            "n": len(ordered)}


# The lists behind the figures, and the pseudonymised export -----------------------------------

EVENTS = {"raised": "Raised", "settled": "Settled before panel", "decided": "Decided by the panel"}


def listing(period, filters, event, outcome=None, limit=500):
    """Disputes behind one figure: raised, settled or decided in the period (newest first)."""
    statement = filters.apply(select(Dispute))
    if event == "settled":
        statement = statement.where(Dispute.settled_on.between(period.start, period.end))
        order = Dispute.settled_on.desc()
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
    return db.session.scalars(statement.order_by(order, Dispute.id.desc()).limit(limit)).all()


CSV_COLUMNS = ["pseudonym", "raised_month", "referring_agency", "agency_kind",
               "concern_categories", "level_of_need", "referrer_intent", "csc_recorded_as",
               "dispute_type", "immediate_risk", "repeat", "status", "settled_at_stage",
               "panel_outcome", "decision_method", "working_days_to_settlement",
               "working_days_to_decision", "learning_themes"]


def export_rows(period, filters, pseudonym):
    """One row per dispute raised in the period: no names, dates of birth, free text or
    references; `pseudonym` maps a dispute id to a stable, unguessable label."""
    disputes = db.session.scalars(filters.apply(select(Dispute)).where(
        Dispute.raised_on.between(period.start, period.end)).order_by(Dispute.raised_on,
                                                                      Dispute.id)).all()
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
    ).all()
    return {d.dispute_id: d for d in found}
