"""The service keeps working, or says clearly that it cannot, when what it relies on fails."""

import logging
import time

import pytest
import sqlalchemy as sa

from moderation import create_app
from moderation.config import Config, TestConfig
from moderation.extensions import limiter
from tests.conftest import csrf_token, error_summary, heading, page, sign_in, url

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


class Outage:
    """Takes the app's database away and gives it back, as a restart or network fault would:
    connections already open are closed, and new ones fail until it ends."""

    def __init__(self, app):
        self.app = app
        self.down = False
        with app.app_context():
            self.engine = app.extensions["sqlalchemy"].engine
        sa.event.listen(self.engine, "do_connect", self._connect)

    def _connect(self, dialect, connection_record, cargs, cparams):
        if not self.down:
            return
        if dialect.name == "postgresql":
            cparams["port"] = 1  # nothing listens there: connection refused
        else:
            cargs[:] = ["/nonexistent-directory/moderation.sqlite3"]  # cannot be opened

    def __enter__(self):
        self.down = True
        self.engine.dispose()
        return self

    def __exit__(self, *exc_info):
        self.down = False


@pytest.fixture
def outage(app):
    return Outage(app)


def assert_service_unavailable(response):
    assert response.status_code == 503
    assert heading(response) == "Sorry, the service is unavailable"
    assert "Try again later." in page(response).select_one("main").get_text()
    assert page(response).select_one(".govuk-service-navigation__service-name")  # GOV.UK layout


def test_signed_in_pages_say_the_service_is_unavailable_while_the_database_is_down(
        client, signed_in, outage):
    signed_in("chair")
    home = url(client, "home.chair")
    with outage:
        assert_service_unavailable(client.get(home))
        assert_service_unavailable(client.get("/no-such-page"))
    assert heading(client.get(home)) == "Chairing the panel"  # recovered, still signed in


def test_forms_sent_while_the_database_is_down_say_the_service_is_unavailable(
        client, signed_in, outage):
    user = signed_in("referrer")
    token = csrf_token(client)
    with outage:
        response = client.post(url(client, "auth.change_password"), data={
            "csrf_token": token, "current_password": user.password,
            "new_password": "my-own-long-password", "confirm_password": "my-own-long-password",
        })
        assert_service_unavailable(response)
    assert client.get(url(client, "home.referrer")).status_code == 200


def test_sign_in_during_an_outage_is_unavailable_and_does_not_lock_anyone_out(
        app, make_user, outage):
    user = make_user("referrer")
    client = app.test_client()
    token = csrf_token(client)
    with outage:
        for _ in range(6):
            response = client.post(url(client, "auth.sign_in"), data={
                "csrf_token": token, "email": user.email, "password": user.password})
            assert_service_unavailable(response)
    assert sign_in(client, user).status_code == 302


def test_a_locked_out_account_trying_during_an_outage_is_told_the_service_is_unavailable(
        client, make_user, outage):
    user = make_user("referrer")
    for _ in range(5):
        sign_in(client, user, "not-the-password")
    token = csrf_token(client)
    with outage:
        assert_service_unavailable(client.post(url(client, "auth.sign_in"), data={
            "csrf_token": token, "email": user.email, "password": user.password}))


def test_the_unavailable_page_is_styled_during_an_outage(client, signed_in, outage):
    signed_in("chair")
    home = url(client, "home.chair")
    with outage:
        stylesheet = page(client.get(home)).select_one("link[rel=stylesheet]")["href"]
        assert client.get(stylesheet).status_code == 200
        assert "no-store" in client.get(home).headers["Cache-Control"]


def test_maintenance_mode_needs_no_database(app, client, signed_in, outage):
    signed_in("chair")
    app.config["MAINTENANCE_MODE"] = True
    with outage:
        response = client.get(url(client, "home.chair"))
    assert response.status_code == 503
    assert heading(response) == "Sorry, the service is unavailable"
    assert "closed for maintenance" in page(response).select_one("main").get_text()


@pytest.mark.parametrize("app_config", [{
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://moderation@127.0.0.1:1/moderation",
}])
def test_an_unreachable_postgresql_server_is_service_unavailable(app):
    client = app.test_client()
    assert client.get(url(client, "auth.sign_in")).status_code == 200  # needs no database
    response = client.post(url(client, "auth.sign_in"), data={
        "csrf_token": csrf_token(client), "email": "a@example.org", "password": "anything"})
    assert_service_unavailable(response)


def test_a_failed_save_shows_the_problem_page_and_the_next_request_works(app, client, signed_in):
    from moderation.extensions import db
    from moderation.models import Agency

    def clashing_save():
        db.session.add(Agency(name="Northshire Police", kind="police"))
        db.session.add(Agency(name="Northshire Police", kind="police"))
        db.session.flush()  # IntegrityError: agency names are unique

    clashing_save.access_rule = type("Open", (), {"public": True, "allows": lambda s, u: True})()
    app.add_url_rule("/clash", "clash", clashing_save)
    signed_in("chair")  # the error page's navigation reads the database
    response = client.get(url(app, "clash"))
    assert response.status_code == 500
    assert heading(response) == "Sorry, there is a problem with the service"
    assert page(response).find("button", string="Sign out")  # the usual signed-in layout
    assert heading(client.get(url(client, "home.chair"))) == "Chairing the panel"


@pytest.mark.parametrize("app_config", [
    {"SQLALCHEMY_ENGINE_OPTIONS": Config.SQLALCHEMY_ENGINE_OPTIONS},  # as in production
])
def test_a_database_restart_goes_unnoticed(app, client, signed_in, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("a server restart is a PostgreSQL matter")
    signed_in("chair")
    # What a restart does to the connections the app keeps in its pool.
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        ended = connection.scalar(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    engine.dispose()
    assert ended >= 1
    assert heading(client.get(url(client, "home.chair"))) == "Chairing the panel"
