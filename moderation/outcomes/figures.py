"""Outcome figures for a period: the data behind the dashboard and the learning summary.

Counted by event date within the period: disputes raised, settled, decided and withdrawn then, so
that a period's figures stay the same whatever happens later (rule 15). They are summed from the
rows already counted (outcomes/tallies.py keeps them in the transaction of each change), so any
period and any filter cost the same at 720,000 disputes as at 500. Durations are histograms by
month: a period's medians count the whole months it touches. Rule 13: no child's name or date of
birth is read here, only counts by date, agency, level and category.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import and_, func, or_, select

from moderation.calendar import today
from moderation.extensions import db
from moderation.models import (
    Agency,
    ConcernCategory,
    Dispute,
    DisputeConcern,
    FigureCount,
    LearningTheme,
    PanelOutcome,
)
from moderation.models.dispute_terms import LEVELS_OF_NEED
from moderation.models.figures import (
    DAY,
    DURATIONS,
    EVERY_AGENCY,
    EVERY_CATEGORY,
    MONTH,
    stage_of,
)
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

    def months(self):
        """The whole months the period touches: what its durations' medians count."""
        last = self.end.replace(day=1) + relativedelta(months=1) - timedelta(days=1)
        return Period(self.start.replace(day=1), last)

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
    """Every figure for the period, summed from the rows already counted (outcomes/tallies.py):
    a handful of statements over at most a few thousand rows, whatever the number of disputes,
    the period or the filters."""
    result = Figures(period)
    counts = _by_day(period, filters)
    raised = counts.kinds("raised")
    result.raised, result.withdrawn = sum(raised.values()), counts.total("withdrawn")
    result.mismatches, result.urgent, result.repeats = (
        sum(n for kind, n in raised.items() if word in kind.split())
        for word in ("mismatch", "urgent", "repeat"))
    result.settled_by_stage = {_stage_label(stage): n
                               for stage, n in sorted(counts.kinds("settled_stage").items(),
                                                      key=lambda kv: stage_of(kv[0]))}
    decided = counts.kinds("decided")
    _outcome_counts(result, decided.items())
    result.by_level = _breakdown((LEVELS_OF_NEED[level], outcome, n)
                                 for (level, outcome), n in counts.by_level("decided").items()
                                 if level in LEVELS_OF_NEED)
    _by_agency(result, period, filters)
    result.by_category = _breakdown(
        (ConcernCategory(category).label, outcome, n)
        for category, outcome, n in _each(period, filters, FigureCount.category))
    result.themes = _themes(counts.kinds("theme"))
    months = _by_month(period, filters)
    result.to_settlement = _spread(months.get(("to_settlement", ""), Counter()))
    result.to_decision = _spread(months.get(("to_decision", ""), Counter()))
    result.urgent_route = _urgent_route(counts, months)
    if with_previous:
        result.previous = _previous(period.previous(), filters)
    return result


def recent_figures(period, filters):
    """The dashboard's figures: kept FIGURES_MAX_AGE seconds in the cache every worker shares
    (web/cache.py), and forgotten as soon as the panel records a decision. Summing a year's kept
    rows takes milliseconds; the cache spares even that, as the dashboard is read far more
    often than its figures change. Returns (worked out at, figures)."""
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
    counts = _by_day(period, filters, ("raised", "settled_stage", "decided", "withdrawn"))
    _outcome_counts(before, counts.kinds("decided").items())
    return {"raised": counts.total("raised"), "settled": counts.total("settled_stage"),
            "decided": before.decided, "withdrawn": counts.total("withdrawn"),
            "overturn_rate": before.overturn_rate, "period": period}


# Summing the rows --------------------------------------------------------------------------------

BY_DAY = ("raised", "withdrawn", "settled_stage", "decided", "theme", "urgent_standing",
          "urgent_stage", "urgent_stage_timed")


def _chosen(statement, filters, each=None):
    """The rows for the filters: those for one agency (or every agency) and one category (or
    every category), and one level if chosen. `each` (agency or category) takes the rows of
    each one instead, to break the figures down by it."""
    agency = filters.agency_id or EVERY_AGENCY
    category = filters.category or EVERY_CATEGORY
    if each is FigureCount.agency_id:
        statement = statement.where(FigureCount.agency_id != EVERY_AGENCY)
        agency = filters.agency_id
    if each is FigureCount.category:
        # Each category by name, not "not every category": an index range for each.
        statement = statement.where(FigureCount.category.in_(
            [filters.category] if filters.category else [c.value for c in ConcernCategory]))
        category = None
    if agency is not None:
        statement = statement.where(FigureCount.agency_id == agency)
    if category is not None:
        statement = statement.where(FigureCount.category == category)
    if filters.level:
        statement = statement.where(FigureCount.level == filters.level)
    return statement


class _Counts:
    """The period's rows, summed by measure, kind and level."""

    def __init__(self, rows):
        self.rows = rows  # (measure, key, level) -> count

    def total(self, measure):
        return sum(n for (m, _, _), n in self.rows.items() if m == measure)

    def kinds(self, measure):
        kinds = Counter()
        for (m, key, _), n in self.rows.items():
            if m == measure:
                kinds[key] += n
        return kinds

    def by_level(self, measure):
        return Counter({(level, key): n for (m, key, level), n in self.rows.items()
                        if m == measure})


def _in(period):
    """The rows that count the period: its whole months' rows and its other days' rows."""
    first, last = _whole_months(period)
    if first > last:
        return and_(FigureCount.span == DAY, FigureCount.day.between(period.start, period.end))
    return or_(and_(FigureCount.span == MONTH, FigureCount.day.between(first, last)),
               and_(FigureCount.span == DAY,
                    or_(FigureCount.day.between(period.start, first - timedelta(days=1)),
                        FigureCount.day.between(last + relativedelta(months=1), period.end))))


