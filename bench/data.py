"""Benchmark data at scale: `flask --app wsgi bench-data --disputes N`.

Bulk inserts through SQLAlchemy Core in bounded batches with ids assigned here (no ORM object per
row, no RETURNING round trip), so hundreds of thousands of disputes load in minutes.

The shape follows the briefings, at the size of many partnerships' worth of disputes (about
4,800 each over ten years): each partnership's agencies and users and its own monthly panel.
Most disputes settle at a stage, the rest reach the panel, which votes (health, police, CSC) and
decides at the first session after the agenda cut-off; a few are urgent or repeats. Disputes
raised in the last weeks are still open: in escalation or waiting for the next session.

Children have names drawn from common first names and surnames (some with a middle name, some
with accents or apostrophes), so a full name is shared by about a hundred children at the largest
size, as in life; most have a case number. A repeat dispute is about the same child as the one
before it. The keys rule 13's check and subject access look children up by are filled in as
raising a dispute fills them.
"""

import bisect
import random
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter

import click
from flask.cli import with_appcontext
from sqlalchemy import func, insert, select, text

from moderation.calendar import add_working_days
from moderation.disputes.child_identifiers import case_key, name_pair
from moderation.disputes.raising import name_key
from moderation.extensions import db
from moderation.meeting import rules
from moderation.models import (
    Action,
    Agency,
    AgencyKind,
    AgendaItem,
    Attendance,
    ConcernCategory,
    Dispute,
    DisputeConcern,
    DisputeStage,
    LearningTheme,
    Notification,
    PanelDecision,
    PanelMember,
    PanelSession,
    Role,
    User,
    UserRole,
    Vote,
)
from moderation.models.meeting import decision_theme
from moderation.outcomes import tallies

YEARS = 10
PER_PARTNERSHIP = 4800  # disputes per partnership over ten years
BATCH = 20000  # disputes held in memory before they are written
CHUNK = 5000  # rows per INSERT
# (name, working days, share of all disputes settled at this stage)
STAGES = [("Practitioner to practitioner", 2, 0.25), ("Manager to manager", 5, 0.20),
          ("Independent second screening", 5, 0.15)]
OUTCOMES = ["upheld"] * 5 + ["overturn_s17"] * 3 + ["overturn_s47", "step_down_early_help"]
CATEGORIES = [c.value for c in ConcernCategory]
VOTING_KINDS = (AgencyKind.HEALTH, AgencyKind.POLICE, AgencyKind.CSC)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
FIRST_NAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Freya", "Florence", "Sophia",
    "Grace", "Willow", "Evie", "Ella", "Poppy", "Zara", "Aisha", "Maryam", "Hannah", "Chloe",
    "Ruby", "Jessica", "Niamh", "Seren", "Zoë", "Siobhán", "Amira", "Maja", "Chiamaka", "Lucía",
    "Muhammad", "Noah", "Oliver", "George", "Leo", "Arthur", "Oscar", "Theodore", "Freddie",
    "Harry", "Jack", "Charlie", "Alfie", "Archie", "Henry", "Thomas", "Jacob", "Finley", "Lucas",
    "Mason", "Isaac", "Daniel", "Joshua", "Ethan", "Samuel", "Joseph", "Adam", "Yusuf", "Ibrahim",
    "Dylan", "Rhys", "Kai", "Riley", "Aaron", "Tomasz", "Chidi", "Kwame", "Mateo", "Ayaan",
    "Reuben")
# Some surnames have an apostrophe, a hyphen, an accent or two words.
SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Thomas", "Clarke", "Jackson", "Wood", "Harris", "Edwards", "Turner", "Martin", "Cooper",
    "Hill", "Ward", "Hughes", "Moore", "Clark", "King", "Harrison", "Lewis", "Baker", "Lee",
    "Allen", "Morris", "Khan", "Scott", "Watson", "Davis", "Parker", "James", "Bennett", "Young",
    "Phillips", "Richardson", "Mitchell", "Bailey", "Carter", "Cook", "Singh", "Shaw", "Bell",
    "Collins", "Morgan", "Kelly", "Begum", "Dixon", "Miller", "Price", "Ahmed", "Ali", "Hussain",
    "Murphy", "O'Brien", "Kowalski", "Nowak", "Okafor", "Mensah", "Nguyen", "Chen", "Ferreira",
    "Murray-Hughes", "Popescu", "Rossi", "McAllister", "Fitzgerald", "Sharma", "Chaudhry",
    "Adeyemi", "Osei", "Novak", "Horvat", "Jensen", "Ó Súilleabháin")
