"""The one helper that writes audit events."""

from flask import g, has_request_context, request
from flask_login import current_user

from moderation.extensions import db
from moderation.models import AuditEvent


def record(action, obj=None, *, object_type=None, object_id=None, actor=None, **detail):
    """Append an audit event for `action` on `obj` (or an explicit type and id).

    The actor defaults to the signed-in user and the address to the request's. The event joins
    the current transaction, so it is kept exactly when the change it describes is kept. In a
    request it is written by the boundary just before the commit (`pending`): a page that only
    reads then holds SQLite's single write lock for its commit alone, not while it renders.
    """
    if obj is not None:
        object_type = object_type or type(obj).__tablename__
        object_id = object_id if object_id is not None else obj.id
    event = AuditEvent(
        actor=actor if actor is not None else _signed_in_user(),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        address=request.remote_addr if has_request_context() else None,
        detail=detail or None,
    )
    if has_request_context():
        g.setdefault("audit_events", []).append(event)
    else:
        db.session.add(event)
    return event


def pending():
    """The request's events not yet written: the boundary adds them to its commit."""
    return g.pop("audit_events", [])


def discard_pending():
    """The request is rolled back: its events go with it."""
    g.pop("audit_events", None)


def _signed_in_user():
    if has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()
    return None
