"""Each SQL statement's time under load, for bench/run.py's "slowest statements" table.

Every gunicorn worker is a process of its own, so each keeps its own tally (bench/endpoints.py
times each statement from before_cursor_execute to after_cursor_execute) and writes it to a file
of its own in the folder MODERATION_BENCH_STATEMENTS_DIR names: at most once a second while it
serves, and when it exits. bench/run.py reads every file once the server has stopped and adds
them up. The tally is keyed by page (the request's path) and statement text as run; statements
are normalised (literals and bound values out, IN lists folded) only when read, so a request
pays one dictionary update per statement.
"""

import json
import os
import re
import threading
import time
from pathlib import Path

ENVIRONMENT = "MODERATION_BENCH_STATEMENTS_DIR"
LIMIT_MS = 10  # the "no statement over 10 ms"
WRITE_EVERY = 1.0  # seconds between a worker's writes of its tally
SHOWN_CHARACTERS = 160
SELECT_LIST_SHOWN = 40


class Recorder:
    """One worker's tally: {(path, statement): [calls, total seconds, max seconds]}."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.tally = {}
        self.written_at = 0.0
        self.lock = threading.Lock()  # a sync worker serves one request at a time; be safe

    def add(self, path, statement, seconds):
        with self.lock:
            row = self.tally.get((path, statement))
            if row is None:
                self.tally[(path, statement)] = [1, seconds, seconds]
            else:
                row[0] += 1
                row[1] += seconds
                row[2] = max(row[2], seconds)

    def write_now_and_then(self):
        if time.monotonic() - self.written_at >= WRITE_EVERY:
            self.write()

    def write(self):
        with self.lock:
            rows = [[path, statement, *row] for (path, statement), row in self.tally.items()]
            self.written_at = time.monotonic()
        self.folder.mkdir(parents=True, exist_ok=True)
        file = self.folder / f"worker-{os.getpid()}.json"
        partial = file.with_suffix(".partial")
        partial.write_text(json.dumps(rows))
        partial.replace(file)  # a reader never sees half a file


def read(folder):
    """Every worker's tally added up by page and normalised statement:
    {(path, normalised): {"calls", "total", "max"}} (seconds)."""
    merged = {}
    for file in sorted(Path(folder).glob("worker-*.json")):
        for path, statement, calls, total, longest in json.loads(file.read_text()):
            row = merged.setdefault((path, normalise(statement)),
                                    {"calls": 0, "total": 0.0, "max": 0.0})
            row["calls"] += calls
            row["total"] += total
            row["max"] = max(row["max"], longest)
    return merged


def slowest(merged, count=10):
    """The `count` statements slowest on average, slowest first, as
    (path, statement, calls, mean ms, max ms)."""
    rows = [(path, statement, row["calls"], row["total"] / row["calls"] * 1000,
             row["max"] * 1000) for (path, statement), row in merged.items()]
    return sorted(rows, key=lambda r: (-r[3], -r[4]))[:count]


# Normalising: the same statement whatever its values -------------------------------------------

_SPACE = re.compile(r"\s+")
_STRING = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?\b")
# psycopg's %(name)s and %s, sqlite3's ? and :name, PostgreSQL's $1
_PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|\?|(?<!:):\w+|\$\d+")
_LIST = re.compile(r"\(\s*\?(?:\s*,\s*\?)*\s*\)")
_VALUES = re.compile(r"VALUES\s*\(\.\.\.\)(?:\s*,\s*\(\.\.\.\))+", re.IGNORECASE)


def normalise(statement):
    """One line, literals and bound values as ?, a list of them as (...): so a statement run
    with different values (or an IN list of another length) is one row."""
    text = _SPACE.sub(" ", statement).strip()
    text = _STRING.sub("?", text)
    text = _PLACEHOLDER.sub("?", text)
    text = _NUMBER.sub("?", text)
    text = _LIST.sub("(...)", text)
    return _VALUES.sub("VALUES (...)", text)


def shorten(text, length=SHOWN_CHARACTERS):
    """The statement as the report shows it: a long select list cut to its first columns (what
    follows FROM says more about its cost), then the whole cut to `length`."""
    head, found, rest = text.partition(" FROM ")
    if found and head.startswith("SELECT ") and len(head) > SELECT_LIST_SHOWN:
        first = head[:SELECT_LIST_SHOWN].rpartition(", ")[0] or head[:SELECT_LIST_SHOWN]
        text = f"{first}, … FROM {rest}"
    return text if len(text) <= length else text[:length - 1] + "…"
