"""Benchmark data at scale: `flask --app wsgi bench-data --disputes N`.

Bulk inserts through SQLAlchemy Core in chunks with ids assigned here (no ORM object per row, no
RETURNING round trip), so hundreds of thousands of disputes load in minutes. Proportions follow
the briefings: most disputes settle at a stage, about a third reach the panel, a few are urgent
or repeats, spread over ten years with a monthly panel.
"""

import bisect
import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from moderation.calendar import add_working_days
from moderation.extensions import db
from moderation.models import (
    Action,
    Agency,
    AgencyKind,
    AgendaItem,
    ConcernCategory,
    Dispute,
    DisputeConcern,
    DisputeStage,
    LearningTheme,
    PanelDecision,
    PanelSession,
    User,
    UserRole,
)
from moderation.models.meeting import decision_theme

CHUNK = 5000
YEARS = 10
STAGES = [("Practitioner to practitioner", 2), ("Manager to manager", 5),
          ("Independent second screening", 5)]
OUTCOMES = ["upheld"] * 5 + ["overturn_s17"] * 3 + ["overturn_s47", "step_down_early_help"]
CATEGORIES = [c.value for c in ConcernCategory]
NOW = datetime(2026, 1, 1, tzinfo=UTC)


class Ids:
    """Next free id per table, read once: rows get their ids here, not from the database."""

    def __init__(self):
        self.next = {}

    def take(self, model, count=1):
        if model not in self.next:
            self.next[model] = (db.session.scalar(select(func.max(model.id))) or 0) + 1
        first = self.next[model]
        self.next[model] += count
        return first


BATCH = 20000
TABLES = (("dispute", Dispute), ("stage", DisputeStage), ("concern", DisputeConcern),
          ("item", AgendaItem), ("decision", PanelDecision), ("theme", decision_theme),
          ("action", Action))


def _empty():
    return {key: [] for key, _ in TABLES}


def _flush(rows, counts):
    for key, model in TABLES:
        _bulk(model, rows[key])
        counts[key] = counts.get(key, 0) + len(rows[key])


def _bulk(model_or_table, rows):
    table = getattr(model_or_table, "__table__", model_or_table)
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start:start + CHUNK])


