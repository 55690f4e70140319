"""SQL queries per page with the demo data: every page a person reads, signed in as the role
that reads it, on a throw-away SQLite file. Run from the repository root:

    .venv/bin/python bench/page_queries.py

It prints a Markdown table (page, role, queries). The addresses are written out, not built from
endpoint names, so that the same script measures an older checkout too.
"""

import re
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa
import time_machine
from flask_migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation import create_app, demo  # noqa: E402
from moderation.config import TestConfig  # noqa: E402
from moderation.extensions import db  # noqa: E402
from moderation.models import Action, AgendaItem, Dispute, PanelSession, SessionStatus  # noqa: E402

PASSWORD = "demo-password-2026"


def _app():
    database = Path(tempfile.mkdtemp()) / "pages.sqlite3"
    config = type("C", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                                       "WTF_CSRF_ENABLED": False})
    app = create_app(config)
    with app.app_context():
        upgrade()
        demo.load()
        db.session.commit()
    return app


def _records(app):
    with app.app_context():
        first = lambda query: db.session.scalar(query.limit(1))  # noqa: E731
        frozen = first(sa.select(PanelSession).where(
            PanelSession.status == SessionStatus.AGENDA_FROZEN).order_by(PanelSession.held_on))
        past = first(sa.select(PanelSession).where(PanelSession.status.in_(
            [SessionStatus.MINUTES_DRAFT, SessionStatus.MINUTES_APPROVED]))
            .order_by(PanelSession.held_on.desc()))
        return {
            "frozen": frozen.id, "frozen_day": frozen.held_on,
            "past": past.id,
            "item": first(sa.select(AgendaItem.id).where(AgendaItem.session_id == frozen.id)
                          .order_by(AgendaItem.position)),
            "past_item": first(sa.select(AgendaItem.id).where(AgendaItem.session_id == past.id)
                               .order_by(AgendaItem.position)),
            "dispute": first(sa.select(Dispute.id).order_by(Dispute.id)),
            "action": first(sa.select(Action.id).order_by(Action.id)),
        }


def _pages(r):
    s, p = r["frozen"], r["past"]
    return [
        ("referrer@demo.example.org", "home (referrer)", "/referrer"),
        ("referrer@demo.example.org", "dispute page", f"/disputes/{r['dispute']}"),
        ("csc.manager@demo.example.org", "home (CSC manager)", "/csc"),
        ("csc.manager@demo.example.org", "confirm CSC's decision",
         f"/disputes/{r['dispute']}/confirm"),
        ("chair@demo.example.org", "home (chair)", "/chair"),
        ("chair@demo.example.org", "panel queue", "/queue"),
        ("chair@demo.example.org", "schedule", "/sessions/"),
        ("chair@demo.example.org", "session page", f"/sessions/{s}"),
        ("chair@demo.example.org", "agenda", f"/sessions/{s}/agenda"),
        ("chair@demo.example.org", "papers", f"/sessions/{s}/papers/{r['item']}"),
        ("chair@demo.example.org", "chair's notes", f"/sessions/{s}/items/{r['item']}/notes"),
        ("chair@demo.example.org", "guests", f"/sessions/{s}/items/{r['item']}/guests"),
        ("chair@demo.example.org", "agenda (PDF)", f"/sessions/{s}/agenda.pdf"),
        ("panel.member@demo.example.org", "papers pack (PDF)", f"/sessions/{s}/papers.pdf"),
        ("chair@demo.example.org", "meeting page", f"/sessions/{s}/meeting"),
        ("chair@demo.example.org", "meeting item", f"/sessions/{s}/items/{r['item']}"),
        ("chair@demo.example.org", "meeting record", f"/sessions/{p}/meeting"),
        ("chair@demo.example.org", "decided item", f"/sessions/{p}/items/{r['past_item']}"),
        ("chair@demo.example.org", "minutes", f"/sessions/{p}/minutes"),
        ("chair@demo.example.org", "session's actions", f"/sessions/{p}/actions"),
        ("chair@demo.example.org", "actions", "/actions"),
        ("chair@demo.example.org", "panel membership", "/sessions/members"),
        ("panel.member@demo.example.org", "home (panel member)", "/panel"),
        ("panel.member@demo.example.org", "notifications", "/notifications/"),
        ("partnership.manager@demo.example.org", "dashboard", "/partnership"),
        ("partnership.manager@demo.example.org", "outcomes list",
         "/outcomes/disputes?start=2025-01-01&end=2027-12-31"),
        ("partnership.manager@demo.example.org", "learning summaries", "/outcomes/summaries"),
        ("admin@demo.example.org", "users", "/admin/users"),
        ("admin@demo.example.org", "audit log", "/admin/audit"),
        ("admin@demo.example.org", "outbox", "/admin/outbox"),
        ("partnership.manager@demo.example.org", "retention schedule", "/retention"),
        ("partnership.manager@demo.example.org", "change a rule", "/retention/disputes"),
        ("partnership.manager@demo.example.org", "retention runs", "/retention/runs"),
        ("partnership.manager@demo.example.org", "due now", "/retention/due"),
        ("partnership.manager@demo.example.org", "legal holds", "/retention/holds"),
        ("partnership.manager@demo.example.org", "hold a dispute",
         f"/disputes/{r['dispute']}/hold"),
        ("dpo@demo.example.org", "home (data protection officer)", "/data-protection"),
        ("dpo@demo.example.org", "subject access", "/subject-access"),
    ]


def _count(app, client, path):
    with app.app_context():
        engine = db.engine
    queries = []

    def note(conn, cursor, statement, *args):
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK)", statement):
            queries.append(statement)

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    return response.status_code, len(queries)


def main():
    app = _app()
    records = _records(app)
    rows = []
    # On the frozen session's day, so that its meeting pages open.
    with time_machine.travel(f"{records['frozen_day']} 09:00 +0000", tick=False):
        clients = {}
        for email, name, path in _pages(records):
            client = clients.get(email)
            if client is None:
                client = clients[email] = app.test_client()
                client.post("/sign-in", data={"email": email, "password": PASSWORD})
                client.get("/")  # the first page after sign-in settles the session
            client.get(path)  # warm: the first request fills per-process caches
            status, queries = _count(app, client, path)
            rows.append(f"| {name} | {path} | {status} | {queries} |")
    print("| page | address | status | queries |\n| --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
