"""Two app instances, one PostgreSQL and one Redis (issue #27): nothing may depend on which
instance answers (DESIGN.md §2). Called by bench/run.py for PostgreSQL:

    lines = instances.run(url, workdir, duration, connections)

Two gunicorn masters (one worker each) on two free ports, with the same environment: the same
database, the same Redis database (its own number, emptied first and last) and the same
SECRET_KEY, as two hosts behind a load balancer would have. Each check is what a person would do
over HTTP, through one instance, then seen through the other:

- a lock-out: the sign-in of one account refused until it is locked out through instance 1,
  then the right password through instance 2 is refused as locked out (the counts are in Redis:
  emptying its database afterwards ends the lock-out);
- a figure: the partnership manager's dashboard counted on instance 1 is served by instance 2
  with the same "counted at" time and fewer SQL queries (from the shared cache);
- a session: the cookie signed in on instance 1 is signed in on instance 2; signed out on
  instance 2, the same cookie sent to instance 1 is refused (the user's session token rotates);
- a setting: the partnership manager (the only role that may) changes a retention rule through
  its form on instance 1, instance 2's schedule shows it; it is set back through instance 2 and
  instance 1 shows that.

Then the dispute page under load spread over both instances at once, beside instance 1 alone
and beside one instance with two workers (the same workers as the two instances), with the same
connections in all: on one machine two instances can add no more than a second worker does.
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from html import unescape
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from typing import NamedTuple
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

# The module, not its names: bench/run.py may import this module at its top.
from bench import run as bench_run

REDIS_URL = os.environ.get("MODERATION_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
LOCKED_OUT_ACCOUNT = "police.deputy@demo.example.org"  # no other check or page signs in as it
# Signing out ends every session of the account: one no other check or page signs in as.
SESSION_ACCOUNT = "health.rep@demo.example.org"
SIGNED_IN_PAGE = "/account/password"  # a page for anyone signed in
MANAGER_ACCOUNT = "partnership.manager@demo.example.org"
LOAD_ACCOUNT = "csc.manager@demo.example.org"
SETTING_KIND = "notifications"  # a retention rule with a period of its own, in months
LOCKED_OUT_WORDS = "You have tried to sign in too many times"  # auth/views.py's message
WRONG_PASSWORD = "not-the-password-2026"


def run(url, workdir, duration, connections):
    """The markdown section: the four checks' table, then the load table."""
    print("   two instances", flush=True)
    redis_client = _redis()
    if redis_client is None:
        return ["## Two instances", "", f"Not run: Redis does not answer at {REDIS_URL}.", ""]
    redis_client.flushdb()  # no lock-out or figure left from an earlier run
    # One key for both, as every host of a deployment has; made afresh for each run.
    environment = bench_run._env(url, REDIS_URL=REDIS_URL, SECRET_KEY=secrets.token_urlsafe(48),
                                 FIGURES_MAX_AGE_SECONDS="300")
    try:
        with ExitStack() as stack:
            first = stack.enter_context(_Instance(environment, workdir, 1))
            second = stack.enter_context(_Instance(environment, workdir, 2))
            checks = [(name, _made(check, first, second)) for name, check in CHECKS]
            load = _load(first, second, bench_run._targets(url), duration, connections)
        # The same two workers in one instance: what two instances are measured against.
        with _Instance(environment, workdir, 3, workers=2) as single:
            load["two_workers"] = _alone(single, load, duration, 2 * connections)
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        # Reported in the section rather than raised: the rest of the benchmark still stands.
        print(f"   two instances: {error}", file=sys.stderr, flush=True)
        return [*_introduction(), f"**Not finished**: {error} (the instances' logs: "
                f"{workdir}/instance-*.log).", ""]
    finally:
        redis_client.flushdb()  # ends the lock-out
    return _section(checks, load, connections)


