"""Signing in and out, lock-out, forced password change, idle timeout, CSRF."""

import os
from datetime import timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa
import time_machine

from moderation import create_app
from moderation.config import TestConfig
from moderation.extensions import limiter
from moderation.models import User
from tests.conftest import _config
from tests.helpers import ClientRequest, audit_actions, banners, error_summary, heading

WRONG_DETAILS = "Enter a correct email address and password"
LOCKED_OUT = "You have tried to sign in too many times. Wait 15 minutes, then try again."


def try_to_sign_in(browser, email, password, _expected_status=200, **values):
    """The sign-in form posted with these details; a refusal is the form again (200)."""
    return browser.post("auth.sign_in", {"email": email, "password": password},
                        _expected_status=_expected_status, **values)


def sign_in_as(browser, user, password=None, _expected_status=200):
    """The sign-in form posted with the user's email (and their password unless given)."""
    return try_to_sign_in(browser, user.email, password or user.password, _expected_status)


def sign_out(browser, _follow_redirects=False):
    return browser.post("auth.sign_out", _follow_redirects=_follow_redirects)


def test_sign_in_lands_on_the_role_home_page_and_is_audited(app, client_request, make_user):
    referrer = make_user("referrer")
    signed_in = sign_in_as(client_request, referrer, _expected_status=302)
    home = client_request.get_url(signed_in.response.location, _follow_redirects=True)
    assert heading(home) == "Your disputed decisions"
    assert "signed_in" in audit_actions(app)


@pytest.mark.parametrize(
    ("email", "password"),
    [("user1@example.org", "wrong-password-here"), ("nobody@example.org", "correct-horse-battery")],
    ids=["wrong password", "unknown account"],
)
def test_failed_sign_in_gives_one_message_that_reveals_nothing(app, client_request, make_user,
                                                                email, password):
    make_user("referrer", email="user1@example.org")
    response = try_to_sign_in(client_request, email, password)
    assert error_summary(response) == [WRONG_DETAILS]
    assert response.title.get_text().startswith("Error: Sign in")
    assert "sign_in_failed" in audit_actions(app)


@pytest.fixture
def argon2_calls(monkeypatch):
    """Counts the Argon2 hashes and verifications a request performs."""
    from argon2 import PasswordHasher

    calls = []

    def spy(name):
        original = getattr(PasswordHasher, name)

        def counted(self, *args, **kwargs):
            calls.append(name)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(PasswordHasher, name, counted)

    spy("hash")
    spy("verify")
    return calls


@pytest.mark.parametrize(
    "account", ["unknown", "wrong password", "deactivated", "without a password"]
)
def test_every_failed_sign_in_costs_one_password_check(app, client_request, make_user,
                                                       argon2_calls, account):
    # Equal work on every path, so timing cannot tell which emails have accounts.
    user = make_user("referrer", active=account != "deactivated")
    if account == "without a password":
        with app.app_context():
            session = app.extensions["sqlalchemy"].session
            session.get(User, user.id).password_hash = None
            session.commit()
    email = "nobody@example.org" if account == "unknown" else user.email
    argon2_calls.clear()  # making the user hashed its password
    response = try_to_sign_in(client_request, email, "wrong-password-here")
    assert error_summary(response) == [WRONG_DETAILS]
    assert argon2_calls == ["verify"]


def test_the_first_sign_in_after_start_up_costs_no_more(database_url, argon2_calls):
    from moderation.auth import passwords

    passwords._dummy_hash.cache_clear()  # as in a new process
    app = create_app(type("Started", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url}))
    argon2_calls.clear()
    response = try_to_sign_in(ClientRequest(app.test_client()), "nobody@example.org",
                              "wrong-password-here")
    assert error_summary(response) == [WRONG_DETAILS]
    assert argon2_calls == ["verify"]
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


def test_a_deactivated_account_cannot_sign_in(client_request, make_user):
    user = make_user("referrer", active=False)
    assert error_summary(sign_in_as(client_request, user)) == [WRONG_DETAILS]


def test_empty_sign_in_form_asks_for_both_fields(client_request):
    response = try_to_sign_in(client_request, "", "")
    assert error_summary(response) == ["Enter your email address", "Enter your password"]


