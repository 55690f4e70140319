"""Minutes: the data from the meeting, the PDF read back, approval that locks, corrections that
make new versions."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from moderation.meeting import conflicts, decisions, minutes, register, voting
from moderation.models import (
    LearningTheme,
    MinutesVersion,
    PanelMember,
    PanelSession,
    SessionStatus,
    User,
)
from moderation.web.boundary import Refusal
from tests.conftest import error_summary, page, pdf_pages, post, sign_in, url


@pytest.fixture
def held(app, db, panel_meeting):
    """A meeting held and closed: item 1 decided 2-1 with dissent, item 2 deferred."""
    m = panel_meeting(disputes=({"child_name": "Amelia Jones"}, {"child_name": "Noah Patel"}))
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        chair = db.session.get(User, m.chair.id)
        first, second = session.agenda
        csc = db.session.get(PanelMember, m.members[m.reps["csc"].id])
        conflicts.declare_conflict(session, second, chair, csc,
                                   "Line manager of the decision maker")
        voting.open_voting(first, chair)
        for kind, outcome in (("health", "overturn_s17"), ("police", "overturn_s17"),
                              ("csc", "upheld")):
            voting.cast_vote(first, db.session.get(User, m.reps[kind].id), outcome,
                             f"{kind} reason")
        voting.close_voting(first, chair)
        theme = db.session.scalars(select(LearningTheme).order_by(LearningTheme.position)).first()
        decisions.record_decision(first, chair, rationale="Threshold met on the history.",
                                  feedback="CSC will assess.", theme_ids=[theme.id],
                                  dissent="CSC said universal services were enough.")
        decisions.defer(second, chair, "Waiting for the GP's report")
        register.close(session, chair)
        db.session.commit()
    return m


def _minutes(app, held, action):
    return url(app, "meeting.minutes_step", session_id=held.session_id, action=action)


def _save_and_approve(client, app, held, texts, version):
    """The chair's "Save and approve", then "Approve version N" on the confirmation page."""
    response = post(client, _minutes(app, held, "approve"), texts)
    confirm = url(app, "meeting.minutes_approve", session_id=held.session_id, version=version)
    assert response.location == confirm
    return post(client, confirm, {"confirm": "yes"}, follow_redirects=True)


def _pdf(app, held, version):
    return url(app, "meeting.minutes_pdf", session_id=held.session_id, version=version)


def test_closing_the_meeting_drafts_version_one(app, db, held):
    with app.app_context():
        session = db.session.get(PanelSession, held.session_id)
        [draft] = minutes.versions(session)
        assert (draft.version, draft.status) == (1, "draft")
        assert session.status == SessionStatus.MINUTES_DRAFT


def test_the_minutes_data_tells_the_meeting_without_names(app, db, held):
    with app.app_context(), app.test_request_context():
        session = db.session.get(PanelSession, held.session_id)
        data = minutes.minutes_data(session, minutes.latest(session))
    assert [p["name"] for p in data["attendance"]["present"]] == [
        "Health Rep", "Police Rep", "Children's social care Rep", "Pat Chair"]
    assert data["quorum"] == "The panel is quorate."
    assert data["conflicts"][0]["nature"] == "Line manager of the decision maker"
    first, second = data["agenda_items"]
    assert first["initials"] == "AJ" and second["initials"] == "NP"
    assert first["decision"]["method"] == "majority"
    assert first["decision"]["dissenting"] == ["Northshire Children's Social Care"]
    assert [v["agency"] for v in first["votes"]] == [
        "Northshire Health", "Northshire Police", "Northshire Children's Social Care"]
    assert second["deferred"] == "Waiting for the GP's report"
    assert "Amelia" not in str(data) and "2021" not in str(data)


