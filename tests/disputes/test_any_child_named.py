"""Rule 13 across every page that keeps typed text (#24): the minutes, decisions, votes,
deferrals, actions, conflicts, guests, the chair's notes, learning summaries and hold reasons
refuse the full name or case number of any child whose dispute the writer may read, not only
the children on the item's own agenda, and keep nothing. A writer who may not read that child's
dispute is not refused: the refusal would tell them the child is held (rule 12).

Leo Carter (case number NS-40211) is on the frozen agenda of an earlier session the same panel
sat on, so its chair and members may read his dispute; he is on no agenda of the session the
text is written for."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from moderation.meeting import decisions, minutes
from moderation.meeting import register as meeting
from moderation.models import (
    Action,
    AgendaItem,
    Conflict,
    Dispute,
    ItemGuest,
    ItemNote,
    LearningSummary,
    LearningTheme,
    LegalHold,
    MinutesComment,
    MinutesVersion,
    PanelDecision,
    PanelSession,
    SessionStatus,
    User,
    Vote,
)
from tests.helpers import error_summary, url

LEO = {"child_name": "Leo Carter", "child_dob": date(2019, 2, 2),
       "child_case_number": "NS-40211", "referral_date": date(2026, 5, 20),
       "csc_decision_date": date(2026, 5, 22)}
LEO_RAISED = date(2026, 6, 1)
TYPED = "Leo Carter was discussed."


def _message(label):
    return f"{label} must not contain a child's name, date of birth or case number"


def _count(app, db, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


@dataclass
class Panel:
    m: object  # the Meeting (tests/conftest.py)
    item_id: int
    leo: int  # Leo's dispute

    def item(self, app, endpoint, **values):
        """The address of one of the item's pages: `panel.item(app, "meeting.vote")`."""
        return url(app, endpoint, session_id=self.m.session_id, item_id=self.item_id, **values)


def _leo_on_an_earlier_session(app, db, make_dispute, make_session, referrer):
    """Leo's dispute, waiting for panel, on the agenda of a session held on 24 November 2026 (its
    minutes approved) that the panel sat on."""
    leo = make_dispute(referrer=referrer, on=LEO_RAISED, **LEO)
    earlier = make_session(held_on=date(2026, 11, 24))
    with app.app_context():
        db.session.get(Dispute, leo).status = "queued"
        db.session.get(PanelSession, earlier).status = SessionStatus.MINUTES_APPROVED
        db.session.add(AgendaItem(session_id=earlier, dispute_id=leo, position=1))
        db.session.commit()
    return leo


@pytest.fixture
def on_the_panel(app, db, make_dispute, make_session):
    """Make `m` (a panel_meeting) a Panel with Leo on an earlier session."""

    def make(m):
        leo = _leo_on_an_earlier_session(app, db, make_dispute, make_session, m.referrer)
        with app.app_context():
            item_id = db.session.get(PanelSession, m.session_id).agenda[0].id
        return Panel(m, item_id, leo)

    return make


@pytest.fixture
def panel(panel_meeting, on_the_panel):
    """Amelia's dispute on a session in progress (8 December 2026), with Leo's elsewhere."""
    return on_the_panel(panel_meeting())


def _refused(page, label, field):
    assert page.response.status_code == 200
    assert error_summary(page) == [_message(label)]
    assert page.select_one(".govuk-error-summary a")["href"] == f"#{field}"


# During the meeting --------------------------------------------------------------------------


def test_a_vote_s_reason_naming_another_child_is_refused(app, db, as_, panel):
    as_(panel.m.chair).post_url(panel.item(app, "meeting.voting_step", step="open"))
    page = as_(panel.m.reps["health"]).post_url(panel.item(app, "meeting.vote"),
                                                {"outcome": "upheld", "reason": TYPED},
                                                _expected_status=200)
    _refused(page, "The reason", "reason")
    assert _count(app, db, Vote) == 0


def test_a_member_who_may_not_read_the_child_s_dispute_is_not_refused(app, db, as_,
                                                                       panel_meeting,
                                                                       make_dispute):
    # Leo's dispute is waiting for panel but on no agenda the health representative sits on:
    # refusing his name would tell them he is held.
    m = panel_meeting()
    make_dispute(referrer=m.referrer, **LEO)
    with app.app_context():
        item_id = db.session.get(PanelSession, m.session_id).agenda[0].id
    as_(m.chair).post("meeting.voting_step", session_id=m.session_id, item_id=item_id,
                      step="open")
    page = as_(m.reps["health"]).post("meeting.vote", {"outcome": "upheld", "reason": TYPED},
                                      _follow_redirects=True, session_id=m.session_id,
                                      item_id=item_id)
    assert error_summary(page) == []
    assert _count(app, db, Vote, Vote.reason == TYPED) == 1


