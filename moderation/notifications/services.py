"""In-app notifications (email delivery of the same events comes with the scheduler).

Each notification has a key naming the event and the person, enforced unique by the database,
so a step that runs twice tells nobody twice.
"""

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from moderation.extensions import db
from moderation.models import Notification
from moderation.models.types import utcnow

INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def notify(user_id, key, message, link=None):
    """Add a notification unless one with this key exists (in this transaction's terms)."""
    insert = INSERTS[db.session.get_bind().dialect.name]
    db.session.execute(
        insert(Notification)
        .values(user_id=user_id, key=f"{key}:user-{user_id}", message=message, link=link,
                created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["key"])
    )


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
