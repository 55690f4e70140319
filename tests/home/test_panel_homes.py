"""The chair's and panel members' homes, and the referrer's list (issue #25, points 2 to 4):
the chair's home and the queue say the same number waiting; a session whose meeting is over is
not one of the "Next sessions"; members read which draft minutes they may comment on, and until
when; lists use the page's full width and say nothing twice."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from moderation.models import Dispute, PanelSession, SessionStatus, User
from moderation.panels import agenda
from tests.helpers import ClientRequest, client_for, close_with_the_deputy_standing_in, words

# Point 3: one number waiting, and sessions still to come ----------------------------------------


def test_the_chairs_home_and_the_queue_say_the_same_number_waiting(
        app, db, client_request, signed_in, queue_disputes, make_session, make_user,
        on_a_monday):
    chair = signed_in("chair", seat="chair")
    # Five queued: one goes onto a frozen agenda, one onto a draft agenda, one is urgent (it
    # waits in the chair's urgent box, never in the monthly queue), two are waiting.
    frozen_one, drafted_one, urgent, *waiting = queue_disputes(
        {"level_of_need": 4}, {"level_of_need": 3}, {"immediate_risk": True}, {}, {})
    frozen = make_session(held_on=date(2026, 12, 8), capacity=1)
    draft = make_session(held_on=date(2027, 1, 12), capacity=8)
    with app.app_context():
        actor = db.session.get(User, chair.id)
        agenda.freeze(db.session.get(PanelSession, frozen), actor)
        agenda.add_item(db.session.get(PanelSession, draft), actor, drafted_one)
        db.session.commit()
        on_agenda = db.session.get(PanelSession, frozen).agenda[0].dispute_id
        assert on_agenda == frozen_one
        references = {d.id: d.reference for d in db.session.scalars(sa.select(Dispute))}

    home = client_request.get("home.chair")
    assert "2 disputes are waiting for the panel." in words(home)
    queue = client_request.get("disputes.panel_queue")
    assert "2 disputes waiting." in words(queue)
    listed = [a.get_text(strip=True) for a in queue.select("tbody tr td:first-child a")]
    assert listed == [references[ident] for ident in waiting]


def test_with_nothing_waiting_the_chairs_home_says_so_in_words(client_request, signed_in,
                                                                on_a_monday):
    signed_in("chair", seat="chair")
    home = words(client_request.get("home.chair"))
    assert "No disputes are waiting for the panel." in home
    assert "0 disputes" not in home


def _held_today_minutes_approved(app, db, make_session):
    """A session held today (Monday 23 November 2026) whose minutes are approved, and one to
    come on 8 December."""
    held = make_session(held_on=date(2026, 11, 23))
    make_session(held_on=date(2026, 12, 8))
    with app.app_context():
        db.session.get(PanelSession, held).status = SessionStatus.MINUTES_APPROVED
        db.session.commit()


@pytest.mark.parametrize("role, seat, endpoint", [
    ("chair", "chair", "home.chair"), ("panel_member", "representative", "home.panel_member")])
def test_a_held_session_with_approved_minutes_is_not_a_next_session(
        app, db, client_request, signed_in, make_session, on_a_monday, role, seat, endpoint):
    signed_in(role, seat=seat)
    _held_today_minutes_approved(app, db, make_session)
    home = client_request.get(endpoint)
    upcoming = home.find("h2", string="Next sessions").find_next("ul")
    assert "8 December 2026" in words(upcoming)
    assert "23 November 2026" not in words(upcoming)
    # It is a past session on the schedule, not lost from both lists.
    schedule = client_request.get("panels.schedule")
    past = schedule.find("caption", string="Past sessions").parent
    assert "23 November 2026" in words(past)


# Point 2: draft minutes open for comment ---------------------------------------------------------


@pytest.fixture
def closed(app, db, panel_meeting):
    """The meeting on Tuesday 8 December 2026 closes with its item deferred: the draft minutes
    go to the members present (the police representative sent apologies; their deputy stood
    in), who comment until the end of 15 December."""
    m = panel_meeting()
    close_with_the_deputy_standing_in(app, db, m)
    return m


def _minutes_open(app, user, endpoint="home.panel_member"):
    section = ClientRequest(client_for(app, user)).get(endpoint).find(id="minutes-open")
    return " ".join(section.find_next("ul").get_text().split()) if section else None


def test_members_present_read_which_draft_minutes_they_may_comment_on_and_until_when(
        app, closed, meeting_day):
    expected = ("Minutes of the panel session on 8 December 2026: comment by the end of "
                "15 December 2026.")
    assert _minutes_open(app, closed.reps["health"]) == expected
    assert _minutes_open(app, closed.deputy) == expected  # stood in, so present
    # Not the representative who sent apologies, nor the chair, who answers in the draft.
    assert _minutes_open(app, closed.reps["police"]) is None
    assert _minutes_open(app, closed.chair, "home.chair") is None

    meeting_day.move_to(datetime(2026, 12, 15, 17, 0, tzinfo=UTC))
    assert "(today)" in _minutes_open(app, closed.reps["health"])
    meeting_day.move_to(datetime(2026, 12, 16, 9, 0, tzinfo=UTC))
    assert _minutes_open(app, closed.reps["health"]) is None


def test_a_member_of_another_panel_session_reads_no_such_minutes(app, closed, make_user,
                                                                 make_member, meeting_day):
    # A representative on the panel who was not at this meeting: the role and a seat are not
    # this record.
    other = make_user("panel_member")
    make_member(other)
    assert _minutes_open(app, other) is None


# Point 4: full width, and no agency repeated --------------------------------------------------


def test_the_referrers_list_uses_the_full_width_and_does_not_repeat_their_agency(
        as_, make_user, make_agency, make_dispute, on_a_monday):
    trust = make_agency("Northshire Community Health NHS Trust")
    referrer = make_user("referrer", agency_id=trust)
    make_dispute(referrer, on=date(2026, 11, 23))
    home = as_(referrer).get("home.referrer")
    table = home.find("caption", string="Your disputes").parent
    assert [words(th) for th in table.select("thead th")] == [
        "Reference", "Child", "Received", "Status", "Stage"]
    assert "Northshire Community Health NHS Trust" not in words(table)
    assert "23 November 2026" in words(table)
    assert table.find_parent(class_="govuk-grid-column-two-thirds") is None
    # The caption over the page says whose agency it is, once.
    assert "Northshire Community Health NHS Trust" in words(home.select_one(".govuk-caption-l"))
