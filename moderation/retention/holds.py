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
from moderation.web.boundary import Refusal

RELEASED_LISTED = 50  # the holds page lists the most recently released, not every one ever


def place(dispute, actor, reason):
    """Hold `dispute`, with the reason (required; it must not name the child, as the holds
    list shows it to people who may not read the dispute). Audited."""
    text = _reason(dispute, actor, reason, "Enter why the dispute is held")
    _lock(dispute)
    if dispute.anonymised:
        raise Refusal("The dispute has been anonymised: there is nothing left to hold")
    if active_hold(dispute) is not None:
        raise Refusal("The dispute is already on legal hold")
    hold = LegalHold(dispute=dispute, reason=text, placed_by_id=actor.id, placed_at=utcnow())
    db.session.add(hold)
    db.session.flush()
    audit.record("legal_hold_placed", dispute, actor=actor, hold_id=hold.id)
    return hold


def release(hold, actor, reason):
    """Release `hold`, with the reason (required): the retention job may then anonymise the
    dispute when it is due. Audited."""
    text = _reason(hold.dispute, actor, reason, "Enter why the hold is released")
    if not hold.active:
        raise Refusal("The hold has already been released")
    hold.released_at, hold.released_by_id, hold.release_reason = utcnow(), actor.id, text
    db.session.flush()
    audit.record("legal_hold_released", hold.dispute, actor=actor, hold_id=hold.id)
    return hold


def active_hold(dispute):
    """The dispute's hold in force, read afresh from the database, or None."""
    return db.session.scalars(select(LegalHold).where(
        LegalHold.dispute_id == dispute.id, LegalHold.released_at.is_(None))).first()


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