MIDDLE_NAMES = ("Rose", "James", "Mae", "Louise", "John", "Grace", "Ali", "Marie")
CASE_PREFIXES = ("NS", "CS", "LA", "SC")

TABLES = (("dispute", Dispute), ("stage", DisputeStage), ("concern", DisputeConcern),
          ("item", AgendaItem), ("vote", Vote), ("decision", PanelDecision),
          ("theme", decision_theme), ("action", Action), ("notification", Notification))
# The CSC managers are told of every dispute raised (notifications/notices.py); the retention
# schedule keeps a year of notifications, the last month of them unread.
NOTIFIED_DAYS, UNREAD_DAYS = 365, 30


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


class Bench:
    """What every dispute draws on: partnerships, their sessions, the panel and the themes."""

    def __init__(self, rng, ids, partnerships, panel, themes, end):
        self.rng, self.ids, self.partnerships, self.end = rng, ids, partnerships, end
        self.panel, self.themes = panel, themes
        self.rows = _empty()
        self.items_in = {}  # session id -> items so far, for positions
        self.last_child = None  # a repeat dispute is about the child of the one before it
        self.keys = {}  # a name's keys, worked out once
        self.csc_managers = db.session.scalars(select(UserRole.user_id).where(
            UserRole.role == Role.CSC_MANAGER)).all()

    def next_session(self, partnership, queued_on):
        """The first session whose agenda cut-off is on or after the day a dispute joined the
        queue; None when it is not held yet."""
        sessions = partnership["sessions"]
        index = bisect.bisect_left(sessions, queued_on, key=lambda s: s["agenda_cutoff_on"])
        return sessions[index] if index < len(sessions) else None


def generate(disputes, seed=2026, end=None):
    """Add `disputes` disputes over ten years ending `end` (today), with everything around them;
    return counts of what was added."""
    end = end or date.today()
    start = end.replace(year=end.year - YEARS)
    rng = random.Random(seed)
    ids = Ids()
    partnerships = _partnerships(ids, max(1, round(disputes / PER_PARTNERSHIP)))
    counts = {"sessions": _sessions(ids, partnerships, start, end)}
    bench = Bench(rng, ids, partnerships, _panel(ids, partnerships[0], start),
                  db.session.scalars(select(LearningTheme.id)).all(), end)
    counts["attendance"] = _attendance(bench)
    span = (end - start).days
    first_id = ids.take(Dispute, disputes)
    for n in range(disputes):
        raised = start + timedelta(days=span * n // disputes)
        _dispute(bench, first_id + n, raised, end)
        if len(bench.rows["dispute"]) >= BATCH:  # bounded memory at any size
            _flush(bench, counts)
    _flush(bench, counts)
    _resync_sequences()
    tallies.rebuild()  # bulk inserts pass the keeper by: count the figures once, as an upgrade
    db.session.execute(text("ANALYZE"))  # the planner needs statistics after a bulk load
    db.session.commit()
    return counts


def _empty():
    return {key: [] for key, _ in TABLES}


def _flush(bench, counts):
    for key, model in TABLES:
        _bulk(model, bench.rows[key])
        counts[key] = counts.get(key, 0) + len(bench.rows[key])
    bench.rows = _empty()


def _bulk(model_or_table, rows):
    table = getattr(model_or_table, "__table__", model_or_table)
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start:start + CHUNK])


def _resync_sequences():
    """Ids were assigned here, so PostgreSQL's sequences must catch up before the app inserts."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in (Agency, User, PanelMember, PanelSession, Attendance, Dispute, DisputeStage,
                  AgendaItem, Vote, PanelDecision, Action, Notification):
        table = model.__tablename__
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
            f"(SELECT coalesce(max(id), 1) FROM \"{table}\"))"))


def _partnerships(ids, count):
    """Each partnership's core agencies and a school, with referrers and CSC managers."""
    kinds = [AgencyKind.HEALTH, AgencyKind.POLICE, AgencyKind.CSC, AgencyKind.EDUCATION]
    first_agency = ids.take(Agency, count * len(kinds))
    first_user = ids.take(User, count * 10)
    agency_rows, user_rows, role_rows, partnerships = [], [], [], []
    for p in range(count):
        agencies = [{"id": first_agency + p * len(kinds) + k, "kind": kind,
                     "name": f"Bench partnership {first_agency}-{p + 1} {kind.label}",
                     "is_core": False, "created_at": NOW}
                    for k, kind in enumerate(kinds)]
        agency_rows += agencies
        referrers = []
        for u in range(10):
            user_id = first_user + p * 10 + u
            agency = agencies[u % len(kinds)]
            # Only referrers: CSC managers and partnership managers are the deployment's own
            # few, as the scheduler's alerts assume (each alert goes to everyone in the role).
            role = "referrer"
            user_rows.append({"id": user_id, "name": f"Bench user {user_id}",
                              "email": f"bench.{user_id}@bench.example.org",
                              "agency_id": agency["id"], "password_hash": None,
                              "must_change_password": True, "active": True,
                              "session_token": f"bench-{user_id}", "created_at": NOW})
            role_rows.append({"user_id": user_id, "role": role})
            referrers.append((user_id, agency["id"]))
        partnerships.append({"number": p, "agencies": agencies, "referrers": referrers})
    _bulk(Agency, agency_rows)
    _bulk(User, user_rows)
    _bulk(UserRole, role_rows)
    return partnerships


