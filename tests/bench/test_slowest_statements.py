"""The benchmark's slowest statements (bench/statements.py): each worker's tally of statement
times by page, written to a folder of its own, added up across workers with the statements
normalised, so one statement run with other values is one row."""

from bench import endpoints, statements
from moderation import create_app
from tests.conftest import _config, sign_in, url


def test_a_statement_is_the_same_whatever_its_values():
    psycopg = ("SELECT dispute.id FROM dispute\n  WHERE dispute.id IN (%(id_1_1)s, %(id_1_2)s, "
               "%(id_1_3)s) AND dispute.reference = %(reference_1)s LIMIT %(param_1)s")
    sqlite = ("SELECT dispute.id FROM dispute WHERE dispute.id IN (?) "
              "AND dispute.reference = ? LIMIT ?")
    literals = ("SELECT dispute.id FROM dispute WHERE dispute.id IN (4, 5) "
                "AND dispute.reference = 'B-1''2' LIMIT 10")
    expected = ("SELECT dispute.id FROM dispute WHERE dispute.id IN (...) "
                "AND dispute.reference = ? LIMIT ?")
    assert {statements.normalise(s) for s in (psycopg, sqlite, literals)} == {expected}


def test_names_casts_and_many_rows_of_values_are_kept_apart_from_values():
    assert statements.normalise(
        "SELECT anon_1.count_1, t2.x FROM t2 WHERE t2.at > %(at_1)s::TIMESTAMP AND t2.n = $1"
    ) == "SELECT anon_1.count_1, t2.x FROM t2 WHERE t2.at > ?::TIMESTAMP AND t2.n = ?"
    assert statements.normalise("INSERT INTO t (a, b) VALUES (:a, :b), (:a2, :b2)") == \
        "INSERT INTO t (a, b) VALUES (...)"
    assert statements.normalise("INSERT INTO t (a, b) VALUES (?, ?)") == \
        "INSERT INTO t (a, b) VALUES (...)"


def test_long_statements_are_shortened_for_the_report_keeping_what_they_read():
    assert statements.shorten("SELECT 1") == "SELECT 1"
    statement = " ".join(["SELECT", ", ".join(f"dispute.column_{n}" for n in range(20)),
                          "FROM dispute WHERE dispute.id = ?"])
    assert statements.shorten(statement) == \
        "SELECT dispute.column_0, … FROM dispute WHERE dispute.id = ?"
    shortened = statements.shorten("UPDATE t SET " + "x = ?, " * 100, length=20)
    assert len(shortened) == 20 and shortened.endswith("…")


def test_each_worker_writes_its_own_file_and_the_reader_adds_them(tmp_path, monkeypatch):
    files = [tmp_path / "worker-1.json", tmp_path / "worker-2.json"]
    monkeypatch.setattr(statements.os, "getpid", lambda: 1)
    first = statements.Recorder(tmp_path)
    first.add("/queue", "SELECT a FROM t WHERE id = %(id_1)s", 0.002)
    first.add("/queue", "SELECT a FROM t WHERE id = %(id_2)s", 0.004)
    first.add("/csc", "SELECT b FROM t", 0.020)
    first.write()
    monkeypatch.setattr(statements.os, "getpid", lambda: 2)
    second = statements.Recorder(tmp_path)
    second.add("/queue", "SELECT a FROM t WHERE id = 7", 0.012)
    second.write()
    assert all(f.exists() for f in files)

    merged = statements.read(tmp_path)
    queue = merged[("/queue", "SELECT a FROM t WHERE id = ?")]
    assert queue["calls"] == 3 and round(queue["total"], 6) == 0.018 and queue["max"] == 0.012
    rows = statements.slowest(merged)
    assert [(path, calls) for path, _, calls, _, _ in rows] == [("/csc", 1), ("/queue", 3)]
    assert rows[0][3] == rows[0][4] == 20.0  # mean and max in ms


def test_the_benchmarks_app_times_each_statement_by_page_when_asked(
        tmp_path, monkeypatch, database_url, make_user):
    monkeypatch.setenv(statements.ENVIRONMENT, str(tmp_path))
    bench = create_app(_config(database_url))
    endpoints.register(bench)  # as bench/wsgi.py does
    client = bench.test_client()
    sign_in(client, make_user("referrer"))
    ping = url(bench, "bench.ping")
    for _ in range(3):
        assert client.get(ping).status_code == 200
    bench.extensions["bench_statements"].write()  # as it does each second and at exit
    with bench.app_context():
        from moderation.extensions import db

        db.session.remove()
        db.engine.dispose()
    merged = statements.read(tmp_path)
    on_ping = {s: row["calls"] for (path, s), row in merged.items() if path == ping}
    assert any("max(dispute.id)" in s and calls == 3 for s, calls in on_ping.items())
    assert all(path.startswith("/") for path, _ in merged)  # start-up's statements: no page's