def _made(check, first, second):
    """The check's row; a check that could not be made is a row that does not hold."""
    try:
        return check(first, second)
    except Exception as error:  # noqa: BLE001 - reported in the table, with what went wrong
        return Seen(f"could not be made: {error!r}", "", False)


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError:
        return None
    return client


# The instances --------------------------------------------------------------------------------

class _Instance:
    """One gunicorn master (one worker unless told) on a free local port, for as long as the
    block runs."""

    def __init__(self, environment, workdir, number, workers=1):
        self.environment, self.number, self.workers = environment, number, workers
        self.log = workdir / f"instance-{number}.log"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [bench_run.BIN / "gunicorn", "--workers", str(self.workers),
                 "--bind", f"127.0.0.1:{self.port}",
                 "--log-level", "warning", "bench.wsgi:app"],
                cwd=bench_run.ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(150):
            if self.process.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"gunicorn instance {self.number} did not start: see {self.log}")

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# A person at a browser ------------------------------------------------------------------------

class Answer(NamedTuple):
    status: int
    location: str
    body: str
    queries: int


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


class _Person:
    """One browser: its cookies go to whichever instance it asks, as behind a load balancer
    (cookies belong to the host, not the port)."""

    def __init__(self):
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar), _NoRedirects)

    def get(self, instance, path):
        return self._open(Request(instance.base + path))

    def post(self, instance, path, fields):
        return self._open(Request(instance.base + path, data=urlencode(fields).encode()))

    def submit(self, instance, path, changes=None):
        """The form on `path` sent back as it was filled in, with `changes`."""
        fields = form_fields(self.get(instance, path).body)
        return self.post(instance, path, {**fields, **(changes or {})})

    def sign_in(self, instance, email, password=None):
        return self.submit(instance, "/sign-in", {"email": email,
                                                   "password": password or bench_run.PASSWORD})

    def cookie(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def _open(self, request):
        try:
            response = self.opener.open(request, timeout=120)
        except HTTPError as refused:  # 3xx (not followed), 4xx, 5xx: still an answer
            response = refused
        return Answer(response.status, response.headers.get("Location", ""),
                      response.read().decode(), int(response.headers.get("X-Query-Count", 0)))


def _with_cookie(instance, path, cookie):
    """`path` asked of `instance` with a cookie copied from elsewhere."""
    opener = build_opener(_NoRedirects)
    try:
        response = opener.open(Request(instance.base + path, headers={"Cookie": cookie}),
                               timeout=120)
    except HTTPError as refused:
        response = refused
    return Answer(response.status, response.headers.get("Location", ""),
                  response.read().decode(), 0)


# Reading pages (pure: tests/bench/test_instances.py) ------------------------------------------

class _FormFields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields, self._textarea = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "button"):
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def form_fields(page):
    """The fields of the page's main form (the last one: the header's sign-out form comes
    first), as filled in: inputs and text areas, not the buttons."""
    forms = re.findall(r"<form\b.*?</form>", page, flags=re.S)
    if not forms:
        raise ValueError("The page has no form")
    reader = _FormFields()
    reader.feed(forms[-1])
    # A text area's first newline belongs to the markup, not to the text (HTML's rule).
    return {name: value.removeprefix("\n") for name, value in reader.fields.items()}


def csrf_token(page):
    """The page's CSRF token (every signed-in page has one, in the header's sign-out form)."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return found.group(1) if found else None


def counted_at(page):
    """The dashboard's "Counted at 8 December 2026, 1:05am" time, as shown."""
    found = re.search(r"Counted at ([^;<]+);", page)
    return unescape(found.group(1)).strip() if found else None


def summary_value(page, card_id, key):
    """The value beside `key` in the summary card with id `card_id`, as text."""
    card = re.search(rf'id="{re.escape(card_id)}".*?(?=id="rule-|</main>|\Z)', page, flags=re.S)
    if card is None:
        return None
    row = re.search(rf'__key">\s*{re.escape(key)}\s*</dt>\s*<dd class="govuk-summary-list__value">'
                    r"(.*?)</dd>", card.group(0), flags=re.S)
    return unescape(re.sub(r"<[^>]+>|\s+", " ", row.group(1))).strip() if row else None