def _sessions(ids, partnerships, start, end):
    """Each partnership's monthly panel on its own working day of the month, held up to `end`
    with its minutes approved."""
    rows = []
    for partnership in partnerships:
        partnership["sessions"] = []
        month = start.replace(day=1)
        while month <= end:
            held = add_working_days(month - timedelta(days=1), 3 + partnership["number"] % 15)
            if start <= held <= end:
                row = {"id": ids.take(PanelSession), "planned_on": held, "held_on": held,
                       "agenda_cutoff_on": add_working_days(held, -5), "starts_at": time(10),
                       "duration_minutes": 480, "capacity": 25, "cutoff_working_days": 5,
                       "place": "Council House", "status": "minutes_approved",
                       "created_at": NOW}
                partnership["sessions"].append(row)
                rows.append(row)
            month = (month + timedelta(days=32)).replace(day=1)
    _bulk(PanelSession, rows)
    return len(rows)


def _panel(ids, partnership, start):
    """The panel's chair and one representative per voting agency: the members already there
    (the demo's, say), else new ones in the first partnership."""
    members = db.session.scalars(select(PanelMember).where(PanelMember.deputy_for_id.is_(None))
                                 .order_by(PanelMember.id)).all()
    chair = next((m for m in members if m.role == "chair"), None)
    voters = {}
    for member in members:
        if member.role == "representative" and member.agency.kind in VOTING_KINDS:
            voters.setdefault(member.agency.kind, member)
    if chair and len(voters) == len(VOTING_KINDS):
        for member in members:  # they sat on every generated session (rule 12)
            member.joined_on = min(member.joined_on, start)
        return {"chair": (chair.id, chair.user_id),
                "voters": [(m.id, m.agency_id, m.agency.name, m.user_id)
                           for m in voters.values()]}
    return _new_panel(ids, partnership, start)


def _new_panel(ids, partnership, start):
    by_kind = {a["kind"]: a for a in partnership["agencies"]}
    seats = [("chair", by_kind[AgencyKind.HEALTH])] + [("representative", by_kind[k])
                                                       for k in VOTING_KINDS]
    first_user, first_member = ids.take(User, len(seats)), ids.take(PanelMember, len(seats))
    users, roles, members = [], [], []
    for n, (role, agency) in enumerate(seats):
        users.append({"id": first_user + n, "name": f"Bench {role} {n}",
                      "email": f"bench.panel.{first_user + n}@bench.example.org",
                      "agency_id": agency["id"], "password_hash": None,
                      "must_change_password": True, "active": True,
                      "session_token": f"bench-{first_user + n}", "created_at": NOW})
        roles.append({"user_id": first_user + n, "role": "chair" if n == 0 else "panel_member"})
        members.append({"id": first_member + n, "user_id": first_user + n, "role": role,
                        "agency_id": agency["id"], "calendar_token": f"bench-{first_member + n}",
                        "joined_on": start, "created_at": NOW})
    _bulk(User, users)
    _bulk(UserRole, roles)
    _bulk(PanelMember, members)
    return {"chair": (first_member, first_user),
            "voters": [(first_member + n, seats[n][1]["id"], seats[n][1]["name"],
                        first_user + n) for n in range(1, len(seats))]}


