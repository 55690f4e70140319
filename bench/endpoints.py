"""What the benchmark (bench/run.py) needs from the served app, registered only by the
benchmark's own entry point (bench/wsgi.py): each response says how many SQL statements it ran
(X-Query-Count); two minimal signed-in pages give the references a page is measured against;
and, when MODERATION_BENCH_STATEMENTS_DIR names a folder, each statement's time is kept there
(bench/statements.py). None of it exists in a normal deployment."""

import atexit
import contextlib
import os
import time

from flask import Blueprint, g, render_template, request
from sqlalchemy import event, func, select

from bench import statements
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


@bp.get("/layout")
@access.signed_in
def layout():
    """The GOV.UK layout every page extends (base.html: header, menu, footer) with no content of
    its own, rendered as a page renders it: the floor no page of this stack can go under."""
    return render_template("base.html", title="Benchmark layout")


def register(app):
    app.register_blueprint(bp)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _count_query)
    app.after_request(_query_count_header)
    folder = os.environ.get(statements.ENVIRONMENT)
    if folder:
        recorder = app.extensions["bench_statements"] = statements.Recorder(folder)
        atexit.register(recorder.write)  # the last second's statements, as the worker stops
        _time_statements(app, recorder)


def _count_query(*args):
    with contextlib.suppress(RuntimeError):  # a statement outside any request (start-up)
        g.query_count = g.get("query_count", 0) + 1


def _query_count_header(response):
    response.headers["X-Query-Count"] = str(g.get("query_count", 0))
    return response


def _time_statements(app, recorder):
    """Each statement's time in the driver, by page, in this worker's tally."""

    def started(connection, cursor, statement, parameters, context, executemany):
        connection.info.setdefault("bench_started", []).append(time.perf_counter())

    def finished(connection, cursor, statement, parameters, context, executemany):
        took = time.perf_counter() - connection.info["bench_started"].pop()
        with contextlib.suppress(RuntimeError):  # outside any request (start-up): not a page's
            recorder.add(request.path, statement, took)

    def written(response):
        recorder.write_now_and_then()
        return response

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", started)
        event.listen(db.engine, "after_cursor_execute", finished)
    app.after_request(written)
