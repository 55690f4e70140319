"""Plain helpers every test module may import (fixtures live in tests/conftest.py).

A test asks for pages through `ClientRequest` (the `client_request` fixture): one call per
request, by endpoint name, checking the status and that the page's title starts with "Error: "
exactly when it shows an error summary. `url`, `post` and `page` remain for modules not yet
written that way. No test module imports from another: what two modules share lives here.
"""

import re
import secrets
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import url_for
from itsdangerous import URLSafeTimedSerializer

from moderation.outcomes.figures import Period

# Requests -------------------------------------------------------------------------------------


def csrf_token(client):
    """A CSRF token for the client's session, as the page's form would carry it.

    Made the way Flask-WTF's `generate_csrf` makes it (the session keeps a random value; the
    form carries it signed), not read from a page: fetching a page before every POST was a
    fifth of the suite's time. Tests of the protection itself post without a token or with a
    wrong one, and every other POST fails if this drifts from Flask-WTF."""
    app = client.application
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", secrets.token_hex(20))
    signer = URLSafeTimedSerializer(app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key,
                                    salt="wtf-csrf-token")
    return signer.dumps(raw)


def url(app, endpoint, **values):
    """The address of `endpoint` (tests name endpoints, not paths): `url(app, "meeting.show",
    session_id=3)`; `app` may also be a test client."""
    app = getattr(app, "application", app)
    with app.test_request_context():
        return url_for(endpoint, **values)


def post(client, url, data=None, **kwargs):
    """POST a form with a valid CSRF token, like a browser submitting the page's form."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(url, data=data, **kwargs)


def sign_in(client, user, password=None):
    return post(client, url(client, "auth.sign_in"),
                {"email": user.email, "password": password or user.password})


def client_for(app, user):
    """A browser of this person's own, signed in (signing in again on one client does not
    switch the user)."""
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


class ClientRequest:
    """One person's browser: each request is one call, by endpoint name, and returns the page.
    The `client_request` fixture wraps the test's client; `as_(user)` gives another person
    their own, signed in.

        page = client_request.get("disputes.show", dispute_id=3)
        page = client_request.post("disputes.raise_dispute", RAISE_FORM, _expected_status=200)
        page = as_(m.chair).post_url(item("meeting.vote"), answers, _follow_redirects=True)

    Every method asserts the response's status (`_expected_status`: 200 for a GET, 302 for a
    POST, 200 for a POST whose redirects are followed) and, for a POST, where it redirects
    (`_expected_redirect`, a path) when given; `_follow_redirects=True` follows redirects and
    checks the last page's status. The page is parsed (BeautifulSoup) and carries the response
    as `page.response`, for its headers, location or body (a download is not parsed). Every
    HTML page is checked against the base template's rule: its title starts with "Error: "
    exactly when it shows an error summary. POSTs carry a valid CSRF token unless `_data` names
    its own `csrf_token`. `get_url` and `post_url` take a literal address (with its query
    string) instead of an endpoint."""

    def __init__(self, client):
        self.client = client

    def sign_in(self, user, password=None):
        """Sign this browser in as `user` (a UserRecord); returns the user."""
        response = sign_in(self.client, user, password)
        assert response.status_code == 302, "sign-in failed"
        return user

    def url(self, endpoint, **values):
        """The address of `endpoint`, to compare with where a response redirects."""
        return url(self.client, endpoint, **values)

    def get(self, endpoint, _expected_status=200, _follow_redirects=False, **values):
        return self.get_url(url(self.client, endpoint, **values), _expected_status,
                            _follow_redirects)

    def post(self, endpoint, _data=None, _expected_status=None, _expected_redirect=None,
             _follow_redirects=False, **values):
        return self.post_url(url(self.client, endpoint, **values), _data, _expected_status,
                             _expected_redirect, _follow_redirects)

    def get_url(self, path, _expected_status=200, _follow_redirects=False):
        response = self.client.get(path, follow_redirects=_follow_redirects)
        return _checked(response, _expected_status)

    def post_url(self, path, _data=None, _expected_status=None, _expected_redirect=None,
                 _follow_redirects=False):
        if _expected_status is None:
            _expected_status = 200 if _follow_redirects else 302
        response = post(self.client, path, _data, follow_redirects=_follow_redirects)
        if _expected_redirect is not None:
            assert response.location == _expected_redirect, response.location
        return _checked(response, _expected_status)


def _checked(response, expected_status):
    assert response.status_code == expected_status, (
        f"{response.request.method} {response.request.path}: {response.status_code}, "
        f"not {expected_status}")
    # A download (a PDF, a document) is no page: only its response is kept.
    readable = response.mimetype.startswith("text/") or response.mimetype.endswith("json")
    parsed = page(response) if readable else BeautifulSoup("", "html.parser")
    if response.mimetype == "text/html":
        assert_error_prefix(parsed)
    parsed.response = response
    return parsed


def assert_error_prefix(parsed):
    """The page's title starts with "Error: " exactly when the page shows an error summary."""
    title = parsed.find("title")
    if title is None:
        return
    shows_errors = parsed.select_one(".govuk-error-summary") is not None
    says_error = title.get_text(strip=True).startswith("Error: ")
    assert says_error == shows_errors, (
        f"title {title.get_text(strip=True)!r} "
        f"{'with' if shows_errors else 'without'} an error summary")