def _whole_months(period):
    """The first days of the first and last whole months in the period (the first after the
    last when there is none)."""
    first = period.start if period.start.day == 1 else (
        period.start.replace(day=1) + relativedelta(months=1))
    after = period.end + timedelta(days=1)
    last = after.replace(day=1) - relativedelta(months=1)
    return first, last


def _by_day(period, filters, measures=BY_DAY):
    statement = _chosen(
        select(FigureCount.measure, FigureCount.key, FigureCount.level,
               func.sum(FigureCount.count))
        .where(FigureCount.measure.in_(measures), _in(period))
        .group_by(FigureCount.measure, FigureCount.key, FigureCount.level), filters)
    return _Counts({(m, key, level): n for m, key, level, n in db.session.execute(statement)
                    if n})


def _by_month(period, filters):
    """The duration histograms of the months the period touches: {(measure, key): {value: n}}."""
    statement = _chosen(
        select(FigureCount.measure, FigureCount.key, FigureCount.value,
               func.sum(FigureCount.count))
        .where(FigureCount.measure.in_(DURATIONS), FigureCount.span == MONTH,
               FigureCount.day.between(period.months().start, period.months().end))
        .group_by(FigureCount.measure, FigureCount.key, FigureCount.value), filters)
    months = defaultdict(Counter)
    for measure, key, value, n in db.session.execute(statement):
        if n:
            months[measure, key][value] += n
    return months


def _each(period, filters, dimension):
    """(agency id or category, outcome, count) of the period's decisions."""
    return db.session.execute(_chosen(
        select(dimension, FigureCount.key, func.sum(FigureCount.count))
        .where(FigureCount.measure == "decided", _in(period))
        .group_by(dimension, FigureCount.key), filters, each=dimension)).all()


def _by_agency(result, period, filters):
    rows = _each(period, filters, FigureCount.agency_id)
    names = dict(db.session.execute(select(Agency.id, Agency.name).where(
        Agency.id.in_({agency_id for agency_id, _, _ in rows}))).all()) if rows else {}
    agencies = _breakdown((names.get(agency_id, "Agency removed"), outcome, n)
                          for agency_id, outcome, n in rows)
    result.agencies_total, result.by_agency = len(agencies), agencies[:MOST_AGENCIES]


def _themes(counts):
    names = dict(db.session.execute(select(LearningTheme.id, LearningTheme.name).where(
        LearningTheme.id.in_([int(key) for key in counts]))).all()) if counts else {}
    named = Counter()
    for key, n in counts.items():
        if n and int(key) in names:
            named[names[int(key)]] += n
    return sorted(named.items(), key=lambda kv: (-kv[1], kv[0]))


def _stage_label(stage):
    position, name = stage_of(stage)
    return f"Stage {position}: {name}"


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
            for group, n in sorted(decided.items(), key=lambda kv: (-kv[1], kv[0]))
            if n]


def _nth(histogram, rank):
    """The rank-th smallest value (counting from 1) of a {value: count} histogram."""
    seen = 0
    ordered = sorted(histogram.items())
    for value, n in ordered:
        seen += n
        if seen >= rank:
            return value
    return ordered[-1][0]


def _median(histogram, total):
    return (_nth(histogram, (total + 1) // 2) + _nth(histogram, total // 2 + 1)) / 2


def _spread(days):
    """Median and 90th percentile in working days from {days: count} (None when there is
    nothing to measure)."""
    days = Counter({value: n for value, n in days.items() if n})
    total = sum(days.values())
    if not total:
        return {"median": None, "p90": None, "n": 0}
    middle = _median(days, total)
    return {"median": int(middle) if middle == int(middle) else round(middle, 1),
            "p90": _nth(days, math.ceil(0.9 * total)), "n": total}


# The urgent route (rule 14) --------------------------------------------------------------------

def _urgent_route(counts, months):
    """Immediate-risk disputes raised in the period, by where they stand now (settled on the
    urgent route, decided by a panel, withdrawn, still open: on the route or waiting for a
    panel); and each urgent stage closed in the period (skipped ones, and those closed by a
    withdrawal, aside), with the median and longest time it took in working days and in
    working hours over the months the period touches. Stages closed before their times were
    kept count in the days but not in the hours."""
    standing = counts.kinds("urgent_standing")
    closed, timed = counts.kinds("urgent_stage"), counts.kinds("urgent_stage_timed")
    return {
        "raised": sum(standing.values()), "settled": standing["settled"],
        "panel": standing["panel"], "open": standing["open"] + standing["waiting"],
        "waiting": standing["waiting"], "withdrawn": standing["withdrawn"],
        "stages": [{"position": stage_of(stage)[0], "name": stage_of(stage)[1],
                    "closed": closed[stage],
                    "days": _median_longest(months.get(("urgent_stage_days", stage), {})),
                    "hours": _median_longest(months.get(("urgent_stage_hours", stage), {}),
                                             hundredths=True)}
                   for stage in sorted((s for s in closed if closed[s]), key=stage_of)],
        "untimed": sum(closed.values()) - sum(timed.values()),
    }


def _median_longest(histogram, hundredths=False):
    """Median and longest of a {value: count} histogram, and how many (None when empty)."""
    histogram = {value: n for value, n in histogram.items() if n}
    total = sum(histogram.values())
    if not total:
        return {"median": None, "longest": None, "n": 0}
    middle, longest = _median(histogram, total), max(histogram)
    if hundredths:
        middle, longest = middle / 100, longest / 100
    return {"median": int(middle) if middle == int(middle) else round(middle, 2),
            "longest": longest, "n": total}
