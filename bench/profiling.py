"""Where a page's time goes, for bench/run.py: py-spy samples one gunicorn worker while wrk loads
the page, and each sample is put in one of four places by its stack:

- SQL: the database driver (psycopg's frames; for sqlite3, a C module py-spy cannot see into,
  the SQLAlchemy frame that calls the driver's execute or fetch with nothing under it);
- ORM: SQLAlchemy's own work (building and compiling statements, loading rows into objects,
  lazy loads, the unit of work);
- templates: Jinja and the templates' own code (and MarkupSafe's escaping);
- rest: Flask, Werkzeug, the app's own Python, and gunicorn reading the request and writing
  the response (its waits on the socket included: wrk shares the CPUs).

The innermost frame that belongs to one of them decides, so a template calling an app function
that lazy-loads counts as ORM (and the driver under it as SQL), and an app function called from
a template counts as the app's (rest). Frames of the standard library and other packages
(MarkupSafe apart) belong to whoever called them. Samples of the worker waiting for its next
request are left out. py-spy runs with --idle, so time spent waiting for the database's answer
counts (as SQL), and --nonblocking, so the worker is not paused: a few stacks come back cut off
at the outer end, and are classified by what they hold.
"""

import shutil
import subprocess
from collections import Counter
from pathlib import Path

CATEGORIES = ("SQL", "ORM", "templates", "rest")
RATE = 200  # samples a second
APP = ("moderation/", "bench/")
DRIVERS = ("psycopg/", "psycopg_binary/", "psycopg_pool/", "sqlite3/")
TEMPLATE_PACKAGES = ("jinja2/", "markupsafe/")
TEMPLATE_FILES = (".html", ".txt", ".xml", ".ics")
# SQLAlchemy's calls into the driver: with nothing under them, the time is the driver's.
DRIVER_CALLS = {
    "sqlalchemy/engine/default.py": {"do_execute", "do_executemany", "do_execute_no_params",
                                     "do_commit", "do_rollback", "do_close", "do_ping",
                                     "connect"},
    "sqlalchemy/engine/cursor.py": {"fetchone", "fetchmany", "fetchall", "_buffer_rows"},
}
# A request is in hand from gunicorn's handle() on; outside it, the worker waits for one.
IN_REQUEST = "SyncWorker.handle"
WORKER_LOOP = "SyncWorker.run"
# The transaction boundary wraps every request's whole dispatch: as a "top function" it says
# nothing, so the ranking leaves it out; and a comprehension or lambda is part of its function.
WRAPPERS = ("moderation/web/boundary.py",)
PARTS = ("<listcomp>", "<genexpr>", "<dictcomp>", "<setcomp>", "<lambda>")


def available():
    return shutil.which("py-spy") or _beside_python()


def _beside_python():
    import sys

    candidate = Path(sys.executable).parent / "py-spy"
    return str(candidate) if candidate.exists() else None


class Unavailable(Exception):
    """py-spy could not sample (not installed, or not allowed to read another process)."""


def record(pid, seconds, output, rate=RATE):
    """py-spy's raw samples of process `pid` over `seconds`, written to `output`; its text."""
    if not available():
        raise Unavailable("py-spy is not installed (`make install-dev` installs it)")
    completed = subprocess.run(
        [available(), "record", "--pid", str(pid), "--format", "raw", "--rate", str(rate),
         "--duration", str(seconds), "--nonblocking", "--idle", "--output", str(output)],
        capture_output=True, text=True)
    if completed.returncode:
        said = (completed.stderr.strip().splitlines() or ["no message"])[-1]
        raise Unavailable(f"py-spy failed: {said}")
    return Path(output).read_text()


def parse(raw):
    """py-spy's raw (collapsed) lines, outermost frame first, as [(frames, count)], each frame
    as (function, file)."""
    samples = []
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples.append(([_frame(f) for f in stack.split(";")], int(count)))
    return samples


def _frame(text):
    """'Class.method (package/module.py:123)' as ('Class.method', 'package/module.py')."""
    function, _, place = text.rpartition(" (")
    if not function:
        return text, ""
    return function, place.rstrip(")").rpartition(":")[0]


def category(frames):
    """SQL, ORM, templates or rest for one stack; None for a worker between requests."""
    names = [function for function, _ in frames]
    if any(name.startswith(WORKER_LOOP) for name in names) and \
            not any(name.startswith(IN_REQUEST) for name in names):
        return None
    for depth, (function, file) in enumerate(reversed(frames)):
        if file.startswith(DRIVERS):
            return "SQL"
        if file.startswith("sqlalchemy/"):
            leaf = depth == 0 and function.rpartition(".")[2] in DRIVER_CALLS.get(file, ())
            return "SQL" if leaf else "ORM"
        if file.startswith(TEMPLATE_PACKAGES) or file.endswith(TEMPLATE_FILES):
            return "templates"
        if file.startswith(APP):
            return "rest"
    return "rest"


def classify(samples):
    """Samples counted by place: {category: count}, plus "between requests"."""
    counts = Counter(dict.fromkeys(CATEGORIES, 0))
    for frames, count in samples:
        counts[category(frames) or "between requests"] += count
    return counts


def shares(counts):
    """Each place's share of the samples taken in a request, in %."""
    in_requests = sum(counts[name] for name in CATEGORIES)
    return {name: 100 * counts[name] / in_requests if in_requests else 0.0
            for name in CATEGORIES}


def top_functions(samples, count=3):
    """The app's functions holding most samples, their own and their callees' (each counted
    once a stack), as [(function (file), % of the samples in a request)]."""
    held, in_requests = Counter(), 0
    for frames, n in samples:
        if category(frames) is None:
            continue
        in_requests += n
        for function, file in {(f, p) for f, p in frames if p.startswith(APP)
                               and not p.startswith(WRAPPERS) and not f.endswith(PARTS)}:
            held[f"{function} ({file})"] += n
    return [(name, 100 * n / in_requests) for name, n in held.most_common(count)]
