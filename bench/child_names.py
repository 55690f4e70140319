"""Rule 13's check of typed text over the whole data set (DATABASE_URL), for bench/run.py: how long
`child_identifiers.refuse` takes on a typical draft of the minutes (opening remarks, twelve item
summaries, any other business) written by the panel's chair, who may read every dispute waiting
for panel and every case on a session they sat on; then on the same text naming one child of
the data set. Prints one JSON line: the times (best and median of RUNS), the text's length and
candidate keys, the disputes sharing the child's name, and the lookup's plan (EXPLAIN ANALYZE
on PostgreSQL, EXPLAIN QUERY PLAN on SQLite).

    .venv/bin/python bench/child_names.py
"""

import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, or_, select  # noqa: E402

from moderation import create_app  # noqa: E402
from moderation.disputes import child_identifiers  # noqa: E402
from moderation.extensions import db  # noqa: E402
from moderation.models import AgendaItem, Dispute, Role, User, UserRole  # noqa: E402
from moderation.web.boundary import Refusal  # noqa: E402

RUNS = 15
ITEM = ("Item {n}. Northshire Health disputed CSC's decision: CSC recorded the referral as a "
        "contact. The referrer judged the need at level 3: targeted. The health visitor saw the "
        "family three times in October; the panel heard from the police representative, Sam "
        "Patel, about two domestic abuse call-outs, and from CSC's duty manager about the "
        "information held on 4 November. The panel agreed the threshold for an assessment was "
        "met and asked CSC to confirm within 10 working days. ")
TYPICAL = ("The chair welcomed the members and guests, and reminded everyone that the papers "
           "are confidential. Apologies were received from Northshire Police, whose deputy "
           "attended. " + "".join(ITEM.format(n=n) for n in range(1, 13))
           + "Any other business: the next panel meets on 12 January 2027. Actions from the "
             "November panel were reviewed: 4 done, 1 not possible.")


def chair():
    """The panel's chair (the demo's, or the first chair there is)."""
    return db.session.scalar(select(User).join(UserRole).where(UserRole.role == Role.CHAIR)
                             .order_by(User.id).limit(1))


def commonest_name():
    """The most common full name among the children whose cases the chair heard (so the chair
    may read them), as a person would type it, and how many disputes share it."""
    pair = db.session.scalar(
        select(Dispute.child_name_pair).join(AgendaItem, AgendaItem.dispute_id == Dispute.id)
        .where(Dispute.child_name_pair.is_not(None))
        .group_by(Dispute.child_name_pair).order_by(func.count().desc()).limit(1))
    sharing = db.session.scalar(select(func.count()).where(Dispute.child_name_pair == pair))
    return " ".join(word.capitalize() for word in reversed(pair.split())), sharing


def timed(text, writer):
    """Seconds `refuse` takes on `text` (best and median of RUNS), and whether it refused."""
    times, refused = [], False
    for _ in range(RUNS):
        started = time.perf_counter()
        try:
            child_identifiers.refuse([("The minutes", "opening", text)], writer)
        except Refusal:
            refused = True
        times.append(time.perf_counter() - started)
        db.session.rollback()  # each run as a request of its own, nothing cached in the session
    return {"best": min(times), "median": statistics.median(times), "refused": refused}


def plan(text):
    """The lookup's plan, as the database reports it, line by line."""
    keys = child_identifiers.candidate_keys(text)
    query = select(Dispute.id).where(or_(
        child_identifiers.one_of_keys(Dispute.child_name_pair, keys),
        child_identifiers.one_of_keys(Dispute.child_case_key, keys)))
    compiled = query.compile(db.engine)
    params = (tuple(compiled.params[k] for k in compiled.positiontup)
              if compiled.positional else compiled.params)
    explain = ("EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite"
               else "EXPLAIN (ANALYZE, COSTS OFF, BUFFERS) ")
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(explain + str(compiled), params).all()
    lines = [" | ".join(str(part) for part in row) if len(row) > 1 else str(row[0])
             for row in rows]
    # The keys are the text's own (hundreds of them): the plan names them once, as a count.
    return [re.sub(r"'\{[^']*\}'", f"'{{{len(keys)} keys}}'", line) for line in lines]


def measure():
    """Everything bench/run.py reports, as a dict (in an app context)."""
    writer = chair()
    writer.has_role(Role.CHAIR)
    name, sharing = commonest_name()
    naming = f"{TYPICAL} {name} was discussed."
    return {
        "disputes": db.session.scalar(select(func.count(Dispute.id))),
        "runs": RUNS,
        "characters": len(TYPICAL),
        "candidates": len(child_identifiers.candidate_keys(TYPICAL)),
        "typical": timed(TYPICAL, writer),
        "naming": {**timed(naming, writer), "sharing": sharing},
        "plan": plan(naming),
    }


def main():
    with create_app().app_context():
        print(json.dumps(measure()))


if __name__ == "__main__":
    main()
