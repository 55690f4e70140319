"""The application shell: configuration, error pages, security headers, command line."""

import re

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from moderation import create_app
from moderation.config import ConfigurationError, ProductionConfig, TestConfig
from moderation.demo import DEMO_PASSWORD, DEMO_USERS
from moderation.models import Agency, Base, User
from moderation.models.base import mapped_tables_only
from tests.helpers import heading


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "BASE_URL"])
def test_production_refuses_to_start_without_its_settings(monkeypatch, missing):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-of-at-least-32-bytes")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/moderation")
    monkeypatch.setenv("BASE_URL", "https://moderation.example.org")
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigurationError, match=missing):
        create_app(ProductionConfig)


def test_unknown_configuration_name_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("MODERATION_CONFIG", "staging")
    with pytest.raises(ConfigurationError, match="development, test, production"):
        create_app()


def test_unknown_page_shows_page_not_found(client_request):
    response = client_request.get_url("/no-such-page", _expected_status=404)
    assert heading(response) == "Page not found"


def test_unexpected_error_shows_a_friendly_page(app, client_request, make_user):
    def broken():
        raise RuntimeError("boom")

    broken.access_rule = type("Open", (), {"public": True, "allows": lambda self, u: True})()
    app.add_url_rule("/broken", "broken", broken)
    response = client_request.get("broken", _expected_status=500)
    assert heading(response) == "Sorry, there is a problem with the service"
    assert "boom" not in response.response.text


@pytest.mark.parametrize("app_config", [{"MAINTENANCE_MODE": True}])
def test_maintenance_mode_answers_service_unavailable(client_request):
    response = client_request.get("auth.sign_in", _expected_status=503)
    assert heading(response) == "Sorry, the service is unavailable"


def test_wrong_method_is_a_friendly_error(client_request):
    response = client_request.get("auth.sign_out", _expected_status=405)
    assert heading(response) == "There was a problem with your request"


def test_pages_carry_a_strict_content_security_policy_with_a_nonce(client_request):
    sign_in_page = client_request.get("auth.sign_in")
    policy = sign_in_page.response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    inline_scripts = [s for s in sign_in_page.find_all("script") if not s.get("src")]
    assert inline_scripts and all(s.get("nonce") == nonce for s in inline_scripts)
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    again = client_request.get("auth.sign_in").response
    assert again.headers["Content-Security-Policy"] != policy


def test_usual_security_headers_are_set(client_request):
    headers = client_request.get("auth.sign_in").response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_signed_in_pages_are_not_cached(client_request, make_user):
    client_request.sign_in(make_user("chair"))
    assert client_request.get("home.chair").response.headers["Cache-Control"] == "no-store"


def test_session_cookie_is_http_only_and_same_site(client_request):
    cookie = client_request.get("auth.sign_in").response.headers.get("Set-Cookie") or ""
    client_request.get("auth.sign_in")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_page_has_the_service_name_and_partnership(client_request):
    response = client_request.get("auth.sign_in")
    assert "Threshold moderation" in response.select_one(
        ".govuk-service-navigation__service-name").get_text()
    assert response.title.get_text().startswith("Sign in – Threshold moderation")


def test_migrations_match_the_models(app, db):
    with app.app_context(), db.engine.connect() as connection:
        # The scheduler's tests leave APScheduler's job table in the shared database.
        context = MigrationContext.configure(
            connection, opts={"include_object": mapped_tables_only})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_demo_data_is_idempotent_and_prints_sign_ins(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data"])
    second = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert "(0 new records)" in second.output
    for demo_user in DEMO_USERS:
        assert demo_user.email in first.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == len(DEMO_USERS)
        kinds = db.session.scalars(sa.select(Agency.kind)).all()
    assert kinds.count("health") >= 2
    assert {"police", "csc", "education"} <= set(kinds)


def test_every_demo_user_can_sign_in(app, client_request):
    app.test_cli_runner().invoke(args=["demo-data"])
    for demo_user in DEMO_USERS:
        client_request.post("auth.sign_in", {"email": demo_user.email, "password": DEMO_PASSWORD})
        client_request.post("auth.sign_out")


def test_demo_data_is_refused_in_production(monkeypatch, app):
    app.config["ENV_NAME"] = "production"
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code != 0
    assert "not loaded into a production database" in result.output


def test_create_user_prints_a_temporary_password(app, db, make_agency):
    make_agency("Northshire Police", kind="police")
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "New.Person@Example.org", "--name", "New Person",
        "--agency", "Northshire Police", "--role", "panel_member", "--role", "chair",
    ])
    assert result.exit_code == 0, result.output
    assert re.search(r"Temporary password .*: \w{4}-\w{4}-\w{4}-\w{4}", result.output)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "new.person@example.org"))
        assert [role.value for role in user.roles] == ["chair", "panel_member"]
        assert user.must_change_password


def test_create_user_can_prompt_for_a_password(app, client_request, make_agency):
    make_agency("Northshire Police", kind="police")
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "ops@example.org", "--name", "Ops", "--agency",
              "Northshire Police", "--role", "admin", "--password"],
        input="a-long-enough-password\na-long-enough-password\n",
    )
    assert result.exit_code == 0, result.output
    signed_in = client_request.post(
        "auth.sign_in", {"email": "ops@example.org", "password": "a-long-enough-password"})
    assert signed_in.response.location == client_request.url("home.index")


def test_create_user_explains_an_unknown_agency(app):
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--email", "a@example.org", "--name", "A", "--agency", "Nowhere",
        "--role", "admin",
    ])
    assert result.exit_code != 0
    assert "No agency is called 'Nowhere'" in result.output


def test_init_db_reports_an_up_to_date_database(app):
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0
    assert "Database is up to date." in result.output


def test_test_config_is_isolated_from_the_environment():
    assert TestConfig.TESTING is True


def test_an_sqlite_upgrade_keeps_the_rows_that_refer_to_a_table_it_copies(tmp_path):
    """Batch mode alters an SQLite table by copying it and dropping the old one; with foreign
    keys enforced, the drop deleted every row that refers to it ON DELETE CASCADE (the policy's
    stages, when the policy table gained its urgent contact)."""
    from flask_migrate import upgrade

    from moderation.extensions import db

    url = f"sqlite:///{tmp_path / 'older.sqlite3'}"
    app = create_app(type("Older", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        upgrade(revision="e3f1c2a9b7d4")  # before the urgent route: three ordinary stages
        upgrade()
        stages = db.session.execute(sa.text(
            "SELECT route, count(*) FROM policy_stage GROUP BY route")).all()
        enforced = db.session.execute(sa.text("PRAGMA foreign_keys")).scalar()
        db.engine.dispose()
    assert dict(stages) == {"standard": 3, "urgent": 3}
    assert enforced == 1  # and the app's connections enforce foreign keys again
