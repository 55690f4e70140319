"""What the benchmark (bench/run.py) needs from the served app, registered only by the
benchmark's own entry point (bench/wsgi.py): each response says how many SQL statements it ran
(X-Query-Count), and a minimal signed-in page that runs one query of its own gives the reference
a page is measured against. Neither exists in a normal deployment."""

import contextlib

from flask import Blueprint, g
from sqlalchemy import event, func, select

from moderation.extensions import db
from moderation.models import Dispute
from moderation.web import access

bp = Blueprint("bench", __name__, url_prefix="/bench")


@bp.get("/ping")
@access.signed_in
def ping():
    """Signed in (the user is loaded as on every page), then one query, then plain text."""
    return f"{db.session.scalar(select(func.max(Dispute.id)))}\n", 200, {
        "Content-Type": "text/plain"}


def register(app):
    app.register_blueprint(bp)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _count_query)
    app.after_request(_query_count_header)


def _count_query(*args):
    with contextlib.suppress(RuntimeError):  # a statement outside any request (start-up)
        g.query_count = g.get("query_count", 0) + 1


def _query_count_header(response):
    response.headers["X-Query-Count"] = str(g.get("query_count", 0))
    return response