def generate(disputes, seed=2026, end=date(2026, 10, 31)):
    """Add `disputes` disputes over ten years ending `end`, with everything around them;
    return counts of what was added."""
    rng = random.Random(seed)
    ids = Ids()
    agencies, people = _people(ids, rng, max(disputes // 1000, 4))
    start = end.replace(year=end.year - YEARS)
    sessions = _sessions(ids, start, end)
    counts = {"sessions": len(sessions)}
    themes = db.session.scalars(select(LearningTheme.id)).all()
    span = (end - start).days
    first_id = ids.take(Dispute, disputes)
    rows = _empty()
    for n in range(disputes):
        raised = start + timedelta(days=span * n // disputes)
        _dispute(rows, ids, rng, first_id + n, raised, agencies, people, sessions, themes)
        if len(rows["dispute"]) >= BATCH:  # bounded memory at any size
            _flush(rows, counts)
            rows = _empty()
    _flush(rows, counts)
    _resync_sequences()
    db.session.commit()
    return counts


def _resync_sequences():
    """Ids were assigned here, so PostgreSQL's sequences must catch up before the app inserts."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    from sqlalchemy import text

    for model in (Agency, User, PanelSession, Dispute, DisputeStage, AgendaItem, PanelDecision,
                  Action):
        table = model.__tablename__
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
            f"(SELECT coalesce(max(id), 1) FROM \"{table}\"))"))


def _people(ids, rng, partnerships):
    """Each partnership's core agencies and a school, with referrers and CSC managers."""
    agency_rows, user_rows, role_rows = [], [], []
    kinds = [AgencyKind.HEALTH, AgencyKind.POLICE, AgencyKind.CSC, AgencyKind.EDUCATION]
    first_agency = ids.take(Agency, partnerships * len(kinds))
    for p in range(partnerships):
        for k, kind in enumerate(kinds):
            agency_id = first_agency + p * len(kinds) + k
            agency_rows.append({"id": agency_id, "kind": kind,
                                "name": f"Bench partnership {first_agency}-{p + 1} {kind.label}",
                                "is_core": kind != AgencyKind.EDUCATION, "created_at": NOW})
    count = partnerships * 10
    first_user = ids.take(User, count)
    for u in range(count):
        agency = agency_rows[u % len(agency_rows)]
        role = "csc_manager" if agency["kind"] == AgencyKind.CSC else "referrer"
        user_rows.append({"id": first_user + u, "name": f"Bench user {u}",
                          "email": f"bench.{first_user + u}@bench.example.org",
                          "agency_id": agency["id"], "password_hash": None,
                          "must_change_password": True, "active": True,
                          "session_token": f"bench-{first_user + u}", "created_at": NOW})
        role_rows.append({"user_id": first_user + u, "role": role})
    _bulk(Agency, agency_rows)
    _bulk(User, user_rows)
    _bulk(UserRole, role_rows)
    referrers = [(r["id"], r["agency_id"]) for r, role in zip(user_rows, role_rows, strict=True)
                 if role["role"] == "referrer"]
    return agency_rows, referrers


def _sessions(ids, start, end):
    """A monthly panel on the second Tuesday, already held, minutes approved."""
    rows, day = [], start.replace(day=1)
    while day <= end:
        tuesdays = [day + timedelta(days=d) for d in range(14) if (day + timedelta(days=d))
                    .weekday() == 1]
        held = tuesdays[1]
        rows.append({"id": ids.take(PanelSession), "planned_on": held, "held_on": held,
                     "agenda_cutoff_on": add_working_days(held, -5), "starts_at": time(10),
                     "duration_minutes": 180, "capacity": 400, "cutoff_working_days": 5,
                     "place": "Council House", "status": "minutes_approved",
                     "created_at": NOW})
        day = (day + timedelta(days=32)).replace(day=1)
    _bulk(PanelSession, rows)
    return rows


def _dispute(rows, ids, rng, dispute_id, raised, agencies, people, sessions, themes):
    referrer_id, agency_id = rng.choice(people)
    roll = rng.random()
    settled_at = 1 + int(roll * 5) if roll < 0.55 else None  # stage 1-3 for 55%
    settled_at = min(settled_at, 3) if settled_at else None
    decided = settled_at is None and roll < 0.9
    stages = settled_at or 3
    decision_day = add_working_days(raised, 8 + rng.randint(0, 40))
    index = bisect.bisect_left(sessions, decision_day, key=lambda s: s["held_on"])
    session = sessions[index] if index < len(sessions) else None
    if decided and session is None:
        decided = False
    status = "settled" if settled_at else ("decided" if decided else "queued")
    rows["dispute"].append(_dispute_row(rng, dispute_id, raised, referrer_id, agency_id, status,
                                        settled_at, stages))
    opened = raised
    for position in range(1, stages + 1):
        name, days = STAGES[position - 1]
        due = add_working_days(opened, days)
        rows["stage"].append({
            "id": ids.take(DisputeStage), "dispute_id": dispute_id, "position": position,
            "name": name, "answering_role": "csc_manager", "working_days": days,
            "independent": position == 3, "opened_on": opened, "due_on": due,
            "closed_on": due, "outcome": "settled" if position == settled_at else "unresolved"})
        opened = due
    for category in rng.sample(CATEGORIES, rng.choice((1, 1, 2))):
        rows["concern"].append({"dispute_id": dispute_id, "category": category})
    if decided:
        _decision(rows, ids, rng, dispute_id, session, themes, people)


def _dispute_row(rng, dispute_id, raised, referrer_id, agency_id, status, settled_at, stages):
    decision_date = add_working_days(raised, -rng.randint(1, 10))
    return {
        "id": dispute_id, "reference": f"B-{raised.year}-{dispute_id:07d}", "status": status,
        "raised_on": raised, "raised_at": NOW, "referrer_id": referrer_id,
        "referring_agency_id": agency_id, "child_name": f"Bench Child {dispute_id}",
        "child_name_key": f"bench child {dispute_id}", "child_dob": date(2012, 1, 1)
        + timedelta(days=dispute_id % 4000), "child_case_number": None,
        "referral_date": decision_date - timedelta(days=2), "referral_method": "phone",
        "referrer_intent": "referral" if rng.random() < 0.85 else "information",
        "level_of_need": rng.choice((2, 3, 3, 3, 4, 4)), "referral_summary": "Bench summary.",
        "csc_decision_date": decision_date,
        "told_recorded_as": "contact" if rng.random() < 0.6 else "referral",
        "told_outcome": "no_further_action", "dispute_type": "threshold_not_met",
        "grounds": "Bench grounds.", "immediate_risk": rng.random() < 0.03,
        "repeat_of_id": dispute_id - 1 if rng.random() < 0.08 and dispute_id > 1 else None,
        "settled_on": add_working_days(raised, 2 * stages) if settled_at else None,
        "settlement_outcome": "child_and_family_assessment" if settled_at else None,
        "queued_on": None if settled_at else add_working_days(raised, 12),
    }


def _decision(rows, ids, rng, dispute_id, session, themes, people):
    item_id = ids.take(AgendaItem)
    rows["item"].append({"id": item_id, "session_id": session["id"], "dispute_id": dispute_id,
                         "position": len(rows["item"]) + 1, "minutes": 20, "deferred": False,
                         "voting": "closed"})
    outcome = rng.choice(OUTCOMES)
    decision_id = ids.take(PanelDecision)
    rows["decision"].append({
        "id": decision_id, "agenda_item_id": item_id, "dispute_id": dispute_id,
        "outcome": outcome, "method": "majority", "tally": {outcome: 2},
        "dissenting_agencies": [], "dissent": None, "rationale": "Bench rationale.",
        "feedback": "Bench feedback.", "decided_on": session["held_on"],
        "recorded_by_id": people[0][0], "recorded_at": NOW})
    for theme in rng.sample(themes, rng.choice((1, 2))):
        rows["theme"].append({"decision_id": decision_id, "theme_id": theme})
    if rng.random() < 0.3:
        rows["action"].append({
            "id": ids.take(Action), "session_id": session["id"], "agenda_item_id": item_id,
            "description": "Bench action.", "owner_id": people[0][0], "agency_id": people[0][1],
            "working_days": 10, "due_on": add_working_days(session["held_on"], 10),
            "status": rng.choice(("done", "done", "open", "not_possible")),
            "created_by_id": people[0][0], "created_at": NOW})