def test_account_is_locked_out_after_five_failures_even_with_the_right_password(
        client_request, make_user):
    user = make_user("referrer")
    for _ in range(5):
        refused = sign_in_as(client_request, user, "not-the-password")
        assert error_summary(refused) == [WRONG_DETAILS]
    response = sign_in_as(client_request, user, _expected_status=429)
    assert error_summary(response) == [LOCKED_OUT]


def test_lock_out_does_not_reveal_whether_the_account_exists(client_request):
    for _ in range(5):
        try_to_sign_in(client_request, "ghost@example.org", "guess-guess-guess")
    response = try_to_sign_in(client_request, "ghost@example.org", "x", _expected_status=429)
    assert error_summary(response) == [LOCKED_OUT]


def test_lock_out_of_one_account_leaves_others_alone(client_request, make_user):
    victim, colleague = make_user("referrer"), make_user("referrer")
    for attempt in range(6):
        sign_in_as(client_request, victim, "not-the-password",
                   _expected_status=200 if attempt < 5 else 429)
    sign_in_as(client_request, colleague, _expected_status=302)


@pytest.mark.parametrize("app_config", [{"SIGN_IN_LIMIT_PER_ADDRESS": "3 per 15 minutes"}])
def test_one_address_trying_many_accounts_is_limited(client_request, make_user):
    for number in range(3):
        try_to_sign_in(client_request, f"guess{number}@example.org", "guessing")
    user = make_user("referrer")
    assert error_summary(sign_in_as(client_request, user, _expected_status=429)) == [LOCKED_OUT]


def test_successful_sign_ins_do_not_count_towards_the_limit(client_request, make_user):
    user = make_user("referrer")
    for _ in range(7):
        sign_in_as(client_request, user, _expected_status=302)
        sign_out(client_request)


def test_temporary_password_must_be_changed_before_anything_else(client_request, make_user):
    client_request.sign_in(make_user("admin", must_change_password=True))
    change_password = client_request.url("auth.change_password")
    for endpoint in ("home.index", "admin.users", "admin.agencies"):
        response = client_request.get(endpoint, _expected_status=302)
        assert response.response.location == change_password
    response = client_request.get("auth.change_password")
    assert heading(response) == "Choose a new password"
    users = client_request.url("admin.users")
    assert not response.select(f".govuk-service-navigation__list a[href='{users}']")


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("", "a-brand-new-password", "a-brand-new-password", "Enter your current password"),
        ("wrong-current-pw", "a-brand-new-password", "a-brand-new-password",
         "Your current password is not correct"),
        (None, "", "", "Enter a new password"),
        (None, "short", "short", "Your new password must be 12 characters or more"),
        (None, "a-brand-new-password", "different-password",
         "The passwords you entered do not match"),
        (None, "correct-horse-battery", "correct-horse-battery",
         "Your new password must be different from your current one"),
    ],
)
def test_password_change_explains_each_mistake(app, client_request, make_user, current, new,
                                                confirm, message):
    user = client_request.sign_in(make_user("referrer", must_change_password=True))
    response = client_request.post("auth.change_password", {
        "current_password": user.password if current is None else current,
        "new_password": new,
        "confirm_password": confirm,
    }, _expected_status=200)
    assert message in error_summary(response)
    with app.app_context():
        assert app.extensions["sqlalchemy"].session.get(User, user.id).must_change_password


def test_changing_password_continues_here_and_signs_out_elsewhere(app, client_request, as_,
                                                                  make_user):
    user = make_user("referrer", must_change_password=True)
    other_device = as_(user)
    client_request.sign_in(user)
    response = client_request.post("auth.change_password", {
        "current_password": user.password,
        "new_password": "my-own-long-password",
        "confirm_password": "my-own-long-password",
    }, _follow_redirects=True)
    assert heading(response) == "Your disputed decisions"
    assert "Your password has been changed." in banners(response)
    response = other_device.get("home.referrer", _expected_status=302)
    assert response.response.location.startswith(other_device.url("auth.sign_in"))
    assert "password_changed" in audit_actions(app)
    sign_out(client_request)
    sign_in_as(client_request, user, "my-own-long-password", _expected_status=302)


