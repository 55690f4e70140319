"""Legal holds: a dispute kept from anonymisation (for example while a child safeguarding
practice review uses it) until the partnership manager releases it. The retention job skips a
dispute with an active hold."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from moderation.disputes.child_identifiers import Child, refuse
from moderation.extensions import db
from moderation.models import Dispute, LegalHold
from moderation.models.types import utcnow
from moderation.retention import schedule
from moderation.web import audit
from moderation.web.permissions import enforce

RELEASED_LISTED = 50  # the holds page lists the most recently released, not every one ever


def place(dispute, actor, reason):
    """Hold `dispute`, with the reason (required; it must not name the child, as the holds
    list shows it to people who may not read the dispute). Audited."""
    text = _reason(dispute, actor, reason, "Enter why the dispute is held")
    _lock(dispute)
    db.session.expire(dispute, ["holds"])  # read afresh: a hold placed meanwhile counts
    enforce(why_not_hold(actor, dispute))
    hold = LegalHold(dispute=dispute, reason=text, placed_by_id=actor.id, placed_at=utcnow())
    db.session.add(hold)
    db.session.flush()
    audit.record("legal_hold_placed", dispute, actor=actor, hold_id=hold.id)
    return hold


def release(hold, actor, reason):
    """Release `hold`, with the reason (required): the retention job may then anonymise the
    dispute when it is due. Audited."""
    text = _reason(hold.dispute, actor, reason, "Enter why the hold is released")
    enforce(why_not_release(actor, hold))
    hold.released_at, hold.released_by_id, hold.release_reason = utcnow(), actor.id, text
    db.session.flush()
    audit.record("legal_hold_released", hold.dispute, actor=actor, hold_id=hold.id)
    return hold


def why_not_hold(user, dispute):
    """None, or why `dispute` cannot be held now: not once anonymised (there is nothing left to
    keep), nor while a hold is in force. The rule `dispute.hold` and `place` both ask."""
    if dispute.anonymised:
        return "The dispute has been anonymised: there is nothing left to hold"
    if any(hold.active for hold in dispute.holds):
        return "The dispute is already on legal hold"
    return None


def why_not_release(user, hold):
    """None, or why `hold` cannot be released now: the rule `hold.release` and `release` both
    ask."""
    return None if hold.active else "The hold has already been released"


def listed():
    """(holds in force, oldest first; the most recently released holds), each with its dispute
    and people loaded in the same query."""
    query = select(LegalHold).options(joinedload(LegalHold.dispute),
                                      joinedload(LegalHold.placed_by),
                                      joinedload(LegalHold.released_by))
    active = db.session.scalars(query.where(LegalHold.released_at.is_(None))
                                .order_by(LegalHold.placed_at, LegalHold.id)).all()
    released = db.session.scalars(query.where(LegalHold.released_at.is_not(None))
                                  .order_by(LegalHold.released_at.desc(), LegalHold.id.desc())
                                  .limit(RELEASED_LISTED)).all()
    return active, released


def _reason(dispute, actor, typed, empty):
    """The reason, refused if it identifies the held child or names another the actor may read
    (rule 13): the holds list shows it to people who may not read either."""
    text = schedule.typed_reason(typed, empty)
    child = Child(dispute.child_name, dispute.child_age_from, dispute.child_case_number)
    refuse([("The reason", "reason", text)], actor, [child])
    return text


def _lock(dispute):
    # Two managers holding the same dispute at once: the second waits here (PostgreSQL), then
    # finds the first one's hold.
    db.session.execute(select(Dispute.id).where(Dispute.id == dispute.id).with_for_update())
