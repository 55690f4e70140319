"""The papers pack of a 12-item session against bare WeasyPrint on the same HTML. Run from the
repository root:

    .venv/bin/python bench/papers_pack.py [DATABASE_URL]

The pack is timed end to end as the app makes it for one member (its queries, the data, the
template, WeasyPrint), then WeasyPrint alone (web/pdf.render) renders the same final HTML; the
ratio is the application's own overhead (target: within 1.2x). Each item has CSC's record, three
stages, two additions by the referrer and three documents (one withdrawn). Times are the best of
several runs taken in turns, on a throw-away SQLite file unless a database is named (it must be
empty: the schema is created here). Prints one line.
"""

import hashlib
import random
import sys
import tempfile
from datetime import date
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from bench.reports import best, paired_best, people, queued_dispute  # noqa: E402
from moderation import create_app  # noqa: E402
from moderation.config import TestConfig  # noqa: E402
from moderation.disputes import escalating  # noqa: E402
from moderation.extensions import db  # noqa: E402
from moderation.models import (  # noqa: E402
    DisputeAddition,
    DisputeDocument,
    PanelSession,
)
from moderation.models.types import utcnow  # noqa: E402
from moderation.panels import agenda  # noqa: E402
from moderation.papers import pack  # noqa: E402
from moderation.web import pdf  # noqa: E402

ITEMS = 12
RUNS = 5


def frozen_session(chair, referrers, csc):
    held_on = date(2026, 11, 10)
    session = PanelSession(planned_on=held_on, held_on=held_on, agenda_cutoff_on=held_on,
                           starts_at=clock(10), duration_minutes=240, capacity=ITEMS,
                           cutoff_working_days=5, place="Council House")
    db.session.add(session)
    for n in range(ITEMS):
        referrer = referrers[n]
        dispute = queued_dispute(referrer, date(2026, 9, 1), 20_000 + n)
        dispute.csc_rationale = "CSC's rationale for its decision, at some length. " * 6
        dispute.csc_decision_maker_id = csc.id
        dispute.csc_authorising_manager_name = "Alex Authoriser"
        dispute.csc_told_referrer_on, dispute.csc_told_referrer_how = date(2026, 8, 28), "phone"
        escalating.escalate(dispute, referrer, to_position=4, skip_reason="bench",
                            on=date(2026, 9, 8))
        for stage in (2, None):
            db.session.add(DisputeAddition(dispute=dispute, author_id=referrer.id,
                                           stage_position=stage,
                                           text="New information from the referrer. " * 10))
        for k in range(3):
            content = f"document {n}-{k} ".encode() * 200
            db.session.add(DisputeDocument(
                dispute=dispute, document_type="chronology", filename=f"chronology-{k}.pdf",
                file_kind="pdf", media_type="application/pdf", size=len(content),
                sha256=hashlib.sha256(content).hexdigest(), content=content,
                added_by_id=referrer.id, withdrawn_at=utcnow() if k == 2 else None,
                withdrawn_by_id=referrer.id if k == 2 else None,
                withdrawal_reason="Superseded" if k == 2 else None))
    db.session.flush()
    agenda.fill_from_queue(session, chair)
    agenda.freeze(session, chair)
    return session


def measure(database_uri):
    """(app seconds, bare WeasyPrint seconds, seconds building the HTML)."""
    random.seed(7)
    app = create_app(type("Bench", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_uri}))
    with app.app_context():
        upgrade()
        chair, reps, referrers, _ = people()
        csc = referrers[-1]
        session = frozen_session(chair, referrers, csc)
        db.session.commit()
        session_id, reader = session.id, reps[0]

        def whole():
            db.session.expire_all()  # the app reads the rows afresh, as each request does
            return pack.pack_pdf(pack.load(session_id), reader)

        def html():
            db.session.expire_all()
            return pack.pack_html(pack.pack_data(pack.load(session_id), reader))

        with app.test_request_context():
            final = html()
            app_s, bare_s = paired_best(whole, lambda: pdf.render(final), RUNS)
            html_s = best(html, RUNS)
        db.session.remove()
        db.engine.dispose()
    return app_s, bare_s, html_s


def main():
    database = sys.argv[1] if len(sys.argv) > 1 else \
        f"sqlite:///{Path(tempfile.mkdtemp()) / 'papers_pack.sqlite3'}"
    app_s, bare_s, html_s = measure(database)
    print(f"Papers pack, {ITEMS} items: app {app_s:.3f}s, bare WeasyPrint {bare_s:.3f}s, "
          f"ratio {app_s / bare_s:.2f}x (target 1.20x), building the HTML {html_s:.3f}s")


if __name__ == "__main__":
    main()