def is_signed_in(answer):
    return answer.status == 200


def sent_to_sign_in(answer):
    return answer.status in (302, 303) and "/sign-in" in answer.location


# The checks -----------------------------------------------------------------------------------

class Seen(NamedTuple):
    through_first: str
    seen_on_second: str
    holds: bool


def _lock_out(first, second):
    person = _Person()
    refusals = 0
    while refusals < 20:
        answer = person.sign_in(first, LOCKED_OUT_ACCOUNT, WRONG_PASSWORD)
        if answer.status == 429:
            break
        refusals += 1
    locked = answer.status == 429 and LOCKED_OUT_WORDS in answer.body
    right = _Person().sign_in(second, LOCKED_OUT_ACCOUNT)
    refused = right.status == 429 and LOCKED_OUT_WORDS in right.body
    return Seen(
        f"{refusals} wrong passwords for {LOCKED_OUT_ACCOUNT}, then "
        + ("locked out (429)" if locked else f"not locked out ({answer.status})"),
        "the right password: " + ("refused as locked out (429)" if refused else
                                  f"not refused ({right.status})"),
        locked and refused)


def _figure(first, second):
    person = _Person()
    person.sign_in(first, MANAGER_ACCOUNT)
    counted = person.get(first, "/partnership")
    served = person.get(second, "/partnership")
    first_time, second_time = counted_at(counted.body), counted_at(served.body)
    # Fewer queries as well as the same time: two workers counting within the same minute
    # would show the same time too.
    holds = (counted.status == served.status == 200 and first_time is not None
             and first_time == second_time and served.queries < counted.queries)
    return Seen(
        _counted(counted, first_time),
        _counted(served, second_time) + (": from the shared cache" if holds else ""),
        holds)


def _counted(answer, time_shown):
    if time_shown is None:
        return f"no time shown (answered {answer.status})"
    return f"counted at {time_shown} ({answer.queries} SQL queries)"


def _session(first, second):
    person = _Person()
    person.sign_in(first, SESSION_ACCOUNT)
    cookie = person.cookie()
    there = person.get(second, SIGNED_IN_PAGE)
    person.post(second, "/sign-out", {"csrf_token": csrf_token(there.body)})
    back = _with_cookie(first, SIGNED_IN_PAGE, cookie)  # the cookie from before signing out
    return Seen(
        f"signed in as {SESSION_ACCOUNT}; the same cookie on instance 2 then signs out",
        f"`{SIGNED_IN_PAGE}` answers {there.status}"
        + "; after signing out on instance 2, the old cookie on instance 1 is "
        + ("sent to sign in (the user's session token changed)" if sent_to_sign_in(back)
           else f"still answered ({back.status})"),
        is_signed_in(there) and sent_to_sign_in(back))


def _setting(first, second):
    person = _Person()
    person.sign_in(first, MANAGER_ACCOUNT)
    path, card = f"/retention/{SETTING_KIND}", f"rule-{SETTING_KIND}"
    before = summary_value(person.get(second, "/retention").body, card, "Kept for")
    keep_for = int(form_fields(person.get(first, path).body)["keep_for"])
    changed = person.submit(first, path, {"keep_for": str(keep_for + 1)})
    seen = summary_value(person.get(second, "/retention").body, card, "Kept for")
    # Back as it was, this time through instance 2, read on instance 1.
    reverted = person.submit(second, path, {"keep_for": str(keep_for)})
    after = summary_value(person.get(first, "/retention").body, card, "Kept for")
    holds = (changed.status == reverted.status == 302 and seen != before and after == before
             and seen is not None and str(keep_for + 1) in seen)
    return Seen(
        f"the partnership manager changes \"Kept for\" from {before} to {keep_for + 1} months",
        f"the schedule shows {seen}; set back through instance 2, instance 1 shows {after}",
        holds)