def test_a_conflict_naming_another_child_is_refused(app, db, as_, panel):
    page = as_(panel.m.reps["csc"]).post_url(
        panel.item(app, "meeting.declare_conflict"),
        {"conflict-nature": "I supervised the social worker for Carter, Leo."},
        _expected_status=200)
    _refused(page, "The conflict of interest", "conflict-nature")
    assert _count(app, db, Conflict) == 0


def test_a_deferral_naming_another_child_is_refused(app, db, as_, panel):
    page = as_(panel.m.chair).post_url(panel.item(app, "meeting.defer"),
                                       {"defer-reason": "Hear it with case ns 40211 next month."},
                                       _expected_status=200)
    _refused(page, "The reason", "defer-reason")
    with app.app_context():
        assert not db.session.get(AgendaItem, panel.item_id).deferred


def test_an_action_naming_another_child_is_refused(app, db, as_, panel):
    page = as_(panel.m.chair).post_url(
        panel.item(app, "meeting.add_action"),
        {"action-description": f"Compare with {TYPED}",
         "action-owner_id": str(panel.m.chair.id), "action-working_days": "5"},
        _expected_status=200)
    _refused(page, "The action", "action-description")
    assert _count(app, db, Action) == 0


def test_a_decision_naming_another_child_is_refused(app, db, as_, panel):
    chair = as_(panel.m.chair)
    chair.post_url(panel.item(app, "meeting.voting_step", step="open"))
    for rep in panel.m.reps.values():
        as_(rep).post_url(panel.item(app, "meeting.vote"),
                          {"outcome": "upheld", "reason": "The threshold was applied correctly."})
    chair.post_url(panel.item(app, "meeting.voting_step", step="close"))
    with app.app_context():
        theme = db.session.scalar(select(LearningTheme.id).order_by(LearningTheme.position))
    page = chair.post_url(panel.item(app, "meeting.decision"), {
        "rationale": "As with LÉO CARTER, the threshold was applied correctly.",
        "themes": [theme], "feedback": "The panel upheld CSC's decision."}, _expected_status=200)
    _refused(page, "The rationale", "rationale")
    assert _count(app, db, PanelDecision) == 0


def test_an_early_start_s_reason_naming_another_child_is_refused(app, db, as_, panel_meeting,
                                                                 on_the_panel, meeting_day):
    meeting_day.move_to(datetime(2026, 12, 4, 9, tzinfo=UTC))  # the Friday before
    panel = on_the_panel(panel_meeting(started=False))
    page = as_(panel.m.chair).post(
        "meeting.chair_step", {"early_reason": "The chair is at Leo Carter's review on the 8th."},
        _expected_status=200, session_id=panel.m.session_id, step="start")
    _refused(page, "The reason for starting early", "early_reason")
    with app.app_context():
        session = db.session.get(PanelSession, panel.m.session_id)
        assert (session.status, session.early_start_reason) == ("agenda_frozen", None)


# Before the meeting: the chair's notes and guests ---------------------------------------------


@pytest.fixture
def before(panel_meeting, on_the_panel):
    return on_the_panel(panel_meeting(started=False))


def test_the_chair_s_notes_naming_another_child_are_refused(app, db, as_, before):
    notes = before.item(app, "papers.notes_page")
    chair = as_(before.m.chair)
    page = chair.post_url(notes, {"text": f"Ask CSC how this compares. {TYPED}"},
                          _expected_status=200)
    _refused(page, "Your notes", "text")
    assert _count(app, db, ItemNote) == 0
    # The item's own child may be named: the notes go when her dispute is anonymised.
    page = chair.post_url(notes, {"text": "Ask CSC about Amelia Jones's school."},
                          _follow_redirects=True)
    assert error_summary(page) == []
    assert _count(app, db, ItemNote) == 1


def test_a_guest_s_purpose_naming_another_child_is_refused(app, db, as_, before, make_user):
    guest = make_user("csc_manager", name="Casey Decider")
    page = as_(before.m.chair).post_url(
        before.item(app, "papers.guests_page"),
        {"email": guest.email, "purpose": f"To compare CSC's decision on {TYPED}"},
        _expected_status=200)
    _refused(page, "Why the guest is invited", "purpose")
    assert _count(app, db, ItemGuest) == 0


# After the meeting: the minutes, comments and actions ----------------------------------------


@pytest.fixture
def closed(app, db, panel):
    """The meeting closed with its item deferred: a draft of the minutes is circulated."""
    with app.app_context():
        session = db.session.get(PanelSession, panel.m.session_id)
        chair = db.session.get(User, panel.m.chair.id)
        decisions.defer(session.agenda[0], chair, "Waiting for the school's report")
        meeting.close(session, chair)
        db.session.commit()
    return panel


