"""The outcome figures, already counted: `figure_count` rows (models/figures.py) kept current in
the transaction of every change that moves them, and rebuilt from the disputes on demand.

One home for what a dispute counts for: `contributions()` says, from a dispute's rows as they
are now, every count it adds to the figures (raised, settled, decided, withdrawn, ...). The keeper
below uses it twice for each dispute a transaction touches: before the first change reaches the
database and just before the commit; the difference is added to the rows. The rebuild (an
upgrade, `flask rebuild-figures`, the benchmark's bulk load) uses it over every dispute. So the
rows kept and the rows rebuilt cannot disagree about what counts, whichever path moved the
dispute: a service changing objects (seen at each flush), a set-based UPDATE or DELETE (seen
before it runs), a second actor, the retention schedule.

Durations (working days from CSC's decision to a settlement or a panel decision, and an urgent
stage's days and hours) are histograms per month, so a period's median counts the whole months it
touches; every other figure is counted by day.

Rule 13: only dates, categories, outcomes and ids are read; no child's name.
"""

from collections import Counter, defaultdict, namedtuple
from contextlib import contextmanager
from itertools import product

from sqlalchemy import (
    Column,
    MetaData,
    Table,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from moderation.calendar import region, working_days_between, working_hours_between
from moderation.extensions import db
from moderation.models import (
    Dispute,
    DisputeConcern,
    DisputeStage,
    DisputeStatus,
    FigureCount,
    PanelDecision,
    PanelOutcome,
    StageOutcome,
)
from moderation.models.figures import (
    DAY,
    DURATIONS,
    EVERY_AGENCY,
    EVERY_CATEGORY,
    MONTH,
    stage_key,
)
from moderation.models.meeting import decision_theme

Fact = namedtuple("Fact", "measure span key value day agency_id level category")

# Where an urgent dispute raised in a period stands now (rule 14): one waiting for its panel is
# still open, as much as one still on the urgent route.
URGENT_STANDING = {DisputeStatus.SETTLED: "settled", DisputeStatus.DECIDED: "panel",
                   DisputeStatus.QUEUED: "waiting", DisputeStatus.WITHDRAWN: "withdrawn"}
NOT_TIMED = (StageOutcome.SKIPPED, StageOutcome.WITHDRAWN)  # an urgent stage nobody worked
BATCH = 5000  # disputes read at once by the rebuild: bounded memory at any size

# What a change must touch for the figures to move: these columns of these records (and, for a
# dispute, its concerns and stages; for a decision, its themes). Anything else (a response's
# text, an anonymised name, the last activity) is not looked at again.
COUNTED = {
    Dispute: {"raised_on", "referring_agency_id", "level_of_need", "referrer_intent",
              "csc_recorded_as", "told_recorded_as", "immediate_risk", "repeat_of_id", "status",
              "settled_on", "withdrawn_on", "csc_decision_date", "concerns", "stages"},
    DisputeStage: {"position", "name", "outcome", "opened_on", "closed_on", "opened_at",
                   "closed_at", "dispute_id"},
    DisputeConcern: {"category", "dispute_id"},
    PanelDecision: {"outcome", "decided_on", "dispute_id", "themes"},
}


# What a dispute counts for ---------------------------------------------------------------------

def contributions(which):
    """Every count the disputes `which` selects (a condition on Dispute) add to the figures now,
    as a Counter of Facts."""
    disputes = db.session.execute(select(
        Dispute.id, Dispute.raised_on, Dispute.referring_agency_id, Dispute.level_of_need,
        Dispute.referrer_intent, func.coalesce(Dispute.csc_recorded_as, Dispute.told_recorded_as),
        Dispute.immediate_risk, Dispute.repeat_of_id, Dispute.status, Dispute.settled_on,
        Dispute.withdrawn_on, Dispute.csc_decision_date).where(which)).all()
    if not disputes:
        return Counter()
    ids = select(Dispute.id).where(which)
    categories = _categories(ids)
    events = _stage_events(ids, disputes)
    _decision_events(ids, disputes, events)
    counts, durations = Counter(), _Durations()
    for row in disputes:
        agencies = (EVERY_AGENCY, row.referring_agency_id or EVERY_AGENCY)
        groups = list(product(dict.fromkeys(agencies), (EVERY_CATEGORY, *categories[row.id])))
        level = row.level_of_need or 0
        for measure, key, value, day in (*_dispute_events(row, durations), *events[row.id]):
            spans = ((MONTH, day.replace(day=1)),) if measure in DURATIONS else (
                (DAY, day), (MONTH, day.replace(day=1)))
            for (span, start), (agency_id, category) in product(spans, groups):
                counts[measure, span, key, value, start, agency_id, level, category] += 1
    return counts


class _Durations:
    """Working days between two dates, each pair worked out once (most disputes share them)."""

    def __init__(self):
        self.region = region()
        self.known = {}

    def days(self, start, end):
        if (start, end) not in self.known:
            self.known[start, end] = working_days_between(start, end, self.region)
        return self.known[start, end]

    def hundredths_of_hours(self, start, end):
        return round(100 * working_hours_between(start, end, self.region))


def _dispute_events(row, durations):
    """(measure, key, value, day) for what the dispute's own row says."""
    (_, raised_on, _, _, intent, recorded_as, urgent, repeat_of_id, status, settled_on,
     withdrawn_on, decided_by_csc) = row
    # One row for the dispute raised, its kind in the key: a row per kind would be two more
    # rows for most disputes.
    mismatch = (intent, recorded_as) in (("referral", "contact"), ("information", "referral"))
    yield "raised", raised_kind(mismatch, urgent, repeat_of_id is not None), 0, raised_on
    if urgent:
        yield "urgent_standing", URGENT_STANDING.get(status, "open"), 0, raised_on
    if withdrawn_on:
        yield "withdrawn", "", 0, withdrawn_on
    if settled_on:
        yield "to_settlement", "", durations.days(decided_by_csc, settled_on), settled_on


def raised_kind(mismatch, urgent, repeat):
    """The key of a dispute raised: the words of what it also is ("mismatch urgent"), or ''."""
    return " ".join(word for word, holds in (("mismatch", mismatch), ("urgent", urgent),
                                             ("repeat", repeat)) if holds)


def _categories(ids):
    categories = defaultdict(list)
    for dispute_id, category in db.session.execute(
            select(DisputeConcern.dispute_id, DisputeConcern.category)
            .where(DisputeConcern.dispute_id.in_(ids))
            .order_by(DisputeConcern.dispute_id, DisputeConcern.category)):
        categories[dispute_id].append(category)
    return categories


def _stage_events(ids, disputes):
    """The stage a dispute settled at (counted on the day it settled) and each urgent stage
    closed (counted on the day it closed, with its working days and hours)."""
    rows = {row.id: row for row in disputes}
    durations = _Durations()
    events = defaultdict(list)
    for dispute_id, position, name, outcome, opened_on, closed_on, opened_at, closed_at in \
            db.session.execute(
                select(DisputeStage.dispute_id, DisputeStage.position, DisputeStage.name,
                       DisputeStage.outcome, DisputeStage.opened_on, DisputeStage.closed_on,
                       DisputeStage.opened_at, DisputeStage.closed_at)
                .where(DisputeStage.dispute_id.in_(ids), DisputeStage.closed_on.is_not(None))):
        dispute, stage = rows[dispute_id], stage_key(position, name)
        if outcome == StageOutcome.SETTLED and dispute.settled_on:
            events[dispute_id].append(("settled_stage", stage, 0, dispute.settled_on))
        if dispute.immediate_risk and outcome not in NOT_TIMED:
            events[dispute_id] += [
                ("urgent_stage", stage, 0, closed_on),
                ("urgent_stage_days", stage, durations.days(opened_on, closed_on), closed_on)]
            if opened_at and closed_at:
                events[dispute_id] += [
                    ("urgent_stage_timed", stage, 0, closed_on),
                    ("urgent_stage_hours", stage,
                     durations.hundredths_of_hours(opened_at, closed_at), closed_on)]
    return events


def _decision_events(ids, disputes, events):
    """Each panel decision (a deferral is not one), its time from CSC's decision and its
    learning themes, counted on the day it was decided."""
    decided_by_csc = {row.id: row.csc_decision_date for row in disputes}
    durations = _Durations()
    decisions = db.session.execute(
        select(PanelDecision.id, PanelDecision.dispute_id, PanelDecision.outcome,
               PanelDecision.decided_on)
        .where(PanelDecision.dispute_id.in_(ids),
               PanelDecision.outcome != PanelOutcome.DEFERRED)).all()
    themes = defaultdict(list)
    if decisions:
        for decision_id, theme_id in db.session.execute(
                select(decision_theme.c.decision_id, decision_theme.c.theme_id)
                .join(PanelDecision, PanelDecision.id == decision_theme.c.decision_id)
                .where(PanelDecision.dispute_id.in_(ids))):
            themes[decision_id].append(theme_id)
    for decision_id, dispute_id, outcome, decided_on in decisions:
        events[dispute_id] += [
            ("decided", outcome, 0, decided_on),
            ("to_decision", "", durations.days(decided_by_csc[dispute_id], decided_on),
             decided_on),
            *(("theme", str(theme_id), 0, decided_on) for theme_id in themes[decision_id])]


# Adding counts, and the rebuild ------------------------------------------------------------------

def add(counts):
    """Add these counts (negative ones subtract) to the rows, in one statement per thousand."""
    rows = [dict(zip(Fact._fields, fact, strict=True), count=n)
            for fact, n in counts.items() if n]
    if not rows:
        return
    table = FigureCount.__table__
    insert = (postgresql.insert if _dialect() == "postgresql" else sqlite.insert)(table)
    statement = insert.on_conflict_do_update(
        index_elements=[column.name for column in table.primary_key.columns],
        set_={"count": table.c.count + insert.excluded.count})
    for start in range(0, len(rows), 1000):
        db.session.execute(statement, rows[start:start + 1000])


def rebuild():
    """Count every figure again from the disputes (an upgrade, or after a bulk load); flushes,
    never commits. Returns how many disputes were read. Each batch's counts go to a scratch
    table (by COPY on PostgreSQL), summed into the rows once at the end: a batch's rows overlap
    the next one's, and adding them row by row took minutes at national scale."""
    db.session.execute(delete(FigureCount))
    first, last = db.session.execute(select(func.min(Dispute.id), func.max(Dispute.id))).one()
    if first is None:
        return 0
    SCRATCH.create(db.session.connection())
    for start in range(first, last + 1, BATCH):
        _to_scratch(contributions(Dispute.id.between(start, start + BATCH - 1)))
    facts = [SCRATCH.c[name] for name in Fact._fields]
    with _keys_built_after():
        db.session.execute(insert(FigureCount).from_select(
            [*Fact._fields, "count"],
            select(*facts, func.sum(SCRATCH.c.count)).group_by(*facts)
            # In the key's order: the rows a period reads lie together on disk.
            .order_by(*(SCRATCH.c[column.name] for column in FigureCount.__table__.primary_key))))
    SCRATCH.drop(db.session.connection())
    db.session.execute(text("ANALYZE figure_count"))  # the planner needs the new rows' spread
    return db.session.scalar(select(func.count(Dispute.id)))


# The rebuild's scratch table: the rows' columns, no keys, gone with the session.
SCRATCH = Table("figure_count_rebuild", MetaData(),
                *(Column(column.name, column.type) for column in FigureCount.__table__.c),
                prefixes=["TEMPORARY"])


@contextmanager
def _keys_built_after():
    """On PostgreSQL, the rows' key and index are dropped while the rows go in and built once
    after: building an index from sorted rows is many times faster than keeping it row by
    row (about a minute for 100,000 disputes' rows on a busy machine)."""
    if _dialect() != "postgresql":
        yield
        return
    table = FigureCount.__table__
    [index] = table.indexes
    connection = db.session.connection()
    # Room to sort the rows in memory, for this transaction only.
    connection.execute(text("SET LOCAL work_mem = '256MB'"))
    connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    connection.execute(DropConstraint(table.primary_key))
    connection.execute(DropIndex(index))
    yield
    connection.execute(AddConstraint(table.primary_key))
    connection.execute(CreateIndex(index))


def _to_scratch(counts):
    if _dialect() != "postgresql":
        db.session.execute(insert(SCRATCH), [dict(zip(Fact._fields, fact, strict=True), count=n)
                                             for fact, n in counts.items()])
        return
    columns = ", ".join((*Fact._fields, "count"))
    connection = db.session.connection().connection.driver_connection
    with connection.cursor() as cursor, cursor.copy(
            f"COPY {SCRATCH.name} ({columns}) FROM STDIN") as copy:
        for fact, n in counts.items():
            copy.write_row((*fact, n))


def _dialect():
    return db.session.get_bind().dialect.name


def kept():
    """The rows as kept, as a Counter of Facts (rows counting nothing left out)."""
    return Counter({Fact(*row[:-1]): row[-1] for row in db.session.execute(select(
        *(getattr(FigureCount, name) for name in Fact._fields), FigureCount.count)
        .where(FigureCount.count != 0))})


def needs_rebuild():
    """True when no figure is kept yet though disputes are held (just after the upgrade that
    added the rows)."""
    return (db.session.scalar(select(FigureCount.measure).limit(1)) is None
            and db.session.scalar(select(Dispute.id).limit(1)) is not None)


# The keeper: the rows move in the transaction of the change --------------------------------------

BEFORE = "figures_before"  # the touched disputes' counts before their first change
REMEMBERED = "figures_remembered"  # the ids whose counts before are in BEFORE
TOUCHED = "figures_touched"  # every dispute whose counts may have moved


@event.listens_for(Session, "before_flush")
def _remember_before_flush(session, flush_context, instances):
    """The disputes this flush changes, counted before the change reaches the database."""
    _remember(session, {_dispute_id(record) for record in _counted_changes(session)} - {None})


@event.listens_for(Session, "after_flush")
def _touched_by_flush(session, flush_context):
    """Every dispute the flush changed, new ones included, now they all have ids."""
    touched = {_dispute_id(record) for record in _counted_changes(session)} - {None}
    if touched:
        session.info.setdefault(TOUCHED, set()).update(touched)
    # A dispute new in this flush counted nothing before it: a later flush must not take its
    # first rows for its "before".
    session.info.setdefault(REMEMBERED, set()).update(
        record.id for record in session.new if isinstance(record, Dispute))


@event.listens_for(Session, "do_orm_execute")
def _remember_before_bulk_change(state):
    """A set-based UPDATE or DELETE of a counted record: the disputes it reaches, counted
    before it runs."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    model = state.bind_mapper.class_
    if model not in COUNTED or not _may_move_figures(state, model):
        return
    column = Dispute.id if model is Dispute else model.dispute_id
    reached = select(column)
    if state.statement.whereclause is not None:
        reached = reached.where(state.statement.whereclause)
    ids = set(state.session.scalars(reached))
    _remember(state.session, ids)
    state.session.info.setdefault(TOUCHED, set()).update(ids)


def _may_move_figures(state, model):
    """Whether a set-based statement may move the figures: a DELETE may; an UPDATE only if it
    sets a counted column (anonymising a batch sets none, and is not counted twice over)."""
    if state.is_delete:
        return True
    values = state.statement._values or dict(state.statement._ordered_values or ())
    names = {getattr(key, "key", key) for key in values}
    return not names or bool(names & COUNTED[model])


@event.listens_for(Session, "before_commit")
def _count_before_commit(session):
    """Add to the rows what the touched disputes count now, less what they counted before."""
    session.flush()
    touched = session.info.pop(TOUCHED, None)
    if not touched:
        return
    change = contributions(Dispute.id.in_(sorted(touched)))
    change.subtract(session.info.get(BEFORE, Counter()))
    add(change)
    _forget(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_when_the_transaction_ends(session, transaction):
    """A savepoint rolled back (a vote refused) leaves the transaction's earlier changes to be
    counted; only the end of the whole transaction forgets them."""
    if transaction.parent is None:
        _forget(session)


def _forget(session):
    for name in (BEFORE, REMEMBERED, TOUCHED):
        session.info.pop(name, None)


def _remember(session, ids):
    new = ids - session.info.get(REMEMBERED, set())
    if not new:
        return
    with session.no_autoflush:
        before = contributions(Dispute.id.in_(sorted(new)))
    session.info.setdefault(BEFORE, Counter()).update(before)
    session.info.setdefault(REMEMBERED, set()).update(new)


def _counted_changes(session):
    """The records among the session's new, deleted and changed ones that the figures read."""
    for record in (*session.new, *session.deleted):
        if type(record) in COUNTED:
            yield record
    for record in session.dirty:
        counted = COUNTED.get(type(record))
        if counted and any(inspect(record).attrs[name].history.has_changes()
                           for name in counted):
            yield record


def _dispute_id(record):
    if isinstance(record, Dispute):
        return record.id
    if record.dispute_id is not None:
        return record.dispute_id
    dispute = inspect(record).attrs.dispute.loaded_value if hasattr(record, "dispute") else None
    return getattr(dispute, "id", None)
