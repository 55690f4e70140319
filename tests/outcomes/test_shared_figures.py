"""The dashboard's figures are kept in the cache every web worker shares (web/cache.py), Redis or
the database: a second worker reads what the first counted, they expire, and a decision the
panel records makes every worker count them again. Two apps on one database stand for two
workers. The Redis cases run when Redis answers (REDIS_TEST_URL, else 127.0.0.1:6379)."""

import json
import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis
import time_machine
from sqlalchemy import select

from moderation import create_app
from moderation.extensions import db as _db
from moderation.meeting import decisions, voting
from moderation.models import LearningTheme, PanelSession, User
from moderation.outcomes import figures as outcomes
from moderation.web import cache
from tests.conftest import _config, page, sign_in, url
from tests.helpers import NOVEMBER_DECEMBER, NOVEMBER_DECEMBER_FORM

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
DECEMBER_FORM = {"period": "custom", "start": ["1", "12", "2026"], "end": ["31", "12", "2026"]}


def _redis_answers():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


@pytest.fixture(params=["database", "redis"])
def cache_backend(request):
    if request.param == "redis" and not _redis_answers():
        pytest.skip(f"no Redis answers at {REDIS_URL}")
    return request.param


@pytest.fixture
def app_config(cache_backend):
    """Figures kept five minutes, in the database or in Redis under this test's own prefix."""
    config = {"FIGURES_MAX_AGE": 300}
    if cache_backend == "redis":
        prefix = f"moderation-test:{uuid.uuid4().hex}:"
        config.update(CACHE_REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix)
    yield config
    if cache_backend == "redis":
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{config['CACHE_KEY_PREFIX']}*"):
            client.delete(key)
        client.close()


@pytest.fixture
def another_worker(database_url, app_config):
    """A second app on the same database and cache, as another worker would be."""
    apps = []

    def make():
        other = create_app(_config(database_url, **app_config))
        apps.append(other)
        return other

    yield make
    for other in apps:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()


def _figures(client, app, **form):
    response = client.get(url(app, "home.partnership", **form))
    return page(response).select_one("ul.figures").get_text(" ", strip=True)


def _manager_on(app, manager):
    client = app.test_client()
    sign_in(client, manager)
    return client


def test_a_second_worker_reads_the_figures_the_first_counted(
        app, another_worker, history, make_user, make_dispute):
    manager = make_user("partnership_manager")
    first = _manager_on(app, manager)
    assert "4 disputes raised" in _figures(first, app, **NOVEMBER_DECEMBER_FORM)
    make_dispute(on=datetime(2026, 12, 30).date())
    other = another_worker()
    second = _manager_on(other, manager)
    # Counted again, the second worker would say 5: it reads what the first kept.
    assert "4 disputes raised" in _figures(second, other, **NOVEMBER_DECEMBER_FORM)
    # Other filters are other figures, counted afresh.
    assert "1 dispute raised" in _figures(second, other, **NOVEMBER_DECEMBER_FORM, level=4)


def test_the_figures_are_counted_again_once_five_minutes_old(
        app, another_worker, history, make_user, make_dispute):
    manager = make_user("partnership_manager")
    with time_machine.travel(datetime(2026, 12, 31, 10, tzinfo=UTC), tick=False) as clock:
        first = _manager_on(app, manager)
        assert "4 disputes raised" in _figures(first, app, **NOVEMBER_DECEMBER_FORM)
        make_dispute(on=datetime(2026, 12, 30).date())
        clock.shift(timedelta(minutes=4))
        other = another_worker()
        second = _manager_on(other, manager)
        assert "4 disputes raised" in _figures(second, other, **NOVEMBER_DECEMBER_FORM)
        clock.shift(timedelta(minutes=2))
        assert "5 disputes raised" in _figures(second, other, **NOVEMBER_DECEMBER_FORM)
        assert "5 disputes raised" in _figures(first, app, **NOVEMBER_DECEMBER_FORM)


def _record_a_decision(app, meeting):
    """The panel decides the meeting's first item (the meeting's services, as the chair would)."""
    with app.app_context():
        session = _db.session.get(PanelSession, meeting.session_id)
        chair = _db.session.get(User, meeting.chair.id)
        item = session.agenda[0]
        voting.open_voting(item, chair)
        voting.cast_vote(item, _db.session.get(User, meeting.reps["health"].id),
                         "overturn_s17", "R")
        voting.close_voting(item, chair)
        theme = _db.session.scalars(select(LearningTheme)).first()
        decisions.record_decision(item, chair, rationale="R", feedback="F",
                                  theme_ids=[theme.id])
        _db.session.commit()


def test_a_recorded_decision_makes_every_worker_count_again(
        app, another_worker, panel_meeting, make_user):
    meeting = panel_meeting()
    manager = make_user("partnership_manager")
    first = _manager_on(app, manager)
    other = another_worker()
    second = _manager_on(other, manager)
    assert "0 decided by the panel" in _figures(first, app, **DECEMBER_FORM)
    assert "0 decided by the panel" in _figures(second, other, **DECEMBER_FORM)
    _record_a_decision(app, meeting)
    assert "1 decided by the panel" in _figures(second, other, **DECEMBER_FORM)
    assert "1 decided by the panel" in _figures(first, app, **DECEMBER_FORM)


# Redis is not in the transaction: it forgets at once, and again once the change commits.
@pytest.mark.parametrize("cache_backend", ["database"], indirect=True)
def test_a_change_that_is_rolled_back_forgets_nothing_in_the_database(
        app, history, make_user, make_dispute):
    manager = make_user("partnership_manager")
    client = _manager_on(app, manager)
    assert "4 disputes raised" in _figures(client, app, **NOVEMBER_DECEMBER_FORM)
    make_dispute(on=datetime(2026, 12, 30).date())
    with app.app_context():
        cache.forget(cache.FIGURES)
        _db.session.rollback()
    assert "4 disputes raised" in _figures(client, app, **NOVEMBER_DECEMBER_FORM)
    with app.app_context():
        cache.forget(cache.FIGURES)
        _db.session.commit()
    assert "5 disputes raised" in _figures(client, app, **NOVEMBER_DECEMBER_FORM)


@pytest.mark.parametrize("cache_backend", ["database"], indirect=True)
def test_a_redis_that_does_not_answer_costs_the_cache_not_the_page(
        app, database_url, history, make_user, make_dispute, caplog):
    from tests.helpers import free_port

    silent = create_app(_config(database_url, FIGURES_MAX_AGE=300,
                                CACHE_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"))
    client = _manager_on(silent, make_user("partnership_manager"))
    assert "4 disputes raised" in _figures(client, silent, **NOVEMBER_DECEMBER_FORM)
    make_dispute(on=datetime(2026, 12, 30).date())
    assert "5 disputes raised" in _figures(client, silent, **NOVEMBER_DECEMBER_FORM)
    assert "not answering" in caplog.text
    with silent.app_context():
        cache.forget(cache.FIGURES)  # logged, never raised: the change it follows stands
        _db.session.remove()
        _db.engine.dispose()


@pytest.mark.parametrize("cache_backend", ["database"], indirect=True)
def test_the_figures_survive_the_trip_through_json(app, history):
    with app.app_context():
        counted = outcomes.figures(NOVEMBER_DECEMBER)
    assert outcomes.Figures.from_data(json.loads(json.dumps(counted.as_data()))) == counted
