"""Request hooks for signed-in sessions: idle timeout and the forced password change."""

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from moderation.web import audit
from moderation.web.access import ASSET_ENDPOINTS
from moderation.web.errors import ERROR_PAGES, render_standalone_error

# Routes a user who must change their password can still reach.
PASSWORD_CHANGE_ENDPOINTS = {"auth.change_password", "auth.sign_out"} | ASSET_ENDPOINTS


def refuse_during_maintenance():
    if current_app.config["MAINTENANCE_MODE"] and request.endpoint not in ASSET_ENDPOINTS:
        # Without the database: maintenance is often the database being upgraded or moved.
        return render_standalone_error(503, *ERROR_PAGES[503])
    return None


def end_idle_session():
    """Sign out a user whose last request was longer ago than IDLE_TIMEOUT."""
    # Assets first: they never load the user, so stylesheets still arrive (for the error page)
    # when the database does not.
    if request.endpoint in ASSET_ENDPOINTS or not current_user.is_authenticated:
        return None
    now = time.time()
    last_seen = session.get("last_seen", now)
    if now - last_seen > current_app.config["IDLE_TIMEOUT"].total_seconds():
        audit.record("signed_out_idle", current_user._get_current_object())
        logout_user()
        session.clear()
        flash("You were signed out because you had not done anything for a while.", "info")
        come_back_to = request.full_path if request.method == "GET" else None
        return redirect(url_for("auth.sign_in", next=come_back_to))
    session["last_seen"] = now
    return None


def require_password_change():
    if (
        request.endpoint not in PASSWORD_CHANGE_ENDPOINTS  # first: assets never load the user
        and current_user.is_authenticated
        and current_user.must_change_password
    ):
        return redirect(url_for("auth.change_password"))
    return None
