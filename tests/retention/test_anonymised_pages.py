"""Papers and pages that still show an anonymised dispute: a past session's pack says the
child's details were removed, and its meeting item shows no empty brackets where the child's
initials were."""

from datetime import date

from sqlalchemy import select

from moderation.extensions import db as _db
from moderation.models import AgendaItem, Dispute
from moderation.retention import anonymise
from tests.conftest import client_for, heading, pdf_pages, url

ANONYMISED_ON = date(2033, 1, 10)


def _anonymise(app, dispute_ids):
    """Anonymise the session's disputes as the retention job would; their children's names."""
    with app.app_context():
        names = [_db.session.get(Dispute, d).child_name for d in dispute_ids]
        anonymise.anonymise(dispute_ids, ANONYMISED_ON)
        _db.session.commit()
    return names


def test_a_past_sessions_pack_says_the_childs_details_were_removed(app, history):
    names = _anonymise(app, history.dispute_ids)
    chair = client_for(app, history.chair)
    response = chair.get(url(app, "papers.pack_pdf", session_id=history.session_id))
    text = " ".join(pdf_pages(response.data))
    assert "Child Removed under the retention schedule on 10 January 2033" in text
    for key in ("Child", "Date of birth", "Case number"):
        assert f"{key} None" not in text
    assert not any(name in text for name in names)


def test_the_meeting_item_of_an_anonymised_dispute_has_no_empty_initials(app, history):
    _anonymise(app, history.dispute_ids)
    chair = client_for(app, history.chair)
    with app.app_context():
        first = _db.session.get(Dispute, history.dispute_ids[0])
        reference, item_id = first.reference, _item_of(history.session_id, first.id)
    response = chair.get(url(app, "meeting.item", session_id=history.session_id,
                             item_id=item_id))
    assert heading(response) == f"Dispute {reference}"


def _item_of(session_id, dispute_id):
    return _db.session.scalar(select(AgendaItem.id).where(
        AgendaItem.session_id == session_id, AgendaItem.dispute_id == dispute_id))