def _attendance(bench):
    """The whole panel present at every session, confidentiality accepted."""
    members = [bench.panel["chair"][0]] + [v[0] for v in bench.panel["voters"]]
    sessions = [s for p in bench.partnerships for s in p["sessions"]]
    first = bench.ids.take(Attendance, len(sessions) * len(members))
    rows = [{"id": first + n * len(members) + m, "session_id": s["id"], "member_id": member,
             "status": "present", "standing_for_id": None,
             "confidentiality_acknowledged_at": NOW, "recorded_at": NOW}
            for n, s in enumerate(sessions) for m, member in enumerate(members)]
    _bulk(Attendance, rows)
    return len(rows)


def _dispute(bench, dispute_id, raised, end):
    rng = bench.rng
    partnership = rng.choice(bench.partnerships)
    referrer_id, agency_id = rng.choice(partnership["referrers"])
    settles_at = _settles_at(rng.random())
    row = _dispute_row(rng, dispute_id, raised, referrer_id, agency_id)
    row.update(_child(bench, dispute_id, row["repeat_of_id"] is not None))
    _told(bench, row)
    bench.rows["dispute"].append(row)
    for category in rng.sample(CATEGORIES, rng.choice((1, 1, 2))):
        bench.rows["concern"].append({"dispute_id": dispute_id, "category": category})
    closed = _stages(bench, dispute_id, raised, end, settles_at)
    if closed is None:
        return  # still in escalation
    if settles_at:
        row.update(status="settled", settled_on=closed,
                   settlement_outcome="child_and_family_assessment")
        return
    row.update(status="queued", queued_on=closed)
    session = bench.next_session(partnership, closed)
    if session is not None:
        row["status"] = "decided"
        _decision(bench, dispute_id, session)


def _told(bench, row):
    """Each CSC manager's notice of a dispute raised in the last year, as notices.dispute_raised
    words it."""
    age = (bench.end - row["raised_on"]).days
    if age > NOTIFIED_DAYS:
        return
    told_at = datetime.combine(row["raised_on"], time(10), tzinfo=UTC)
    for user_id in bench.csc_managers:
        bench.rows["notification"].append({
            "id": bench.ids.take(Notification), "user_id": user_id,
            "key": f"raised:dispute-{row['id']}-{user_id}",
            "message": f"Dispute {row['reference']} has been raised.",
            "link": f"/disputes/{row['id']}", "created_at": told_at,
            "read_at": None if age <= UNREAD_DAYS else told_at + timedelta(days=1)})


def _settles_at(roll):
    """The stage a dispute settles at (1-3), or None when it goes to the panel."""
    share = 0
    for position, (_, _, settled_share) in enumerate(STAGES, start=1):
        share += settled_share
        if roll < share:
            return position
    return None


def _stages(bench, dispute_id, opened, end, settles_at):
    """The escalation stages, each closed within its working days (one in ten late); returns
    the day the last one closed, or None while a stage is still open on `end`."""
    for position, (name, days, _) in enumerate(STAGES, start=1):
        late = bench.rng.random() < 0.1
        closed = add_working_days(opened, days + bench.rng.randint(1, 3) if late
                                  else bench.rng.randint(1, days))
        still_open = closed > end
        settled = position == settles_at
        bench.rows["stage"].append({
            "id": bench.ids.take(DisputeStage), "dispute_id": dispute_id, "position": position,
            "name": name, "answering_role": "csc_manager", "working_days": days,
            "independent": position == 3, "opened_on": opened,
            "due_on": add_working_days(opened, days), "closed_on": None if still_open else closed,
            "outcome": None if still_open else ("settled" if settled else "unresolved")})
        if still_open:
            return None
        if settled:
            return closed
        opened = closed
    return closed


def _dispute_row(rng, dispute_id, raised, referrer_id, agency_id):
    decision_date = add_working_days(raised, -rng.randint(1, 10))
    return {
        "id": dispute_id, "reference": f"B-{raised.year}-{dispute_id:07d}",
        "status": "escalating", "raised_on": raised, "raised_at": NOW,
        "referrer_id": referrer_id, "referring_agency_id": agency_id,
        "referral_date": decision_date - timedelta(days=2),
        "referral_method": "phone",
        "referrer_intent": "referral" if rng.random() < 0.85 else "information",
        "level_of_need": rng.choice((2, 3, 3, 3, 4, 4)), "referral_summary": "Bench summary.",
        "csc_decision_date": decision_date,
        "told_recorded_as": "contact" if rng.random() < 0.6 else "referral",
        "told_outcome": "no_further_action", "dispute_type": "threshold_not_met",
        "grounds": "Bench grounds.", "immediate_risk": rng.random() < 0.03,
        "repeat_of_id": dispute_id - 1 if rng.random() < 0.08 and dispute_id > 1 else None,
        "settled_on": None, "settlement_outcome": None, "queued_on": None,
    }


