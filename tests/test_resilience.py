"""The service keeps working, or says clearly that it cannot, when what it relies on fails."""

import logging
import time

import pytest

from moderation import create_app
from moderation.config import TestConfig
from moderation.extensions import limiter
from tests.conftest import error_summary, sign_in

WRONG_DETAILS = "Enter a correct email address and password"
LOCKED_OUT = "You have tried to sign in too many times. Wait 15 minutes, then try again."
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def worker_without_redis(database_url):
    """A web worker whose Redis for rate limits cannot be reached."""
    app = create_app(type("NoRedis", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_STORAGE_URI": DEAD_REDIS,
    }))
    yield app
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()
    # One limiter serves every app this test process builds: the next starts with its storage.
    limiter._storage_dead = False


@pytest.fixture
def limiter_log(monkeypatch, caplog):
    """Flask-Limiter's warnings. The migrations' logging set-up (alembic's fileConfig) switches
    off loggers that already exist, this one included, in the test process."""
    monkeypatch.setattr(logging.getLogger("flask-limiter"), "disabled", False)
    caplog.set_level(logging.WARNING, logger="flask-limiter")
    return caplog


def test_people_can_still_sign_in_when_redis_is_unreachable(app, make_user,
                                                            worker_without_redis, limiter_log):
    user = make_user("referrer")
    client = worker_without_redis.test_client()
    started = time.monotonic()
    assert error_summary(sign_in(client, user, "not-the-password")) == [WRONG_DETAILS]
    assert sign_in(client, user).status_code == 302
    assert time.monotonic() - started < 5
    assert any("falling back to in-memory" in record.getMessage()
               for record in limiter_log.records if record.levelno == logging.WARNING)


def test_sign_in_limits_still_hold_in_memory_while_redis_is_unreachable(
        app, make_user, worker_without_redis):
    user = make_user("referrer")
    client = worker_without_redis.test_client()
    for _ in range(5):
        assert error_summary(sign_in(client, user, "not-the-password")) == [WRONG_DETAILS]
    response = sign_in(client, user)
    assert response.status_code == 429
    assert error_summary(response) == [LOCKED_OUT]
