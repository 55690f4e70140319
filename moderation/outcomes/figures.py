"""Outcome figures for a period: the data behind the dashboard and the learning summary.

Counted by event date within the period: disputes raised, settled, decided and withdrawn then, so
that a period's figures stay the same whatever happens later (rule 15). Rule 13: no child's name
or date of birth is read here, only references and categories.
"""

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import and_, func, or_, select

from moderation.calendar import region, today, working_days_between, working_hours_between
from moderation.extensions import db
from moderation.models import (
    Agency,
    ConcernCategory,
    Dispute,
    DisputeConcern,
    DisputeStage,
    DisputeStatus,
    LearningTheme,
    PanelDecision,
    PanelOutcome,
    StageOutcome,
)
from moderation.models.dispute_terms import LEVELS_OF_NEED
from moderation.models.meeting import decision_theme
from moderation.models.types import utcnow
from moderation.web import cache

UPHELD = PanelOutcome.UPHELD
CHANGED = (PanelOutcome.OVERTURN_ASSESSMENT, PanelOutcome.OVERTURN_STRATEGY,
           PanelOutcome.EARLY_HELP)
MOST_AGENCIES = 15  # a readable list and chart; the CSV export has every agency
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
    withdrawn: int = 0  # closed without an outcome (retention/withdrawal.py)
    outcomes: dict = field(default_factory=dict)  # outcome label -> count
    upheld: int = 0
    changed: int = 0
    by_agency: list = field(default_factory=list)  # rows: (name, decided, changed, rate)
    agencies_total: int = 0  # by_agency holds the MOST_AGENCIES with most decisions
    by_category: list = field(default_factory=list)
    by_level: list = field(default_factory=list)
    mismatches: int = 0
    urgent: int = 0
    repeats: int = 0
    to_settlement: dict = field(default_factory=dict)  # median, p90, n in working days
    to_decision: dict = field(default_factory=dict)
    themes: list = field(default_factory=list)  # (name, count), most frequent first
    urgent_route: dict = field(default_factory=dict)  # see _urgent_route
    previous: dict = field(default_factory=dict)

    @property
    def settled(self):
        return sum(self.settled_by_stage.values())

    def as_data(self):
        """The figures as JSON can hold them, for the shared cache."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["period"] = _period_data(self.period)
        data["previous"] = {**self.previous, "period": _period_data(self.previous["period"])} \
            if self.previous else {}
        return data

    @classmethod
    def from_data(cls, data):
        """The figures `as_data` gave (JSON's lists turned back into the rows' tuples)."""
        data = dict(data)
        data["period"] = Period(*map(date.fromisoformat, data["period"]))
        if data["previous"]:
            data["previous"] = {**data["previous"], "period": Period(
                *map(date.fromisoformat, data["previous"]["period"]))}
        for rows in ("by_agency", "by_category", "by_level", "themes"):
            data[rows] = [tuple(row) for row in data[rows]]
        return cls(**data)

    @property
    def overturn_rate(self):
        return _rate(self.changed, self.upheld + self.changed)


def _period_data(period):
    return [period.start.isoformat(), period.end.isoformat()]


def _rate(part, whole):
    return round(100 * part / whole) if whole else None


def figures(period, filters=Filters(), with_previous=True):
    """Every figure for the period, counted by the database (GROUP BY), so the work grows with
    the number of distinct groups, not with the number of disputes."""
    result = Figures(period)
    _raised(result, period, filters)
    _settled(result, period, filters)
    _decided(result, period, filters)
    result.withdrawn = _withdrawn(period, filters)
    _urgent_route(result, period, filters)
    if with_previous:
        result.previous = _previous(period.previous(), filters)
    return result


def recent_figures(period, filters):
    """The dashboard's figures: kept FIGURES_MAX_AGE seconds in the cache every worker shares
    (web/cache.py), and forgotten as soon as the panel records a decision. A year at scale
    takes the database seconds to count, and the dashboard is read far more often than a
    quarter's figures change. Returns (worked out at, figures)."""
    kept = cache.remember(cache.FIGURES, _cache_key(period, filters),
                          current_app.config["FIGURES_MAX_AGE"],
                          lambda: {"worked_out_at": utcnow().isoformat(),
                                   "figures": figures(period, filters).as_data()})
    return datetime.fromisoformat(kept["worked_out_at"]), Figures.from_data(kept["figures"])


def _cache_key(period, filters):
    return "|".join(str(part) for part in (period.start, period.end, filters.agency_id,
                                           filters.category, filters.level))


