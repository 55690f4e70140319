"""The chair's private notes on an agenda item: one per item, for the session's chair and deputy
chair only, never in the papers pack, the minutes or any member's page."""

from moderation.disputes.child_identifiers import refuse
from moderation.extensions import db
from moderation.models import ItemNote
from moderation.models.types import utcnow
from moderation.panels.permissions import session_access
from moderation.web import audit
from moderation.web.boundary import Refusal
from moderation.web.permissions import NOT_YOURS, enforce

NOTES_LIMIT = 5000


def why_not_keep_notes(user, item):
    """`item.notes` and `save`: the session's chair and deputy chair keep private notes on an
    item from the freeze until the minutes are approved."""
    if not session_access(user, item.session).chairs:
        return NOT_YOURS
    return why_not_keep_notes_now(item)


def why_not_keep_notes_now(item):
    """Why it cannot be done now, whoever asks, or None: what the service checks (whose it
    is, the route has asked already, with a 404 for NOT_YOURS)."""
    if item.session.papers_in_use:
        return None
    return "Notes are kept from the freeze of the agenda until the minutes are approved"


def save(item, actor, text):
    """Keep the item's notes (replacing any earlier text); empty text removes them. They may
    name the item's own child (they go when its dispute is anonymised), but no other child the
    chair may read (rule 13): that child's name would outlive their own anonymisation here, and
    go out in this child's subject access export."""
    enforce(why_not_keep_notes_now(item), "text")
    text = (text or "").strip()
    if len(text) > NOTES_LIMIT:
        raise Refusal(f"Your notes must be {NOTES_LIMIT} characters or fewer", "text")
    refuse([("Your notes", "text", text)], actor, about=item.dispute)
    if not text:
        item.note = None
    elif item.note is None:
        item.note = ItemNote(text=text, updated_by_id=actor.id)
    else:
        item.note.text, item.note.updated_by_id, item.note.updated_at = text, actor.id, utcnow()
    db.session.flush()
    audit.record("item_notes_saved", item, actor=actor, length=len(text))