# Reading pages --------------------------------------------------------------------------------


def page(response):
    """The response parsed as a person reads it."""
    return BeautifulSoup(response.text, "html.parser")


def _parsed(response_or_page):
    return response_or_page if isinstance(response_or_page, BeautifulSoup) else page(
        response_or_page)


def words(tag):
    """The tag's text as a person reads it: its words, one space apart (a tag or a page)."""
    return " ".join(tag.get_text(" ").split())


def heading(response):
    """The page's h1 as text (a response or a parsed page)."""
    h1 = _parsed(response).find("h1")
    return h1.get_text(" ", strip=True) if h1 else None


def error_summary(response):
    """The messages in the GOV.UK error summary, in order (a response or a parsed page)."""
    summary = _parsed(response).select(".govuk-error-summary__list a")
    return [link.get_text(strip=True) for link in summary]


def field_error(response, field_id):
    """The GOV.UK error message shown on the field `field_id`, without its hidden "Error:"
    (None when the field shows none; a response or a parsed page)."""
    control = _parsed(response).find(id=field_id)
    group = control.find_parent(class_="govuk-form-group")
    message = group.select_one(".govuk-error-message") if group else None
    return message.get_text(" ", strip=True).removeprefix("Error:").strip() if message else None


def banners(response):
    """The notification banners' texts (a response or a parsed page)."""
    return [
        re.sub(r"\s+", " ", banner.get_text(" ", strip=True))
        for banner in _parsed(response).select(".govuk-notification-banner__content")
    ]


# The database ---------------------------------------------------------------------------------


@contextmanager
def _each_statement(app, note):
    """Calls `note(statement)` for each SQL statement the app runs inside the block."""
    def listener(conn, cursor, statement, *args):
        note(statement)

    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


@contextmanager
def counting_queries(app):
    """Counts the SQL statements the app runs inside the block: `counter["n"]`."""
    counter = {"n": 0}

    def count(statement):
        counter["n"] += 1

    with _each_statement(app, count):
        yield counter


@contextmanager
def statements_run(app):
    """The SQL statements the app runs inside the block, in order."""
    statements = []
    with _each_statement(app, statements.append):
        yield statements


