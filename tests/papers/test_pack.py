"""The papers pack: one PDF per member for a frozen agenda, read back as a member reads it."""

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from moderation.models import AgendaItem, AuditEvent, PanelSession, User
from tests.conftest import heading, pdf_pages, url
from tests.helpers import client_for, counting_queries
from tests.papers.conftest import SECRET_SENTENCE

SECTIONS = ("The referral record", "CSC's decision as the referrer was told it", "CSC's record",
            "The challenge", "Stage-by-stage responses", "The referrer's additions", "Documents")


def _pack(app, m, reader):
    response = client_for(app, reader).get(url(app, "papers.pack_pdf", session_id=m.session_id))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data


def test_the_pack_has_the_agenda_with_times_and_every_section_for_each_item(app, db, papers):
    pages = pdf_pages(_pack(app, papers, papers.reps["health"]))
    text = " ".join(pages)
    assert "Threshold moderation panel: papers for 8 December 2026" in pages[0]
    # The agenda: the session starts at 10:00 and each item takes its minutes in turn.
    assert "10:00 to 10:20: item 1" in pages[0]
    assert "10:20 to 10:40: item 2" in pages[0]
    first, second = text.index("Item 1: D-"), text.index("Item 2: D-")
    for section in SECTIONS:
        assert section in text[first:second], section
        assert section in text[second:], section
    assert "Noah Smith" in text[second:]


def test_the_pack_holds_csc_record_the_stages_the_additions_and_the_documents_list(app, db,
                                                                                   papers):
    text = " ".join(pdf_pages(_pack(app, papers, papers.reps["health"])))
    first = text[text.index("Item 1: D-"):text.index("Item 2: D-")]
    second = text[text.index("Item 2: D-"):]
    assert "Universal services were already supporting the family." in first
    assert "Casey Manager" in first and "Alex Authoriser" in first
    assert "5 November 2026, by phone" in first
    assert "Skipped: test" in first  # the fixture's stages were skipped with a reason
    assert "New, added" in first and "A further visit found no food in the house." in first
    assert "contact-record.txt" in first and "CSC's contact record, TXT" in first
    assert "draft-chronology.txt (withdrawn)" in first
    assert "Superseded by the full chronology" in first
    # The second item has no CSC record: it says so rather than leaving blanks or "None".
    assert "Rationale Not recorded" in second
    assert "Authorising manager Not recorded" in second
    assert "None" not in second.replace("None.", "")


def test_the_pack_never_inlines_a_document(app, db, papers):
    text = " ".join(pdf_pages(_pack(app, papers, papers.reps["health"])))
    assert "contact-record.txt" in text
    assert "padlocked" not in text and SECRET_SENTENCE not in text


def test_every_page_carries_the_marking_the_page_number_and_the_reader(app, db, papers):
    pages = pdf_pages(_pack(app, papers, papers.reps["police"]))
    assert len(pages) >= 3  # the cover and agenda, then each item from a new page
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in text, number
        assert f"Page {number} of {len(pages)}" in text, number
        assert "Prepared for Police Rep, 8 December 2026" in text, number


def test_each_member_gets_a_pack_in_their_own_name(app, db, papers):
    chair = pdf_pages(_pack(app, papers, papers.chair))
    assert all("Prepared for Pat Chair" in text for text in chair)
    assert not any("Police Rep" in text for text in chair)


def test_the_pack_is_a_tagged_accessible_pdf(app, db, papers):
    reader = PdfReader(io.BytesIO(_pack(app, papers, papers.reps["csc"])))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title == "Threshold moderation panel: papers for 8 December 2026"


def test_downloading_the_pack_is_audited(app, db, papers):
    _pack(app, papers, papers.reps["health"])
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "papers_pack_downloaded")).all()
        assert [(e.actor_id, e.object_id) for e in events] == [
            (papers.reps["health"].id, str(papers.session_id))]


def test_the_pack_runs_the_same_queries_for_few_or_many_items(app, db, papers, queue_disputes):
    client = client_for(app, papers.reps["health"])
    address = url(app, "papers.pack_pdf", session_id=papers.session_id)
    client.get(address)
    with counting_queries(app) as few:
        assert client.get(address).status_code == 200
    more = queue_disputes({}, {}, {})
    with app.app_context():
        session = db.session.get(PanelSession, papers.session_id)
        for position, dispute_id in enumerate(more, start=len(session.agenda) + 1):
            db.session.add(AgendaItem(session_id=session.id, dispute_id=dispute_id,
                                      position=position, minutes=20))
        db.session.commit()
    with counting_queries(app) as many:
        body = client.get(address).data
    assert "Item 5: D-" in " ".join(pdf_pages(body))
    assert many["n"] == few["n"]


def test_the_chair_prints_the_agenda_alone(app, db, papers):
    response = client_for(app, papers.chair).get(
        url(app, "papers.agenda_pdf", session_id=papers.session_id))
    pages = pdf_pages(response.data)
    assert "10:00 to 10:20: item 1" in pages[0]
    assert "Prepared for Pat Chair" in pages[0]
    assert "The referral record" not in " ".join(pages)
    # A representative is not offered it, and is told it is not there, as for any record they
    # may not read.
    representative = client_for(app, papers.reps["health"])
    refused = representative.get(url(app, "papers.agenda_pdf", session_id=papers.session_id))
    assert (refused.status_code, heading(refused)) == (404, "Page not found")


def test_the_agenda_alone_is_titled_as_an_agenda_not_as_papers(app, db, papers):
    body = client_for(app, papers.chair).get(
        url(app, "papers.agenda_pdf", session_id=papers.session_id)).data
    first = " ".join(pdf_pages(body)[0].split())
    assert first.startswith("Northshire Safeguarding Children Partnership Threshold moderation "
                            "panel: agenda for 8 December 2026")
    assert "papers" not in first
    assert re.search(r"10:00 to 10:20: item 1, D-\d{4}-\d{4} \(child [A-Z]+\), 20 minutes", first)
    assert "Keep this agenda securely and destroy it after the meeting." in first
    reader = PdfReader(io.BytesIO(body))
    assert reader.metadata.title == "Threshold moderation panel: agenda for 8 December 2026"
    pack = " ".join(pdf_pages(_pack(app, papers, papers.chair))[0].split())
    assert "Threshold moderation panel: papers for 8 December 2026" in pack
    assert "Keep these papers securely and destroy them after the meeting." in pack


def test_members_find_the_pack_on_the_session_page(app, db, papers):
    from tests.conftest import page

    member = page(client_for(app, papers.reps["health"]).get(
        url(app, "panels.show", session_id=papers.session_id)))
    links = {a.get_text(" ", strip=True): a["href"] for a in member.select("main a")}
    assert links["Download the papers pack (PDF)"] == url(app, "papers.pack_pdf",
                                                         session_id=papers.session_id)
    assert "Print the agenda (PDF)" not in links
    chair = page(client_for(app, papers.chair).get(
        url(app, "panels.show", session_id=papers.session_id)))
    assert "Print the agenda (PDF)" in [a.get_text(" ", strip=True) for a in chair.select("main a")]


def test_no_pack_before_the_agenda_is_frozen(app, db, panel_meeting):
    m = panel_meeting(frozen=False)
    with app.app_context():
        assert db.session.get(User, m.chair.id) is not None
    response = client_for(app, m.reps["health"]).get(
        url(app, "papers.pack_pdf", session_id=m.session_id))
    assert response.status_code == 404
