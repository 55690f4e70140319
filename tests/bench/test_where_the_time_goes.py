"""The benchmark's profile (bench/profiling.py): each py-spy sample is placed by its stack in
SQL, ORM, templates or the rest, samples between requests are left out, and the app's functions
holding most samples are named."""

import pytest

from bench import profiling

# py-spy's raw lines, outermost frame first, as it writes them for a gunicorn sync worker.
WORKER = ("<module> (gunicorn:6);Arbiter.run (gunicorn/arbiter.py:247);"
          "SyncWorker.run (gunicorn/workers/sync.py:132);"
          "SyncWorker.run_for_one (gunicorn/workers/sync.py:68)")
REQUEST = (f"{WORKER};SyncWorker.accept (gunicorn/workers/sync.py:30);"
           "SyncWorker.handle (gunicorn/workers/sync.py:141);"
           "SyncWorker.handle_request (gunicorn/workers/sync.py:184);"
           "Flask.wsgi_app (flask/app.py:1511);"
           "TransactionalFlask.full_dispatch_request (moderation/web/boundary.py:104);"
           "Flask.dispatch_request (flask/app.py:902);show (moderation/panels/views.py:120)")
TEMPLATE = (f"{REQUEST};render_template (flask/templating.py:151);"
            "Template.render (jinja2/environment.py:1293);root (session.html:41);"
            "block_main_content (session.html:120)")
LAZY_LOAD = ("Environment.getattr (jinja2/environment.py:490);"
             "InstrumentedAttribute.__get__ (sqlalchemy/orm/attributes.py:575);"
             "Connection._execute_context (sqlalchemy/engine/base.py:1843)")
PSYCOPG = ("DefaultDialect.do_execute (sqlalchemy/engine/default.py:1192);"
           "Cursor.execute (psycopg/cursor.py:113);Connection.wait (psycopg/connection.py:495)")


def place(*frames):
    return profiling.category(profiling.parse(";".join(frames) + " 1")[0][0])


def test_a_sample_is_placed_by_the_innermost_frame_that_belongs_somewhere():
    assert place(REQUEST, "Query.all (sqlalchemy/orm/query.py:2700)") == "ORM"
    assert place(REQUEST, PSYCOPG) == "SQL"
    assert place(TEMPLATE) == "templates"
    assert place(TEMPLATE, "escape (markupsafe/__init__.py:40)") == "templates"
    assert place(TEMPLATE, LAZY_LOAD) == "ORM"
    assert place(TEMPLATE, LAZY_LOAD, PSYCOPG) == "SQL"
    # The app's own Python called from a template is the app's; a library's is its caller's.
    assert place(TEMPLATE, "template_can (moderation/web/permissions.py:159)") == "rest"
    assert place(TEMPLATE, "Flask.url_for (flask/app.py:1110)",
                 "MapAdapter.build (werkzeug/routing/map.py:899)") == "templates"
    assert place(REQUEST, "Flask.url_for (flask/app.py:1110)") == "rest"
    assert place(REQUEST, "b64encode (base64.py:58)") == "rest"


def test_sqlites_driver_is_seen_as_the_sqlalchemy_frame_that_calls_it():
    """sqlite3 is C, which py-spy does not see: SQLAlchemy's call into it, with nothing under it,
    is the driver's time; the same frame calling Python of its own is not."""
    execute = "SQLiteDialect.do_execute (sqlalchemy/engine/default.py:1192)"
    fetch = "CursorFetchStrategy.fetchall (sqlalchemy/engine/cursor.py:1315)"
    assert place(REQUEST, execute) == "SQL"
    assert place(REQUEST, fetch) == "SQL"
    assert place(REQUEST, execute, "_CompoundListener.__call__ (sqlalchemy/event/attr.py:513)") \
        == "ORM"
    assert place(REQUEST, "Session.execute (sqlalchemy/orm/session.py:2300)") == "ORM"


def test_a_worker_between_requests_is_left_out_and_a_cut_off_stack_still_counts():
    assert place(WORKER, "wait (gunicorn/workers/sync.py:36)") is None
    assert place(WORKER, "Worker.notify (gunicorn/workers/base.py:78)") is None
    # --nonblocking: a stack read while the worker runs may lose its outer frames.
    assert place("Connection._exec_single_context (sqlalchemy/engine/base.py:2000)") == "ORM"


def test_shares_count_only_samples_taken_in_a_request():
    raw = "\n".join([f"{REQUEST};{PSYCOPG} 30", f"{TEMPLATE} 50", f"{REQUEST} 20",
                     f"{WORKER};wait (gunicorn/workers/sync.py:36) 100", "not a sample"])
    counts = profiling.classify(profiling.parse(raw))
    assert counts == {"SQL": 30, "ORM": 0, "templates": 50, "rest": 20, "between requests": 100}
    assert profiling.shares(counts) == {"SQL": 30, "ORM": 0, "templates": 50, "rest": 20}
    assert profiling.shares(profiling.classify([])) == dict.fromkeys(profiling.CATEGORIES, 0)


def test_the_top_functions_hold_their_callees_samples_and_leave_out_the_boundary():
    service = "agenda_of (moderation/panels/agenda.py:40)"
    raw = "\n".join([f"{REQUEST};{service};{PSYCOPG} 30", f"{TEMPLATE} 50",
                     f"{REQUEST};{service};helper.<locals>.<listcomp> "
                     "(moderation/panels/agenda.py:50) 20",
                     f"{WORKER};wait (gunicorn/workers/sync.py:36) 100"])
    top = profiling.top_functions(profiling.parse(raw))
    assert top == [("show (moderation/panels/views.py)", 100.0),
                   ("agenda_of (moderation/panels/agenda.py)", 50.0)]


def test_without_py_spy_or_leave_to_sample_the_profile_says_why(tmp_path, monkeypatch):
    if profiling.available():  # py-spy refuses a process that is not there
        with pytest.raises(profiling.Unavailable, match="py-spy failed"):
            profiling.record(2**22 + 1, 1, tmp_path / "raw.txt")
    monkeypatch.setattr(profiling, "available", lambda: None)
    with pytest.raises(profiling.Unavailable, match="make install-dev"):
        profiling.record(1, 1, tmp_path / "raw.txt")