def _previous(period, filters):
    before = Figures(period)
    _raised(before, period, filters)
    before.settled_by_stage = {"all": db.session.scalar(filters.apply(
        select(func.count(Dispute.id)).where(Dispute.settled_on.between(period.start,
                                                                        period.end))))}
    _outcome_counts(before, _count_by(_decided_rows(period, filters), PanelDecision.outcome))
    return {"raised": before.raised, "settled": before.settled, "decided": before.decided,
            "withdrawn": _withdrawn(period, filters), "overturn_rate": before.overturn_rate,
            "period": period}


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


def _withdrawn(period, filters):
    return db.session.scalar(filters.apply(select(func.count(Dispute.id)).where(
        Dispute.withdrawn_on.between(period.start, period.end))))


def _settled(result, period, filters):
    settled = filters.apply(
        select(func.count(Dispute.id)).select_from(DisputeStage)
        .join(Dispute, DisputeStage.dispute_id == Dispute.id)
        .where(Dispute.settled_on.between(period.start, period.end),
               DisputeStage.outcome == StageOutcome.SETTLED))
    by_stage = db.session.execute(
        settled.add_columns(DisputeStage.position, DisputeStage.name)
        .group_by(DisputeStage.position, DisputeStage.name)
        .order_by(DisputeStage.position, DisputeStage.name)).all()
    result.settled_by_stage = {f"Stage {p}: {n}": c for c, p, n in by_stage}
    result.to_settlement = _spread(_days(filters.apply(
        select(Dispute.csc_decision_date, Dispute.settled_on, func.count(Dispute.id))
        .where(Dispute.settled_on.between(period.start, period.end))
        .group_by(Dispute.csc_decision_date, Dispute.settled_on))))


def _decided_rows(period, filters, *columns):
    """Decisions in the period (deferrals are not decisions), joined to their disputes."""
    return filters.apply(
        select(*columns).select_from(PanelDecision)
        .join(Dispute, PanelDecision.dispute_id == Dispute.id)
        .where(PanelDecision.decided_on.between(period.start, period.end),
               PanelDecision.outcome != PanelOutcome.DEFERRED))


def _count_by(statement, *groups):
    """Rows of (*groups, count) for a statement selecting from the decisions."""
    return db.session.execute(statement.add_columns(*groups, func.count(PanelDecision.id))
                              .group_by(*groups)).all()


def _decided(result, period, filters):
    decided = _decided_rows(period, filters)
    by_agency = _count_by(decided.join(Agency, Dispute.referring_agency_id == Agency.id),
                          Agency.name, PanelDecision.outcome)
    _outcome_counts(result, [(outcome, n) for _, outcome, n in by_agency])
    agencies = _breakdown(by_agency)
    result.agencies_total, result.by_agency = len(agencies), agencies[:MOST_AGENCIES]
    result.by_level = _breakdown(
        (LEVELS_OF_NEED[level], outcome, n)
        for level, outcome, n in _count_by(decided, Dispute.level_of_need, PanelDecision.outcome))
    result.by_category = _breakdown(
        (ConcernCategory(category).label, outcome, n)
        for category, outcome, n in _count_by(
            decided.join(DisputeConcern, DisputeConcern.dispute_id == Dispute.id),
            DisputeConcern.category, PanelDecision.outcome))
    result.to_decision = _spread(_days(
        _decided_rows(period, filters, Dispute.csc_decision_date, PanelDecision.decided_on,
                      func.count(PanelDecision.id))
        .group_by(Dispute.csc_decision_date, PanelDecision.decided_on)))
    result.themes = [tuple(row) for row in db.session.execute(
        _decided_rows(period, filters, LearningTheme.name, func.count())
        .join(decision_theme, decision_theme.c.decision_id == PanelDecision.id)
        .join(LearningTheme, decision_theme.c.theme_id == LearningTheme.id)
        .group_by(LearningTheme.name)
        .order_by(func.count().desc(), LearningTheme.name)).all()]


def _outcome_counts(result, pairs):
    outcomes = Counter()
    for outcome, n in pairs:
        outcomes[PanelOutcome(outcome)] += n
    result.decided = sum(outcomes.values())
    result.outcomes = {o.label: outcomes[o] for o in PanelOutcome if outcomes[o]}
    result.upheld = outcomes[UPHELD]
    result.changed = sum(outcomes[o] for o in CHANGED)


