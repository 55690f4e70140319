"""One item's papers (rule 12, per record) and the chair's private notes."""

from datetime import date

import pytest
from sqlalchemy import select

from moderation.models import AuditEvent, PanelSession, User
from moderation.panels import agenda
from tests.conftest import error_summary, heading, page, pdf_pages, post, url
from tests.helpers import client_for
from tests.papers.conftest import invite, items


def _papers(app, m, item_id):
    return url(app, "papers.item", session_id=m.session_id, item_id=item_id)


def test_a_member_reads_an_items_papers_and_the_reading_is_audited(app, db, papers):
    first, _ = items(app, db, papers.session_id)
    response = client_for(app, papers.reps["health"]).get(_papers(app, papers, first))
    assert heading(response).startswith("Dispute D-2026-")
    assert "Amelia Jones" in response.text
    assert "contact-record.txt" in response.text
    assert "You are a guest" not in response.text
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "dispute_viewed")).all()[-1]
        assert event.actor_id == papers.reps["health"].id
        assert event.detail["page"] == "papers"


@pytest.fixture
def strangers(app, db, papers, make_user, make_member, make_session):
    """People who hold a role that reads papers somewhere, but not these papers."""
    later = make_user("panel_member", name="Later Member")
    make_member(later, joined_on=date(2026, 12, 9))  # sits on sessions after this one
    make_session(held_on=date(2027, 1, 12))
    other_chair = make_user("chair", name="Other Chair")
    make_member(other_chair, role="chair", joined_on=date(2026, 12, 9))
    _, second = items(app, db, papers.session_id)
    guest_of_second = make_user("csc_manager", name="Second Guest")
    invite(app, db, second, guest_of_second, papers.chair)
    return {
        "a panel member not on the panel": make_user("panel_member"),
        "a member of another session": later,
        "a chair of another session": other_chair,
        "the referrer, not invited": papers.referrer,
        "a guest of another item": guest_of_second,
    }


def test_nobody_else_reads_the_papers(app, db, papers, strangers):
    first, _ = items(app, db, papers.session_id)
    for who, user in strangers.items():
        response = client_for(app, user).get(_papers(app, papers, first))
        assert response.status_code == 404, who
        assert heading(response) == "Page not found", who
        assert "Amelia Jones" not in response.text, who


def test_a_guest_reads_their_item_only_and_is_told_they_do_not_vote(app, db, papers, make_user):
    first, second = items(app, db, papers.session_id)
    guest = make_user("referrer", name="Gill Guest")
    invite(app, db, first, guest, papers.chair)
    client = client_for(app, guest)
    response = client.get(_papers(app, papers, first))
    assert heading(response).startswith("Dispute D-2026-")
    mark = page(response).select_one("#guest-mark").get_text(" ", strip=True)
    assert "You are a guest at this item: to present the referral" in mark
    assert "Guests do not vote" in mark
    assert "Amelia Jones" in response.text
    for address in (_papers(app, papers, second),
                    url(app, "papers.pack_pdf", session_id=papers.session_id),
                    url(app, "meeting.show", session_id=papers.session_id),
                    url(app, "panels.show", session_id=papers.session_id)):
        refused = client.get(address)
        assert refused.status_code in (403, 404), address
        assert "Noah Smith" not in refused.text and "Amelia Jones" not in refused.text


def test_a_panel_member_invited_as_a_guest_reads_only_that_item(app, db, papers, make_user):
    first, second = items(app, db, papers.session_id)
    guest = make_user("panel_member", name="Guest Member")
    invite(app, db, second, guest, papers.chair)
    client = client_for(app, guest)
    assert "Noah Smith" in client.get(_papers(app, papers, second)).text
    assert client.get(_papers(app, papers, first)).status_code == 404
    assert client.get(url(app, "meeting.item", session_id=papers.session_id,
                          item_id=second)).status_code == 404