def test_the_pdf_is_marked_numbered_and_says_draft_until_approved(app, db, held):
    with app.app_context(), app.test_request_context():
        session = db.session.get(PanelSession, held.session_id)
        draft = minutes.latest(session)
        pages = pdf_pages(minutes.pdf_bytes(session, draft))
        for number, text in enumerate(pages, start=1):
            assert text.count("OFFICIAL-SENSITIVE") == 2
            assert f"Page {number} of {len(pages)}" in text
            assert "DRAFT" in text
        text = " ".join(pages)
        assert "Overturn: refer for a child and family assessment (s17), by majority" in text
        assert "CSC said universal services were enough." in text
        assert "health reason" in text and "Amelia" not in text
        minutes.approve(session, draft, db.session.get(User, held.chair.id))
        approved = pdf_pages(minutes.pdf_bytes(session, draft))
        assert not any("DRAFT" in page for page in approved)
        assert "approved by Pat Chair" in " ".join(approved)


def test_the_pdf_declares_pdf_ua_and_its_title(app, db, held):
    with app.app_context(), app.test_request_context():
        session = db.session.get(PanelSession, held.session_id)
        body = minutes.pdf_bytes(session, minutes.latest(session))
    reader = PdfReader(io.BytesIO(body))
    metadata = reader.xmp_metadata
    assert b"pdfuaid:part" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert reader.metadata.title.startswith("Threshold moderation panel: minutes of 8 December")
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert metadata is not None


def test_approved_minutes_are_locked_and_a_correction_is_a_new_version(app, db, held):
    with app.app_context(), app.test_request_context():
        session = db.session.get(PanelSession, held.session_id)
        chair = db.session.get(User, held.chair.id)
        first = minutes.latest(session)
        minutes.approve(session, first, chair)
        original = first.pdf
        with pytest.raises(Refusal, match="Approved minutes cannot change"):
            minutes.edit(first, chair, {"opening": "Changed"})
        with pytest.raises(Refusal, match="Say what the correction changes"):
            minutes.correct(session, chair, " ")
        second = minutes.correct(session, chair, "Item 1: the police vote reason was wrong")
        minutes.edit(second, chair, {"opening": "Corrected.", "items": {}})
        minutes.approve(session, second, chair)
        assert [v.version for v in minutes.versions(session)] == [1, 2]
        assert minutes.pdf_bytes(session, first) == original
        text = " ".join(pdf_pages(minutes.pdf_bytes(session, second)))
        assert "What this version changes" in text
        assert "Item 1: the police vote reason was wrong" in text
        assert "Earlier versions Version 1" in text


def test_the_chair_edits_approves_and_both_versions_download(app, db, held):
    client = app.test_client()
    sign_in(client, held.chair)
    response = post(client, _minutes(app, held, "approve"), {"opening": "x" * 4001})
    assert error_summary(response) == ["Each part of the minutes must be 4000 characters or fewer"]
    _save_and_approve(client, app, held, {"opening": "The chair welcomed members."}, 1)
    response = post(client, _minutes(app, held, "correct"), {"change_note": ""})
    assert error_summary(response) == ["Say what the correction changes"]
    post(client, _minutes(app, held, "correct"), {"change_note": "Fixed a typo"})
    _save_and_approve(client, app, held, {"opening": "The chair welcomed all members."}, 2)
    first, second = client.get(_pdf(app, held, 1)), client.get(_pdf(app, held, 2))
    assert first.mimetype == second.mimetype == "application/pdf"
    assert "welcomed members" in " ".join(pdf_pages(first.data))
    assert "welcomed all members" in " ".join(pdf_pages(second.data))
    with app.app_context():
        assert db.session.query(MinutesVersion).count() == 2
    member = app.test_client()
    sign_in(member, held.reps["police"])
    assert member.get(_pdf(app, held, 2)).status_code == 200
    assert post(member, _minutes(app, held, "approve")).status_code == 403