def _breakdown(triples):
    """Rows of (group, decided, changed, overturn rate %), most decided first, from
    (group, outcome, count) rows."""
    decided, changed = Counter(), Counter()
    for group, outcome, n in triples:
        decided[group] += n
        changed[group] += n if outcome in CHANGED else 0
    return [(group, n, changed[group], _rate(changed[group], n))
            for group, n in sorted(decided.items(), key=lambda kv: (-kv[1], kv[0]))]


def _days(statement):
    """Working days from CSC's decision to an event, counted over (start, end, count) rows: one
    calculation per distinct pair of dates."""
    days = Counter()
    for start, end, n in db.session.execute(statement):
        days[_working_days(start, end)] += n
    return days


def _working_days(start, end):
    return working_days_between(start, end, region())


def _spread(days):
    """Median and 90th percentile in working days from {days: count} (None when there is
    nothing to measure)."""
    total = sum(days.values())
    if not total:
        return {"median": None, "p90": None, "n": 0}
    ordered = sorted(days.items())

    def nth(rank):  # the rank-th smallest value, counting from 1
        seen = 0
        for value, n in ordered:
            seen += n
            if seen >= rank:
                return value
        return ordered[-1][0]

    middle = (nth((total + 1) // 2) + nth(total // 2 + 1)) / 2
    return {"median": int(middle) if middle == int(middle) else round(middle, 1),
            "p90": nth(math.ceil(0.9 * total)), "n": total}


# The urgent route (rule 14) --------------------------------------------------------------------

# Where the urgent disputes raised in the period stand now: one waiting for its panel is still
# open, as much as one still on the urgent route.
URGENT_STANDING = {DisputeStatus.SETTLED: "settled", DisputeStatus.DECIDED: "panel",
                   DisputeStatus.QUEUED: "waiting", DisputeStatus.ESCALATING: "open",
                   DisputeStatus.AWAITING_REFERRER: "open", DisputeStatus.WITHDRAWN: "withdrawn"}


def _urgent_route(result, period, filters):
    """Immediate-risk disputes raised in the period, by where they stand now (settled on the
    urgent route, decided by a panel, withdrawn, still open: on the route or waiting for a
    panel); and each urgent stage closed in the period (skipped ones, and those closed by a
    withdrawal, aside), with the median and longest time it
    took in working days and in working hours. Stages closed before their times were kept
    (opened_at or closed_at unknown) count in the days but not in the hours."""
    urgent = Dispute.immediate_risk.is_(True)
    standing = Counter()
    for status, n in db.session.execute(filters.apply(
            select(Dispute.status, func.count(Dispute.id))
            .where(urgent, Dispute.raised_on.between(period.start, period.end))
            .group_by(Dispute.status))):
        standing[URGENT_STANDING.get(status, "open")] += n
    # Only the urgent stages' few columns: a small share of the period's stages, each timed
    # here because working hours are not something SQL can count.
    rows = db.session.execute(filters.apply(
        select(DisputeStage.position, DisputeStage.name, DisputeStage.opened_on,
               DisputeStage.closed_on, DisputeStage.opened_at, DisputeStage.closed_at)
        .join(Dispute, DisputeStage.dispute_id == Dispute.id)
        .where(urgent, DisputeStage.closed_on.between(period.start, period.end),
               or_(DisputeStage.outcome.is_(None),
                   DisputeStage.outcome.not_in([StageOutcome.SKIPPED,
                                                StageOutcome.WITHDRAWN])))))
    days, hours, where = defaultdict(list), defaultdict(list), region()
    for position, name, opened_on, closed_on, opened_at, closed_at in rows:
        days[position, name].append(working_days_between(opened_on, closed_on, where))
        if opened_at and closed_at:
            hours[position, name].append(working_hours_between(opened_at, closed_at, where))
    result.urgent_route = {
        "raised": sum(standing.values()), "settled": standing["settled"],
        "panel": standing["panel"], "open": standing["open"] + standing["waiting"],
        "waiting": standing["waiting"], "withdrawn": standing["withdrawn"],
        "stages": [{"position": position, "name": name, "closed": len(days[position, name]),
                    "days": _median_longest(days[position, name]),
                    "hours": _median_longest(hours[position, name])}
                   for position, name in sorted(days)],
        "untimed": sum(len(d) for d in days.values()) - sum(len(h) for h in hours.values()),
    }


def _median_longest(values):
    """Median and longest of a list of numbers, and how many (None when there are none)."""
    if not values:
        return {"median": None, "longest": None, "n": 0}
    middle = statistics.median(values)
    return {"median": int(middle) if middle == int(middle) else round(middle, 2),
            "longest": max(values), "n": len(values)}