def test_a_guest_reads_nothing_before_the_freeze_or_after_the_meeting(app, db, panel_meeting,
                                                                       make_user):
    m = panel_meeting(frozen=False)

    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        agenda.add_item(session, db.session.get(User, m.chair.id), m.dispute_ids[0])
        db.session.commit()
        item_id = session.agenda[0].id
    guest = make_user("referrer", name="Early Guest")
    invite(app, db, item_id, guest, m.chair)
    client = client_for(app, guest)
    assert client.get(_papers(app, m, item_id)).status_code == 404  # not frozen yet
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        agenda.freeze(session, db.session.get(User, m.chair.id))
        db.session.commit()
    assert "Amelia Jones" in client.get(_papers(app, m, item_id)).text
    with app.app_context():
        db.session.get(PanelSession, m.session_id).status = "minutes_draft"
        db.session.commit()
    assert client.get(_papers(app, m, item_id)).status_code == 404  # the meeting has ended


# The chair's private notes ---------------------------------------------------------------------


@pytest.fixture
def deputy_chair(app, papers, make_user, make_member):
    deputy = make_user("chair", name="Dana Deputy")
    make_member(deputy, role="deputy_chair")
    return deputy


def _notes(app, m, item_id):
    return url(app, "papers.notes_page", session_id=m.session_id, item_id=item_id)


def test_the_chair_keeps_private_notes_the_deputy_reads_and_members_never_see(
        app, db, papers, deputy_chair, make_user, make_member):
    first, _ = items(app, db, papers.session_id)
    chair = client_for(app, papers.chair)
    response = post(chair, _notes(app, papers, first),
                    {"text": "Ask CSC why the second visit was not logged."},
                    follow_redirects=True)
    notes = page(response).select_one("#private-notes").get_text(" ", strip=True)
    assert "Your private notes" in notes
    assert "Only the chair and deputy chair see these" in notes
    assert "Ask CSC why the second visit was not logged." in notes

    deputy = client_for(app, deputy_chair).get(_papers(app, papers, first))
    assert "Ask CSC why the second visit was not logged." in deputy.text

    representative = client_for(app, papers.reps["health"])
    assert "Ask CSC why" not in representative.get(_papers(app, papers, first)).text
    assert representative.get(_notes(app, papers, first)).status_code == 404
    pack = representative.get(url(app, "papers.pack_pdf", session_id=papers.session_id))
    assert "Ask CSC why" not in " ".join(pdf_pages(pack.data))

    other_chair = make_user("chair", name="Chair Elsewhere")
    response = client_for(app, other_chair).get(_notes(app, papers, first))
    assert response.status_code == 404 and "Ask CSC why" not in response.text


def test_notes_too_long_are_refused_with_a_gov_uk_error(app, db, papers):
    first, _ = items(app, db, papers.session_id)
    response = post(client_for(app, papers.chair), _notes(app, papers, first),
                    {"text": "x" * 5001})
    assert error_summary(response) == ["Your notes must be 5000 characters or fewer"]


def test_notes_close_when_the_minutes_are_approved(app, db, papers):
    first, _ = items(app, db, papers.session_id)
    with app.app_context():
        db.session.get(PanelSession, papers.session_id).status = "minutes_approved"
        db.session.commit()
    assert client_for(app, papers.chair).get(_notes(app, papers, first)).status_code == 404


def test_the_papers_page_runs_the_same_queries_for_few_or_many_papers(app, db, papers):
    """Additions, documents, stages and concerns are each read in one query for the item,
    however many it has (issue #27: no page's queries grow with its rows)."""
    from moderation.models import DisputeAddition
    from tests.helpers import counting_queries
    from tests.papers.conftest import _document

    first, second = items(app, db, papers.session_id)
    member = client_for(app, papers.reps["health"])
    counts = {}
    for name, item_id in (("bare", second), ("with papers", first)):
        with counting_queries(app) as queries:
            assert member.get(_papers(app, papers, item_id)).status_code == 200
        counts[name] = queries["n"]
    with app.app_context():
        for number in range(4):
            db.session.add(DisputeAddition(dispute_id=papers.dispute_ids[0], stage_position=2,
                                           author_id=papers.referrer.id, text=f"More {number}."))
            db.session.add(_document(papers.dispute_ids[0], papers.referrer.id,
                                     f"note-{number}.txt", b"a note"))
        db.session.commit()
    with counting_queries(app) as queries:
        response = member.get(_papers(app, papers, first))
    assert "note-3.txt" in response.text and "More 3." in response.text
    assert counts["bare"] == counts["with papers"] == queries["n"]