def _child(bench, dispute_id, repeat):
    """The child's details and keys: the child of the dispute before for a repeat."""
    if repeat and bench.last_child:
        return bench.last_child
    rng = bench.rng
    words = [rng.choice(FIRST_NAMES), rng.choice(SURNAMES)]
    if rng.random() < 0.2:
        words.insert(1, rng.choice(MIDDLE_NAMES))
    name = " ".join(words)
    if name not in bench.keys:
        bench.keys[name] = (name_key(name), name_pair(name))
    number = (f"{rng.choice(CASE_PREFIXES)}-{dispute_id:06d}" if rng.random() < 0.7 else None)
    bench.last_child = {
        "child_name": name, "child_name_key": bench.keys[name][0],
        "child_name_pair": bench.keys[name][1],
        "child_dob": date(2008, 1, 1) + timedelta(days=rng.randrange(6200)),
        "child_case_number": number, "child_case_key": case_key(number)}
    return bench.last_child


def _decision(bench, dispute_id, session):
    rng, rows, ids = bench.rng, bench.rows, bench.ids
    item_id = ids.take(AgendaItem)
    position = bench.items_in[session["id"]] = bench.items_in.get(session["id"], 0) + 1
    rows["item"].append({"id": item_id, "session_id": session["id"], "dispute_id": dispute_id,
                         "position": position, "minutes": 20, "deferred": False,
                         "voting": "closed"})
    votes = _votes(bench, item_id, rng.choice(OUTCOMES))
    result = rules.count(votes)
    decision_id = ids.take(PanelDecision)
    rows["decision"].append({
        "id": decision_id, "agenda_item_id": item_id, "dispute_id": dispute_id,
        "outcome": result.outcome, "method": result.method, "tally": result.tally,
        "dissenting_agencies": list(result.dissenting),
        "dissent": "Bench dissent." if result.dissenting else None,
        "rationale": "Bench rationale.", "feedback": "Bench feedback.",
        "decided_on": session["held_on"], "recorded_by_id": bench.panel["chair"][1],
        "recorded_at": NOW})
    for theme in rng.sample(bench.themes, rng.choice((1, 2))):
        rows["theme"].append({"decision_id": decision_id, "theme_id": theme})
    if rng.random() < 0.3:
        _, agency_id, _, owner_id = rng.choice(bench.panel["voters"])
        rows["action"].append({
            "id": ids.take(Action), "session_id": session["id"], "agenda_item_id": item_id,
            "description": "Bench action.", "owner_id": owner_id, "agency_id": agency_id,
            "working_days": 10, "due_on": add_working_days(session["held_on"], 10),
            "status": _action_status(rng, bench.end - session["held_on"]),
            "created_by_id": bench.panel["chair"][1], "created_at": NOW})


def _action_status(rng, age):
    """Actions from the last three months may still be open; older ones were closed."""
    closed = ("done", "done", "done", "not_possible")
    return rng.choice(closed + ("open",) if age.days < 90 else closed)


def _votes(bench, item_id, leading):
    """Each voting agency's vote: all agree on most items, one dissents on the rest."""
    dissenter = bench.rng.randrange(len(bench.panel["voters"])) if bench.rng.random() < 0.4 \
        else None
    votes = {}
    first = bench.ids.take(Vote, len(bench.panel["voters"]))
    for n, (member_id, agency_id, agency_name, user_id) in enumerate(bench.panel["voters"]):
        outcome = leading if n != dissenter else ("upheld" if leading != "upheld"
                                                  else "overturn_s17")
        votes[agency_name] = outcome
        bench.rows["vote"].append({
            "id": first + n, "agenda_item_id": item_id, "agency_id": agency_id,
            "member_id": member_id, "outcome": outcome, "reason": "Bench reasons.",
            "in_room": False, "recorded_by_id": user_id, "cast_at": NOW})
    return votes


@click.command("bench-data")
@with_appcontext
@click.option("--disputes", type=click.IntRange(1, 2_000_000), required=True,
              help="How many disputes to add, spread over ten years.")
def command(disputes):
    """Add realistic benchmark data quickly (bulk inserts). Never on a live database."""
    started = perf_counter()
    counts = generate(disputes)
    took = perf_counter() - started
    click.echo(", ".join(f"{n:,} {name}" for name, n in counts.items()) + f" in {took:.1f} s")
