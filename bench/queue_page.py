"""The panel queue page: queries per page and latency, with the demo data and 1,000 more queued
disputes, on a throw-away SQLite file. Run from the repository root:

    .venv/bin/python bench/queue_page.py

The query count must not change with the number of rows; the times are the test client's
(no network), 30 requests each.
"""

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from moderation import create_app, demo
from moderation.config import TestConfig
from moderation.disputes import escalating, raising
from moderation.extensions import db
from moderation.models import Dispute, User

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.conftest import dispute_answers

DATABASE = Path(tempfile.mkdtemp()) / "queue.sqlite3"
cfg = type(
    "C",
    (TestConfig,),
    {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{DATABASE}", "WTF_CSRF_ENABLED": False},
)
app = create_app(cfg)
with app.app_context():
    upgrade()
    demo.load()
    db.session.commit()
    referrer = db.session.scalar(sa.select(User).where(User.email == "referrer@demo.example.org"))


def add(n):
    with app.app_context():
        ref = db.session.get(User, referrer.id)
        for i in range(n):
            d = raising.raise_dispute(
                ref,
                dispute_answers(child_name=f"Child {i}", level_of_need=1 + i % 4),
                on=date(2026, 11, 9),
            )
            escalating.escalate(d, ref, to_position=4, skip_reason="bench", on=date(2026, 11, 23))
        db.session.commit()


def count_queries(client, url):
    queries = []

    def note(*args):
        queries.append(1)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    client.get(url)
    sa.event.remove(engine, "before_cursor_execute", note)
    return len(queries)


def timings(client, url, requests=30):
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def measure(label):
    client = app.test_client()
    client.post(
        "/sign-in", data={"email": "chair@demo.example.org", "password": demo.DEMO_PASSWORD}
    )
    queries = count_queries(client, "/queue")
    times = timings(client, "/queue")
    with app.app_context():
        queued = db.session.scalar(
            sa.select(sa.func.count(Dispute.id)).where(Dispute.status == "queued")
        )
    p95 = times[int(0.95 * len(times)) - 1]
    print(
        f"{label}: {queued} queued, {queries} queries per page, "
        f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms"
    )


measure("demo data")
add(1000)
measure("after 1,000 more")