def _texts(app, db):
    with app.app_context():
        return db.session.scalars(select(MinutesVersion.texts).order_by(
            MinutesVersion.version)).all()


@pytest.mark.parametrize("typed", [
    "Leo Carter was discussed.", "carter, leo was discussed.", "Léo Carter's school.",
    "LEO CARTER", "The panel heard NS-40211 last month.", "see ns 40211", "(NS/40211)"])
def test_the_minutes_naming_another_child_are_refused(app, db, as_, closed, typed):
    before = _texts(app, db)
    page = as_(closed.m.chair).post("meeting.minutes_step", {"opening": typed},
                                    _expected_status=200, session_id=closed.m.session_id,
                                    action="save")
    _refused(page, "Opening remarks", "opening-text")
    assert _texts(app, db) == before


def test_a_correction_naming_another_child_is_refused(app, db, as_, closed):
    chair = as_(closed.m.chair)
    chair.post("meeting.minutes_step", {"opening": "Welcome."}, session_id=closed.m.session_id,
               action="save")
    with app.app_context(), app.test_request_context():  # the approved PDF is drawn
        session = db.session.get(PanelSession, closed.m.session_id)
        minutes.approve(session, minutes.latest(session), db.session.get(User, closed.m.chair.id))
        db.session.commit()
    page = chair.post("meeting.minutes_step", {"change_note": f"Item 1's summary: {TYPED}"},
                      _expected_status=200, session_id=closed.m.session_id, action="correct")
    _refused(page, "What the correction changes", "change_note-text")
    assert _count(app, db, MinutesVersion) == 1


def test_a_comment_on_the_minutes_naming_another_child_is_refused(app, db, as_, closed):
    page = as_(closed.m.reps["health"]).post(
        "meeting.minutes_comment", {"text": f"Please add: {TYPED}"}, _expected_status=200,
        session_id=closed.m.session_id, version=1)
    _refused(page, "Your comment", "text")
    assert _count(app, db, MinutesComment) == 0


def test_an_action_s_note_naming_another_child_is_refused(app, db, as_, closed):
    with app.app_context():
        session = db.session.get(PanelSession, closed.m.session_id)
        db.session.add(Action(session_id=session.id, description="Send the GP report",
                              owner_id=closed.m.reps["health"].id,
                              agency_id=closed.m.reps["health"].agency_id, working_days=5,
                              due_on=date(2026, 12, 15), created_by_id=closed.m.chair.id))
        db.session.commit()
        action_id = db.session.scalar(select(Action.id))
    page = as_(closed.m.reps["health"]).post(
        "actions.update", {"status": "not_done", "note": f"Waiting, as for {TYPED}"},
        _expected_status=200, action_id=action_id)
    _refused(page, "The note", "note")
    with app.app_context():
        action = db.session.get(Action, action_id)
        assert (action.status, action.status_note) == ("open", None)


# The partnership manager: learning summaries and legal holds ---------------------------------


@pytest.fixture
def manager(as_, make_user):
    return as_(make_user("partnership_manager"))


def test_a_learning_summary_naming_a_child_from_another_period_is_refused(
        app, db, history, make_dispute, manager):
    # Leo's dispute was raised in June, outside the summary's November and December.
    make_dispute(on=LEO_RAISED, **LEO)
    period = {"start": "2026-11-01", "end": "2026-12-31"}
    ids = [t["name"].removeprefix("text-") for t in manager.get(
        "outcomes.new_summary", **period).select("textarea[name^=text-]")]
    page = manager.post("outcomes.new_summary", {
        f"use-{ids[0]}": "yes", f"text-{ids[0]}": "A school.",
        "recommendations": f"Remember how {TYPED}"}, _expected_status=200, **period)
    assert error_summary(page) == [_message("Recommendations")]
    assert _count(app, db, LearningSummary) == 0


def test_a_hold_s_reasons_naming_another_child_are_refused(app, db, make_dispute, manager):
    held = make_dispute()
    make_dispute(on=LEO_RAISED, **LEO)
    page = manager.post("retention.hold", {"reason": f"The review of {TYPED}"},
                        _expected_status=200, dispute_id=held)
    _refused(page, "The reason", "reason")
    assert _count(app, db, LegalHold) == 0
    manager.post("retention.hold", {"reason": "A child safeguarding practice review is using it."},
                 dispute_id=held)
    with app.app_context():
        hold_id = db.session.scalar(select(LegalHold.id))
    page = manager.post("retention.release", {"reason": "Case ns-40211 has reported."},
                        _expected_status=200, hold_id=hold_id)
    _refused(page, "The reason", "reason")
    with app.app_context():
        assert db.session.get(LegalHold, hold_id).active
