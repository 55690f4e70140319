"""What keeps pages and jobs fast at scale: figures counted by the database and kept a few
minutes for the dashboard, bounded lists, bulk notifications, and the benchmark's own hooks."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from bench import endpoints
from moderation import create_app
from moderation.actions import services as actions
from moderation.models import Action, Notification
from moderation.outcomes import figures as outcomes
from moderation.scheduling import reminders
from tests.conftest import _config, page, sign_in, url
from tests.helpers import NOVEMBER_DECEMBER


def test_the_spread_of_working_days_is_read_from_counts():
    assert outcomes._spread(Counter({3: 2, 10: 1, 20: 1})) == {"median": 6.5, "p90": 20, "n": 4}
    assert outcomes._spread(Counter({5: 9, 40: 1})) == {"median": 5, "p90": 5, "n": 10}
    assert outcomes._spread(Counter()) == {"median": None, "p90": None, "n": 0}


def test_only_the_agencies_with_most_decisions_are_listed(app, history, monkeypatch):
    monkeypatch.setattr(outcomes, "MOST_AGENCIES", 0)
    with app.app_context():
        f = outcomes.figures(NOVEMBER_DECEMBER)
    assert f.by_agency == [] and f.agencies_total == 1


@pytest.fixture
def app_config():
    return {"FIGURES_MAX_AGE": 300}


def test_the_dashboard_keeps_its_figures_for_five_minutes(app, history, make_user, make_dispute):
    manager = app.test_client()
    address = url(app, "home.partnership", period="custom", start=["1", "11", "2026"],
                  end=["31", "12", "2026"])

    def raised():
        return page(manager.get(address)).select_one("ul.figures").get_text(" ", strip=True)

    with time_machine.travel(datetime(2026, 12, 31, 10, tzinfo=UTC), tick=False) as clock:
        sign_in(manager, make_user("partnership_manager"))
        assert "4 disputes raised" in raised()
        make_dispute(on=date(2026, 12, 30))
        assert "4 disputes raised" in raised()
        assert "figures are counted again when they are 5 minutes old" in \
            manager.get(address).text
        clock.shift(timedelta(minutes=6))
        assert "5 disputes raised" in raised()


def _actions(app, db, meeting, session_id, count, description):
    with app.app_context():
        for n in range(count):
            db.session.add(Action(session_id=session_id, description=description.format(n=n),
                                  owner_id=meeting.chair.id, agency_id=meeting.chair.agency_id,
                                  working_days=5, due_on=date(2026, 9, 15) + timedelta(days=n),
                                  created_by_id=meeting.chair.id))
        db.session.commit()


def test_the_meeting_page_lists_the_earliest_overdue_actions_and_counts_the_rest(
        app, db, panel_meeting, make_session, monkeypatch):
    meeting = panel_meeting()
    _actions(app, db, meeting, make_session(held_on=date(2026, 9, 8)), 3, "Overdue action {n}")
    monkeypatch.setattr(actions, "OVERDUE_SHOWN", 2)
    chair = app.test_client()
    sign_in(chair, meeting.chair)
    html = page(chair.get(url(app, "meeting.show", session_id=meeting.session_id)))
    text = html.get_text(" ", strip=True)
    assert "Overdue action 0" in text and "Overdue action 1" in text
    assert "Overdue action 2" not in text
    assert "Showing the 2 due earliest of 3 overdue actions" in text


def test_the_actions_list_comes_a_page_at_a_time(app, db, panel_meeting, make_session):
    meeting = panel_meeting()
    _actions(app, db, meeting, make_session(held_on=date(2026, 9, 8)), 55, "Action {n:02d}")
    chair = app.test_client()
    sign_in(chair, meeting.chair)
    first = page(chair.get(url(app, "actions.index", status="open"))).get_text(" ", strip=True)
    assert "Action 00" in first and "Action 49" in first and "Action 50" not in first
    assert "Showing 1 to 50 of 55 actions" in first
    second = page(chair.get(url(app, "actions.index", status="open", page=2))).get_text(
        " ", strip=True)
    assert "Action 50" in second and "Action 54" in second and "Action 49" not in second
    assert chair.get(url(app, "actions.index", page="nonsense")).status_code == 200


def test_morning_alerts_take_the_same_queries_for_one_stage_or_many(app, db, make_dispute,
                                                                     make_user):
    make_user("csc_manager")
    make_dispute(on=date(2026, 11, 23))
    one = _count_queries(app, db, lambda: reminders.escalation_alerts(on=date(2026, 11, 27)))
    for _ in range(4):
        make_dispute(on=date(2026, 11, 23))
    five = _count_queries(app, db, lambda: reminders.escalation_alerts(on=date(2026, 11, 27)))
    assert one == five
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.key.like("stage-due:%"))) == 5


def _count_queries(app, db, step):
    statements = []

    def note(*args):
        statements.append(1)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", note)
        try:
            step()
            db.session.commit()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", note)
    return len(statements)


def test_the_benchmark_page_and_query_count_exist_only_in_the_benchmarks_app(
        app, database_url, make_user):
    user = make_user("referrer")
    bench = create_app(_config(database_url))
    endpoints.register(bench)  # as bench/wsgi.py does
    ping = url(bench, "bench.ping")  # the product app has no such endpoint
    client = app.test_client()
    sign_in(client, user)
    assert client.get(ping).status_code == 404
    assert "X-Query-Count" not in client.get(url(app, "home.referrer")).headers

    client = bench.test_client()
    assert client.get(ping).status_code == 302  # signed in only
    sign_in(client, user)
    response = client.get(ping)
    assert response.status_code == 200
    assert int(response.headers["X-Query-Count"]) >= 2  # the user, then its one query

    # The second reference: the layout every page extends, with no content of its own.
    layout = url(bench, "bench.layout")
    assert app.test_client().get(layout).status_code == 404
    html = page(client.get(layout))
    assert html.title.get_text().startswith("Benchmark layout")
    assert html.select_one(".govuk-footer") and html.select_one(".govuk-service-navigation")
    assert html.select_one("main").get_text(strip=True) == ""
    with bench.app_context():
        from moderation.extensions import db

        db.session.remove()
        db.engine.dispose()
