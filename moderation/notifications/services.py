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
from moderation.notifications.kinds import KINDS, email_for, offered_to

INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def notify(user_id, key, message, link=None, kind=None):
    """Tell a user in the app and, unless they chose not to (and policy allows), by email.
    `message` may name the case (the app is need-to-know); the email never does."""
    notify_many([(user_id, key, message, link, kind)])


def notify_many(notices):
    """notify() for many at once, as the scheduler's morning alerts need: `notices` are
    (user_id, key, message, link, kind) tuples; everything is written in a few bulk inserts."""
    notices = list(notices)
    if not notices:
        return
    now = utcnow()
    user_ids = {notice[0] for notice in notices}
    people = {row.id: row for row in db.session.execute(
        select(User.id, User.name, User.email).where(User.id.in_(user_ids)))}
    chosen = {(row.user_id, row.kind): row.wanted for row in db.session.execute(
        select(EmailPreference.user_id, EmailPreference.kind, EmailPreference.wanted)
        .where(EmailPreference.user_id.in_(user_ids)))}
    notifications, emails = [], []
    for user_id, key, message, link, kind in notices:
        key = f"{key}:user-{user_id}"
        if kind is None or KINDS[kind].in_app:
            notifications.append({"user_id": user_id, "key": key, "message": message,
                                  "link": link, "created_at": now})
        if kind is None or not _wanted(kind, chosen.get((user_id, kind))):
            continue
        person = people[user_id]
        subject, body = email_for(kind, person.name, _absolute(link))
        emails.append({"user_id": user_id, "key": key, "kind": kind,
                       "to_address": person.email, "subject": subject, "body": body,
                       "status": "pending", "attempts": 0, "next_attempt_at": now,
                       "created_at": now})
    _insert_once(Notification, notifications)
    _insert_once(EmailMessage, emails)


def _insert_once(model, rows, chunk=1000):
    """Insert rows, skipping any whose key is already there (the database decides)."""
    insert = INSERTS[db.session.get_bind().dialect.name]
    statement = insert(model).on_conflict_do_nothing(index_elements=["key"])
    for start in range(0, len(rows), chunk):
        db.session.execute(statement, rows[start:start + chunk])


def _absolute(link):
    return current_app.config["BASE_URL"].rstrip("/") + (link or "/")


def _wanted(kind, choice):
    """Policy-required emails always go; optional ones as the person chose (`choice`: True,
    False, or None for no choice yet, which takes the kind's default)."""
    spec = KINDS[kind]
    return spec.required or (spec.default if choice is None else choice)


def wants_email(user_id, kind):
    preference = db.session.get(EmailPreference, (user_id, kind))
    return _wanted(kind, None if preference is None else preference.wanted)


def set_preferences(user, wanted_kinds):
    """Record which optional emails (of those offered to the user) they want; required ones
    stay on."""
    for kind, chosen in offered_to(user).items():
        if chosen.required:
            continue
        preference = db.session.get(EmailPreference, (user.id, kind))
        if preference is None:
            preference = EmailPreference(user_id=user.id, kind=kind)
            db.session.add(preference)
        preference.wanted = kind in wanted_kinds


def preferences(user):
    return {kind: wants_email(user.id, kind) for kind in offered_to(user)}


def for_user(user, limit=50):
    return db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()


MOST_COUNTED = 100  # beside the menu item: "(99+ new)" says enough, and costs a bounded read


def unread_count(user):
    """How many of the user's notifications are unread, up to MOST_COUNTED: asked on every page,
    so it never reads more than that however many a CSC manager has."""
    # Newest first, as the partial index of unread notices holds them: with LIMIT alone the
    # planner may read the whole table hoping to meet 100 unread early.
    unread = (select(Notification.id)
              .where(Notification.user_id == user.id, Notification.read_at.is_(None))
              .order_by(Notification.created_at.desc()).limit(MOST_COUNTED).subquery())
    return db.session.scalar(select(func.count()).select_from(unread))


def mark_all_read(user):
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