CHECKS = (("A lock-out", _lock_out), ("A figure: the dashboard `/partnership`", _figure),
          ("A session: signed in, then signed out", _session),
          ("A setting: the retention rule for notifications", _setting))


# Load over both -------------------------------------------------------------------------------

def _load(first, second, targets, duration, connections):
    """The dispute page signed in as the CSC manager (one cookie for both instances): instance 1
    alone with twice the connections, then both at once with `connections` each."""
    person = _Person()
    person.sign_in(first, LOAD_ACCOUNT)
    load = {"cookie": person.cookie(), "path": f"/disputes/{targets['dispute']}",
            "load_average": os.getloadavg()[0]}  # anything else running shares the CPUs too
    for instance in (first, second):
        _warm(instance, load, connections)
    load["alone"] = bench_run._wrk(first.base + load["path"], load["cookie"], duration,
                                   2 * connections)
    with ThreadPoolExecutor(2) as pool:  # the two wrk processes at once
        load["both"] = list(pool.map(
            lambda instance: bench_run._wrk(instance.base + load["path"], load["cookie"],
                                            duration, connections),
            (first, second)))
    return load


def _alone(instance, load, duration, connections):
    _warm(instance, load, connections)
    return bench_run._wrk(instance.base + load["path"], load["cookie"], duration, connections)


def _warm(instance, load, connections):
    """The page answers 200 (a redirect to sign in would look fast under load), then 2 s of
    load so that the measure starts with the workers warm."""
    answer = _with_cookie(instance, load["path"], load["cookie"])
    if answer.status != 200:
        raise RuntimeError(f"{instance.base}{load['path']} answered {answer.status}")
    bench_run._wrk(instance.base + load["path"], load["cookie"], 2, connections)


# The section ----------------------------------------------------------------------------------

def _introduction():
    return ["## Two instances", "",
            "Two gunicorn masters with one worker each, on two ports, share one PostgreSQL and "
            f"one Redis (`{REDIS_URL}`, emptied before and after) and the same SECRET_KEY. "
            "Each check is made over HTTP as a person would, through instance 1, and looked at "
            "through instance 2.", ""]


def _section(checks, load, connections):
    cpus = os.cpu_count()
    lines = [*_introduction(), "| check | through instance 1 | seen on instance 2 | holds |",
             "| --- | --- | --- | --- |"]
    for name, seen in checks:
        lines.append(f"| {name} | {seen.through_first} | {seen.seen_on_second} | "
                     f"{'yes' if seen.holds else '**no**'} |")
    alone, both, two_workers = load["alone"], load["both"], load["two_workers"]
    lines += ["", f"The dispute page `{load['path']}` (CSC manager, one cookie for every "
              f"instance) under {2 * connections} connections in all, for the same time each:",
              "", "| served by | workers | connections | requests/s | p95 (ms) |",
              "| --- | ---: | ---: | ---: | --- |",
              f"| instance 1 alone | 1 | {2 * connections} | {alone['per_second']:.0f} | "
              f"{_ms(alone)} |",
              f"| instances 1 and 2 at once | 1 + 1 | {connections} + {connections} | "
              f"{sum(row['per_second'] for row in both):.0f} | {_ms(both[0])} and "
              f"{_ms(both[1])} |",
              f"| one instance with two workers | 2 | {2 * connections} | "
              f"{two_workers['per_second']:.0f} | {_ms(two_workers)} |", ""]
    shared = (f"This machine has {cpus} CPUs (load average {load['load_average']:.1f} before "
              "the load), shared by every instance, PostgreSQL, Redis and wrk")
    if cpus is not None and cpus <= 2:
        shared += (": two instances add no capacity here beyond what a second worker in one "
                   "instance adds, hence the figures side by side. On separate hosts each "
                   "instance brings CPUs of its own")
    return lines + [shared + ".", ""]


def _ms(result):
    return f"{result['p95'] / 1000:.1f}"