def test_a_draft_that_names_a_child_is_refused_and_stays_as_it_was(app, db, held, monkeypatch):
    rendered = []
    monkeypatch.setattr(minutes.pdf, "render", lambda html: rendered.append(html) or b"%PDF")
    client = app.test_client()
    sign_in(client, held.chair)
    with app.app_context():
        before = dict(minutes.latest(db.session.get(PanelSession, held.session_id)).texts)
        second = db.session.get(PanelSession, held.session_id).agenda[1].id
    typed = "The panel heard about the patel family's housing."
    response = post(client, _minutes(app, held, "save"),
                    {"opening": "Welcome.", f"item-{second}": typed})
    assert error_summary(response) == [
        "The summary of item 2 must not contain a child's name, date of birth or case number"]
    link = page(response).select_one(".govuk-error-summary a")["href"]
    assert link == f"#item-{second}" and page(response).select_one(link).get_text() == typed
    for part, text, label in (("opening", "Amelia Jones's case first.", "Opening remarks"),
                              ("closing", "Noah was born 1st Jan 2021.", "Any other business")):
        with app.app_context():
            dob = db.session.get(PanelSession, held.session_id).agenda[1].dispute.child_dob
        text = text.replace("1st Jan 2021", f"{dob.day} {dob:%B %Y}")
        response = post(client, _minutes(app, held, "approve"), {part: text})
        assert error_summary(response) == [
            f"{label} must not contain a child's name, date of birth or case number"]
    with app.app_context():
        draft = minutes.latest(db.session.get(PanelSession, held.session_id))
        assert (draft.status, draft.texts) == ("draft", before)
    assert rendered == []  # never drawn, never approved


def test_a_correction_note_that_names_a_child_is_refused(app, db, held):
    client = app.test_client()
    sign_in(client, held.chair)
    _save_and_approve(client, app, held, {"opening": "Welcome."}, 1)
    response = post(client, _minutes(app, held, "correct"),
                    {"change_note": "Item 1 is about Amelia Jones"})
    assert error_summary(response) == ["What the correction changes must not contain a child's "
                                       "name, date of birth or case number"]
    with app.app_context():
        assert len(minutes.versions(db.session.get(PanelSession, held.session_id))) == 1


def _pdf_text(app, db, held, **session_changes):
    with app.app_context(), app.test_request_context():
        session = db.session.get(PanelSession, held.session_id)
        for name, value in session_changes.items():
            setattr(session, name, value)
        return " ".join(pdf_pages(minutes.pdf_bytes(session, minutes.latest(session))))


@pytest.mark.parametrize(("place", "link", "said"), [
    ("Online", "https://meet.example.org/panel", "Online"),
    (None, "https://meet.example.org/panel", "Online"),
    ("Council House, Room 2", "https://meet.example.org/panel",
     "Council House, Room 2 and online"),
    ("Council House, Room 2", None, "Council House, Room 2"),
])
def test_the_minutes_say_where_the_panel_met_once(app, db, held, place, link, said):
    text = _pdf_text(app, db, held, place=place, online_link=link)
    # The facts' values are read after their names: date and time, place, version.
    assert f"8 December 2026, 10:00 {said} 1, draft" in text


def test_typed_text_that_ends_a_sentence_gets_no_second_full_stop(app, db, held):
    with app.app_context():
        theme = db.session.scalars(select(LearningTheme).order_by(LearningTheme.position)).first()
        theme.name = "Incomplete or unclear referral."
        db.session.commit()
    text = _pdf_text(app, db, held)
    assert "Dissent: Northshire Children's Social Care: CSC said universal services were " \
           "enough. Rationale" in text
    assert "Learning themes: Incomplete or unclear referral. Feedback" in text
    assert ".." not in text


def test_a_sentence_from_typed_text_ends_with_one_full_stop():
    from markupsafe import Markup

    from moderation.web.formatting import full_stop

    assert [full_stop(t) for t in ("enough", "enough.", "enough. ", "really?", "(as agreed.)",
                                   'said "no."', "wait\u2026", "")] == [
        "enough.", "enough.", "enough.", "really?", "(as agreed.)", 'said "no."', "wait\u2026", ""]
    assert full_stop(Markup("A &amp; B")) == Markup("A &amp; B.")
    assert full_stop(Markup("said &#34;no.&#34;")) == Markup("said &#34;no.&#34;")
