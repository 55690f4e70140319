"""The transaction boundary: a request keeps what it wrote only when it ends well, and a refusal
shows the page again with its reason, having kept nothing."""

import pathlib
import re

import pytest
import sqlalchemy as sa
from flask import render_template_string

from moderation.extensions import db as _db
from moderation.models import Agency, AgencyKind, AuditEvent
from moderation.web import audit
from moderation.web.access import public
from moderation.web.boundary import Refusal, commit_job, on_refusal
from tests.conftest import error_summary, page, url

PAGE = """<main id="main-content">{% if problems %}<div class="govuk-error-summary"><ul
class="govuk-error-summary__list">{% for p in problems %}<li><a href="{{ p.href }}">{{ p.text }}
</a></li>{% endfor %}</ul></div>{% endif %}<h1>Add an agency</h1></main>"""


def _write_an_agency_and_an_event():
    _db.session.add(Agency(name="Written then refused", kind=AgencyKind.HEALTH))
    audit.record("agency_added", object_type="agency")
    _db.session.flush()


@pytest.fixture
def test_routes(app):
    """Routes that write, then refuse or fail, registered on this test's app only."""

    @public
    def refused():
        on_refusal(lambda problems: render_template_string(PAGE, problems=problems))
        _write_an_agency_and_an_event()
        raise Refusal("Enter a name that is not already used", "name")

    @public
    def refused_without_a_page():
        _write_an_agency_and_an_event()
        raise Refusal("The session has already started")

    @public
    def failed():
        _write_an_agency_and_an_event()
        raise RuntimeError("the page broke after writing")

    @public
    def kept():
        _write_an_agency_and_an_event()
        return "done"

    @public
    def refused_at_commit():
        # Two agencies of one name: the database itself refuses, at the boundary's commit.
        _db.session.add_all([Agency(name="Twice", kind=AgencyKind.HEALTH),
                             Agency(name="Twice", kind=AgencyKind.HEALTH)])
        return "written"

    for view in (refused, refused_without_a_page, failed, kept, refused_at_commit):
        app.add_url_rule(f"/test/{view.__name__}", view.__name__, view)
    return app


def _kept(app):
    with app.app_context():
        agencies = _db.session.scalar(
            sa.select(sa.func.count()).select_from(Agency)
            .where(Agency.name.in_(["Written then refused", "Twice"])))
        events = _db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent)
            .where(AuditEvent.action == "agency_added"))
        return agencies, events


def test_a_refusal_rolls_back_everything_the_request_wrote(test_routes, client):
    response = client.get(url(test_routes, "refused"))
    assert response.status_code == 200
    assert error_summary(response) == ["Enter a name that is not already used"]
    assert page(response).select_one(".govuk-error-summary__list a")["href"] == "#name"
    assert _kept(test_routes) == (0, 0)


def test_a_refusal_no_page_was_declared_for_says_why_and_keeps_nothing(test_routes, client):
    response = client.get(url(test_routes, "refused_without_a_page"))
    assert response.status_code == 400
    assert "The session has already started" in response.text
    assert _kept(test_routes) == (0, 0)


def test_the_audit_event_of_a_page_that_then_fails_is_not_kept(test_routes, client):
    response = client.get(url(test_routes, "failed"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert _kept(test_routes) == (0, 0)


def test_a_request_that_ends_well_keeps_what_it_wrote(test_routes, client):
    assert client.get(url(test_routes, "kept")).text == "done"
    assert _kept(test_routes) == (1, 1)


def test_a_write_the_database_refuses_at_the_commit_gets_the_error_page(test_routes, client):
    response = client.get(url(test_routes, "refused_at_commit"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert _kept(test_routes) == (0, 0)


def test_a_dispute_page_that_fails_keeps_no_record_of_being_viewed(
        app, client, signed_in, make_dispute, monkeypatch):
    dispute = make_dispute()
    signed_in("csc_manager")

    def broken(dispute):
        raise RuntimeError("the page broke after recording the view")

    monkeypatch.setattr("moderation.disputes.in_words.mismatch", broken)
    assert client.get(url(app, "disputes.show", dispute_id=dispute)).status_code == 500
    assert _views_of(app, dispute) == 0
    monkeypatch.undo()
    assert client.get(url(app, "disputes.show", dispute_id=dispute)).status_code == 200
    assert _views_of(app, dispute) == 1


def _views_of(app, dispute):
    with app.app_context():
        return _db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent)
            .where(AuditEvent.action == "dispute_viewed",
                   AuditEvent.object_id == str(dispute)))


def test_a_job_is_one_transaction(app):
    def failing_job():
        _write_an_agency_and_an_event()
        raise RuntimeError("the job failed after writing")

    with app.app_context(), pytest.raises(RuntimeError):
        commit_job(failing_job)
    assert _kept(app) == (0, 0)
    with app.app_context():
        commit_job(_write_an_agency_and_an_event)
    assert _kept(app) == (1, 1)


MODULES = pathlib.Path(__file__).resolve().parents[2] / "moderation"
# The places that end transactions: the boundary and the error handlers it relies on, and mail
# delivery, which keeps each message's "sent" as soon as the server has it, so that a crash
# never sends it twice.
ENDS_TRANSACTIONS = {"web/boundary.py", "web/errors.py", "notifications/delivery.py"}


def test_only_the_boundary_commits_or_rolls_back():
    ends = re.compile(r"session\.(commit|rollback)\(")
    found = [
        str(path.relative_to(MODULES)) for path in MODULES.rglob("*.py")
        if "migrations" not in path.parts
        and str(path.relative_to(MODULES)) not in ENDS_TRANSACTIONS
        and ends.search(path.read_text())
    ]
    assert found == []


def test_a_page_writes_its_audit_event_only_at_its_commit(app, client, signed_in, make_dispute):
    """A page that only reads takes SQLite's single write lock for its commit alone, not while
    it renders: its audit event is the last thing it writes, after every read."""
    dispute = make_dispute()
    signed_in("csc_manager")
    with app.app_context():
        engine = _db.engine
    statements = []

    def note(conn, cursor, statement, *args):
        statements.append(statement.split()[0].upper())

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(url(app, "disputes.show", dispute_id=dispute)).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    assert statements[-1] == "INSERT"
    assert statements.count("INSERT") == 1
    assert _views_of(app, dispute) == 1
