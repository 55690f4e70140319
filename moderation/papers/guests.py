"""Guests: someone the chair invites to one agenda item (to present the referral, say). A guest
reads that item's papers only, from the freeze until the meeting ends, is recorded in the
register as a guest, and never votes or counts for quorum (they are not members)."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from moderation.disputes.child_identifiers import refuse_on_agenda
from moderation.extensions import db
from moderation.models import AgendaItem, ItemGuest, PanelSession, User
from moderation.models.people import email_key
from moderation.notifications import notices
from moderation.panels.membership import sitting_member
from moderation.panels.permissions import session_access
from moderation.web import audit
from moderation.web.boundary import Refusal
from moderation.web.permissions import NOT_YOURS, enforce

PURPOSE_LIMIT = 300


def invited(user, item):
    """The user's invitation to this item, or None."""
    if not user.is_authenticated:
        return None
    return next((guest for guest in item.guests if guest.user_id == user.id), None)


def why_not_invite(user, item):
    """`item.invite_guest` and `invite`: the session's chair invites guests to an item until
    the meeting closes."""
    if not session_access(user, item.session).chairs:
        return NOT_YOURS
    return why_not_invite_now(item)


def why_not_invite_now(item):
    """Why it cannot be done now, whoever asks, or None: what the service checks (whose it
    is, the route has asked already, with a 404 for NOT_YOURS)."""
    return None if item.session.to_come else "Guests are invited until the meeting closes"


def why_not_remove(user, item):
    """`item.remove_guest` and `remove`: the session's chair takes a guest off an item before
    the meeting starts."""
    if not session_access(user, item.session).chairs:
        return NOT_YOURS
    return why_not_remove_now(item)


def why_not_remove_now(item):
    """Why it cannot be done now, whoever asks, or None: what the service checks (whose it
    is, the route has asked already, with a 404 for NOT_YOURS)."""
    if item.session.before_meeting:
        return None
    return "The meeting has started: its guests stay on the register"


def invite(item, actor, email, purpose):
    """Invite an existing active user, found by email address, to this one item, and tell them."""
    enforce(why_not_invite_now(item), "email")
    purpose = (purpose or "").strip()
    guest_user = _active_user(email)
    if sitting_member(guest_user, item.session) is not None:
        raise Refusal(f"{guest_user.name} sits on this session's panel: members read every "
                      "item's papers already", "email")
    if invited(guest_user, item) is not None:
        raise Refusal(f"{guest_user.name} is already invited to this item", "email")
    if len(purpose) > PURPOSE_LIMIT:
        raise Refusal(f"Why the guest is invited must be {PURPOSE_LIMIT} characters or fewer",
                      "purpose")
    refuse_on_agenda(item.session, [("Why the guest is invited", "purpose", purpose)],
                     actor)
    guest = ItemGuest(user=guest_user, purpose=purpose, invited_by_id=actor.id)
    item.guests.append(guest)
    db.session.flush()
    audit.record("guest_invited", item, actor=actor, guest=guest_user.id)
    notices.guest_invited(guest)
    return guest


def _active_user(email):
    # An empty address is the form's to refuse: none is found here, and the message says so.
    user = db.session.scalar(select(User).where(func.lower(User.email) == email_key(email)))
    if user is None or not user.active:
        raise Refusal("There is no active account with that email address: check it, or ask "
                      "an administrator to create one", "email")
    return user


def remove(item, guest, actor):
    """Take a guest off the item before the meeting."""
    enforce(why_not_remove_now(item))
    item.guests.remove(guest)
    db.session.flush()
    audit.record("guest_removed", item, actor=actor, guest=guest.user_id)


def invitations_of(user):
    """The user's invitations to items of sessions still to meet or meeting, soonest first."""
    return db.session.scalars(
        select(ItemGuest)
        .join(AgendaItem, ItemGuest.agenda_item_id == AgendaItem.id)
        .join(PanelSession, AgendaItem.session_id == PanelSession.id)
        .where(ItemGuest.user_id == user.id, PanelSession.to_come)
        .options(joinedload(ItemGuest.agenda_item).options(
            joinedload(AgendaItem.session), joinedload(AgendaItem.dispute)))
        .order_by(PanelSession.held_on, AgendaItem.position)).all()


def of_session(panel_session):
    """Every guest of the session's items, in agenda order, with their user."""
    return db.session.scalars(
        select(ItemGuest)
        .join(AgendaItem, ItemGuest.agenda_item_id == AgendaItem.id)
        .where(AgendaItem.session_id == panel_session.id)
        .options(joinedload(ItemGuest.user), joinedload(ItemGuest.agenda_item))
        .order_by(AgendaItem.position, ItemGuest.id)).all()
