"""Notifications: in-app, and an email in the outbox, written in the same transaction as the
change that caused them.

Each notification has a key naming the event and the person, enforced unique by the database,
so a step that runs twice (or two schedulers overlapping) tells nobody twice.
"""

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from moderation.extensions import db
from moderation.models import EmailMessage, EmailPreference, Notification, User
from moderation.models.types import utcnow
from moderation.notifications.kinds import KINDS, email_for

INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def notify(user_id, key, message, link=None, kind=None):
    """Tell a user in the app and, unless they chose not to (and policy allows), by email.
    `message` may name the case (the app is need-to-know); the email never does."""
    key = f"{key}:user-{user_id}"
    _insert_once(Notification, user_id=user_id, key=key, message=message, link=link,
                 created_at=utcnow())
    if kind is not None and wants_email(user_id, kind):
        user = db.session.get(User, user_id)
        subject, body = email_for(kind, user.name, _absolute(link))
        _insert_once(EmailMessage, user_id=user_id, key=key, kind=kind,
                     to_address=user.email, subject=subject, body=body, status="pending",
                     attempts=0, next_attempt_at=utcnow(), created_at=utcnow())


def _insert_once(model, **values):
    insert = INSERTS[db.session.get_bind().dialect.name]
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing(
        index_elements=["key"]))


def _absolute(link):
    return current_app.config["BASE_URL"].rstrip("/") + (link or "/")


def wants_email(user_id, kind):
    if KINDS[kind].required:
        return True
    preference = db.session.get(EmailPreference, (user_id, kind))
    return preference is None or preference.wanted


def set_preferences(user, wanted_kinds):
    """Record which optional emails the user wants; required ones stay on."""
    for kind, chosen in KINDS.items():
        if chosen.required:
            continue
        preference = db.session.get(EmailPreference, (user.id, kind))
        if preference is None:
            preference = EmailPreference(user_id=user.id, kind=kind)
            db.session.add(preference)
        preference.wanted = kind in wanted_kinds


def preferences(user):
    return {kind: wants_email(user.id, kind) for kind in KINDS}


def for_user(user, limit=50):
    return db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()


def unread_count(user):
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def mark_all_read(user):
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