def test_sign_out_ends_the_session(app, client_request, make_user):
    client_request.sign_in(make_user("chair"))
    response = sign_out(client_request, _follow_redirects=True)
    assert heading(response) == "Sign in to Threshold moderation"
    assert "You have signed out." in banners(response)
    turned_away = client_request.get("home.chair", _expected_status=302)
    assert turned_away.response.location.startswith(client_request.url("auth.sign_in"))
    assert "signed_out" in audit_actions(app)


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client_request, make_user):
    client_request.sign_in(make_user("chair"))
    copied = client_request.client.get_cookie("moderation_session").value
    sign_out(client_request)
    thief = ClientRequest(app.test_client())
    thief.client.set_cookie("moderation_session", copied)
    turned_away = thief.get("home.chair", _expected_status=302)
    assert turned_away.response.location.startswith(thief.url("auth.sign_in"))


def test_idle_session_times_out_after_thirty_minutes(app, client_request, make_user):
    user = make_user("chair")
    with time_machine.travel("2026-11-23 10:00:00+00:00", tick=False) as traveller:
        client_request.sign_in(user)
        traveller.shift(timedelta(minutes=29))
        assert heading(client_request.get("home.chair")) == "Chairing the panel"
        traveller.shift(timedelta(minutes=31))
        response = client_request.get("home.chair", _expected_status=302).response
        assert response.location.startswith(client_request.url("auth.sign_in"))
        signed_out = client_request.get_url(response.location)
        assert any("signed out because you had not done anything" in b for b in banners(signed_out))
        assert "signed_out_idle" in audit_actions(app)


@pytest.mark.parametrize("app_config", [{"IDLE_TIMEOUT": timedelta(minutes=5)}])
def test_idle_timeout_is_configurable(client_request, make_user):
    user = make_user("chair")
    with time_machine.travel("2026-11-23 10:00:00+00:00", tick=False) as traveller:
        client_request.sign_in(user)
        traveller.shift(timedelta(minutes=6))
        turned_away = client_request.get("home.chair", _expected_status=302)
        assert turned_away.response.location.startswith(client_request.url("auth.sign_in"))


def test_anonymous_visitor_is_sent_to_sign_in_and_back(client_request, make_user):
    user = make_user("admin")
    users = client_request.url("admin.users")
    response = client_request.get("admin.users", _expected_status=302).response
    assert response.location == f"{client_request.url('auth.sign_in')}?next={quote(users, '')}"
    signed_in = try_to_sign_in(client_request, user.email, user.password, _expected_status=302,
                               next=users)
    assert signed_in.response.location == users


def test_sign_in_never_redirects_off_site(client_request, make_user):
    user = make_user("admin")
    signed_in = try_to_sign_in(client_request, user.email, user.password, _expected_status=302,
                               next="//evil.example.com/")
    assert signed_in.response.location == client_request.url("home.index")


# The two tests of the CSRF protection post as a forged form would: with no token at all.


def test_post_without_csrf_token_is_refused_and_changes_nothing(app, client_request, make_user):
    user = make_user("admin")
    response = client_request.client.post(client_request.url("auth.sign_in"),
                                          data={"email": user.email, "password": user.password})
    assert response.status_code == 400
    assert heading(response) == "Your form could not be sent"
    assert audit_actions(app) == []


def test_admin_change_without_csrf_token_is_refused(app, client_request, make_user, db):
    client_request.sign_in(make_user("admin"))
    response = client_request.client.post(client_request.url("admin.agency_new"),
                                          data={"name": "Sneaky", "kind": "police"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(sa.text("name = 'Sneaky'"))
                                 .select_from(sa.table("agency", sa.column("name")))) == 0


REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_available():
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False


@pytest.mark.skipif(
    not _redis_available() and not os.environ.get("CI"), reason="no Redis at 127.0.0.1:6379"
)
@pytest.mark.parametrize("app_config", [{"RATELIMIT_STORAGE_URI": REDIS_URL}])
def test_lock_out_holds_across_web_workers_when_limits_are_kept_in_redis(
    app, client_request, make_user, database_url
):
    user = make_user("referrer")
    try:
        for _ in range(5):
            sign_in_as(client_request, user, "not-the-password")
        # A second worker process: a new app whose limiter has only Redis to go on.
        # Built as the test's own app is (_config), so both count under this test run's keys.
        other_worker = create_app(_config(database_url, RATELIMIT_STORAGE_URI=REDIS_URL))
        locked = sign_in_as(ClientRequest(other_worker.test_client()), user,
                            _expected_status=429)
        assert error_summary(locked) == [LOCKED_OUT]
    finally:
        limiter.reset()