def audit_actions(app):
    """Every audit event's action, oldest first."""
    from moderation.models import AuditEvent

    with app.app_context():
        return app.extensions["sqlalchemy"].session.scalars(
            sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()


def fetch(app, model, ident):
    """The record as the database holds it, detached (None if there is none)."""
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        record = session.get(model, ident)
        session.expunge_all()
        return record


def run_together(*steps):
    """Run each step in its own thread (own app context, so own connection and transaction),
    starting them at the same moment; return what each returned or raised."""
    results = [None] * len(steps)
    barrier = threading.Barrier(len(steps))

    def run(index, step):
        barrier.wait()
        try:
            results[index] = step()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


# People ---------------------------------------------------------------------------------------


def urgent_route_people(app, make_user):
    """The people of the urgent route: a referrer (and another agency's), two CSC managers (the
    head of service the named urgent contact) and the partnership's senior lead."""
    from moderation.models import EscalationPolicy

    people = {
        "referrer": make_user("referrer", name="Riley Referrer"),
        "csc": make_user("csc_manager", name="Casey Manager"),
        "head": make_user("csc_manager", name="Hari Head-of-Service"),
        "lead": make_user("partnership_manager", name="Lee Senior-Lead"),
        "other_referrer": make_user("referrer", name="Olly Otheragency"),
    }
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        session.get(EscalationPolicy, 1).urgent_contact_user_id = people["head"].id
        session.commit()
    return people


# Forms and periods ----------------------------------------------------------------------------

# The raise-a-dispute form, answered as a health visitor would.
RAISE_FORM = {
    "child_name": "Amelia Jones",
    "child_dob": ["14", "3", "2021"],
    "referral_date": ["2", "11", "2026"],
    "referral_method": "phone",
    "referrer_intent": "referral",
    "concern_categories": ["neglect", "domestic_abuse"],
    "level_of_need": "3",
    "referral_summary": "Home conditions poor on three visits.",
    "csc_decision_date": ["4", "11", "2026"],
    "told_recorded_as": "contact",
    "told_outcome": "no_further_action",
    "dispute_type": "threshold_not_met",
    "grounds": "The threshold for assessment is met.",
    "immediate_risk": "no",
}

NOVEMBER_DECEMBER = Period(date(2026, 11, 1), date(2026, 12, 31))
# The dashboard's custom period, as its date inputs send it (day, month, year).
NOVEMBER_DECEMBER_FORM = {"period": "custom", "start": ["1", "11", "2026"],
                          "end": ["31", "12", "2026"]}


# Email ----------------------------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that keeps what it receives, refusing the first `refuse` messages."""

    def __init__(self, refuse=0):
        self.messages, self.refuse = [], refuse

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.refuse:
            self.refuse -= 1
            return "451 Try again later"
        self.messages.append(envelope.content.decode())
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# A panel meeting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One agenda item: `item()` is its page's address, `item("meeting.vote")` another of its
    endpoints'."""

    app: object
    session_id: int
    id: int

    def __call__(self, endpoint="meeting.item", **values):
        return url(self.app, endpoint, session_id=self.session_id, item_id=self.id, **values)


def first_item(app, db, m):
    """The meeting's (first) agenda item."""
    from moderation.models import AgendaItem

    with app.app_context():
        item_id = db.session.scalar(sa.select(AgendaItem.id)
                                    .where(AgendaItem.session_id == m.session_id))
    return Item(app, m.session_id, item_id)


def open_voting_as_chair(app, db, m):
    """The chair opens voting on the meeting's item; returns (item, the chair's ClientRequest)."""
    item = first_item(app, db, m)
    chair = ClientRequest(client_for(app, m.chair))
    opened = chair.post_url(item("meeting.voting_step", step="open"), _follow_redirects=True)
    assert banners(opened) == ["Voting is open."]
    return item, chair


def close_with_the_deputy_standing_in(app, db, m, guest=None):
    """The police representative sends apologies and their deputy stands in; the item is
    deferred (a guest from CSC came to present it, when given) and the chair closes the
    meeting."""
    from moderation.meeting import decisions
    from moderation.meeting import register as meeting
    from moderation.models import ItemGuest, PanelSession, User

    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        chair = db.session.get(User, m.chair.id)
        meeting.record_attendance(session, chair, {
            m.members[m.reps["police"].id]: ("apologies", False),
            m.members[m.deputy.id]: ("present", True)})
        for item in session.agenda:
            decisions.defer(item, chair, "Waiting for the school's report")
        if guest is not None:
            session.agenda[0].guests.append(ItemGuest(
                user_id=guest.id, purpose="To present CSC's decision", invited_by_id=chair.id,
                attended=True))
        meeting.close(session, chair)
        db.session.commit()


def comment_on_minutes(client, m, text, version=1):
    """A member's comment on the draft minutes, the response followed to its page."""
    return post(client, url(client, "meeting.minutes_comment", session_id=m.session_id,
                            version=version), {"text": text}, follow_redirects=True)


# Migrations -----------------------------------------------------------------------------------

HELD_SINCE = datetime(2026, 12, 1, tzinfo=UTC)  # when the rows a migration finds were written


def held_dispute(number, name, case_number, anonymised):
    """A dispute's row as a migration finds it held (settled; anonymised when asked)."""
    return {"id": number, "status": "settled", "raised_on": date(2026, 1, 1),
            "raised_at": HELD_SINCE, "referrer_id": 1, "referring_agency_id": 1,
            "child_name": name, "child_case_number": case_number,
            "anonymised_on": date(2026, 11, 1) if anonymised else None,
            "referral_date": date(2026, 1, 1), "referral_method": "phone",
            "referrer_intent": "referral", "level_of_need": 3, "referral_summary": "Summary",
            "csc_decision_date": date(2026, 1, 1), "told_recorded_as": "contact",
            "told_outcome": "no_further_action", "dispute_type": "threshold_not_met",
            "grounds": "Grounds", "immediate_risk": False}


def agency_and_referrer(engine):
    """An agency and a referrer, written as rows before any migration under test runs."""
    tables = sa.MetaData()
    tables.reflect(engine, only=["agency", "user"])
    with engine.begin() as connection:
        connection.execute(tables.tables["agency"].insert(), {
            "id": 1, "name": "Health", "kind": "health", "is_core": True, "created_at": HELD_SINCE})
        connection.execute(tables.tables["user"].insert(), {
            "id": 1, "name": "Riley Referrer", "email": "riley@example.org", "agency_id": 1,
            "must_change_password": False, "active": True, "session_token": "t",
            "created_at": HELD_SINCE})
