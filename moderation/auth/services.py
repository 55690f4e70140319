"""Signing in and out, and changing passwords."""

import time

from flask import session
from flask_login import login_user, logout_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from moderation.auth import passwords
from moderation.extensions import db
from moderation.models import User
from moderation.models.people import email_key
from moderation.models.types import utcnow
from moderation.web import audit

# Every request reads the signed-in user's roles (the access hook, the navigation, `can`): they
# come with the user, in the same query.
SIGNED_IN = (joinedload(User.role_links),)


def load_user(login_id):
    """Flask-Login loader: the id carries a session token, rotated to end every session."""
    user_id, _, token = login_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id), options=SIGNED_IN)
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def find_user_by_email(email):
    return db.session.scalar(select(User).where(func.lower(User.email) == email_key(email)))


def authenticate(email, password):
    """The active user with this email and password, or None (in the same time either way)."""
    user = find_user_by_email(email)
    if user is None or not user.active or not user.password_hash:
        passwords.spend_verification_time(password)
        audit.record("sign_in_failed", object_type="user", email=email_key(email))
        return None
    if not passwords.verify_password(user.password_hash, password):
        audit.record("sign_in_failed", user, actor=user, email=email_key(email))
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


def sign_in(user):
    session.clear()  # a fresh session on sign-in: nothing carried over from before
    login_user(user)
    session.permanent = True
    session["last_seen"] = time.time()  # the idle clock starts now
    user.last_signed_in_at = utcnow()
    audit.record("signed_in", user, actor=user)


def sign_out(user):
    """End this session on the server too: a copied cookie carries the old token."""
    audit.record("signed_out", user, actor=user)
    user.rotate_session_token()
    logout_user()
    session.clear()


def change_password(user, new_password):
    """Set a password the user chose, and end their other sessions."""
    user.password_hash = passwords.hash_password(new_password)
    user.must_change_password = False
    user.rotate_session_token()
    audit.record("password_changed", user)
    login_user(user)  # the current session continues under the new token
    session.permanent = True


def issue_temporary_password(user):
    """Give the user a temporary password they must change at their next sign-in."""
    password = passwords.temporary_password()
    user.password_hash = passwords.hash_password(password)
    user.must_change_password = True
    user.rotate_session_token()
    return password
