"""A frozen panel with case papers: CSC's record, the referrer's additions and documents."""

import hashlib
from datetime import date

import pytest

from moderation.models import (
    AgendaItem,
    Dispute,
    DisputeAddition,
    DisputeDocument,
    ItemGuest,
    PanelSession,
    User,
)
from moderation.models.types import utcnow

SECRET_SENTENCE = "The contact record says the kitchen door was padlocked on 3 November."


@pytest.fixture
def papers(app, db, panel_meeting, make_user):
    """Two items on a frozen agenda, not yet started: the first with CSC's record, an addition
    and two documents (one withdrawn), the second with none of them."""
    m = panel_meeting(disputes=({}, {"child_name": "Noah Smith"}), started=False)
    csc = make_user("csc_manager", name="Casey Manager")
    with app.app_context():
        first = db.session.get(Dispute, m.dispute_ids[0])
        first.csc_rationale = "Universal services were already supporting the family."
        first.csc_decision_maker_id = csc.id
        first.csc_authorising_manager_name = "Alex Authoriser"
        first.csc_told_referrer_on = date(2026, 11, 5)
        first.csc_told_referrer_how = "phone"
        addition = DisputeAddition(dispute_id=first.id, author_id=m.referrer.id, stage_position=2,
                                   text="A further visit found no food in the house.")
        db.session.add(addition)
        db.session.add(_document(first.id, m.referrer.id, "contact-record.txt",
                                 SECRET_SENTENCE.encode()))
        withdrawn = _document(first.id, m.referrer.id, "draft-chronology.txt", b"old draft")
        withdrawn.withdrawn_at = utcnow()
        withdrawn.withdrawn_by_id = m.referrer.id
        withdrawn.withdrawal_reason = "Superseded by the full chronology"
        db.session.add(withdrawn)
        db.session.commit()
    return m


def _document(dispute_id, user_id, name, content):
    return DisputeDocument(dispute_id=dispute_id, document_type="contact_record", filename=name,
                           file_kind="txt", media_type="text/plain", size=len(content),
                           sha256=hashlib.sha256(content).hexdigest(), content=content,
                           added_by_id=user_id)


def items(app, db, session_id):
    with app.app_context():
        session = db.session.get(PanelSession, session_id)
        return [item.id for item in session.agenda]


def invite(app, db, item_id, guest, chair):
    """Invite `guest` to the item as the chair would (the service, with its notice)."""
    from moderation.papers import guests

    with app.app_context():
        item = db.session.get(AgendaItem, item_id)
        invited = guests.invite(item, db.session.get(User, chair.id), guest.email,
                                "to present the referral")
        db.session.commit()
        return invited.id


def guest_row(app, db, guest_id):
    with app.app_context():
        return db.session.get(ItemGuest, guest_id)
