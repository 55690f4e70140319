"""A chair's seat, over time (issue #24, rule 12): holding the chair role manages nothing.

Moving, cancelling and building the agenda of a session, adding an urgent dispute to it, and
running its meeting need a chair or deputy chair seat that covers the session's date and today.
Scheduling sessions, calling an extraordinary panel, the panel queue (its page and CSV) and the
disputes waiting in it need a chair or deputy chair seat today. A chair whose seat ended
yesterday, one whose seat starts later, and one who never had one are refused as anyone else
is: "Page not found" for a record, "You do not have access to this page" for a list or a form.

Today is Monday 23 November 2026; the session is on Tuesday 8 December 2026.
"""

from dataclasses import dataclass
from datetime import date

import pytest
import time_machine
from sqlalchemy import func, select

from moderation.models import (
    Dispute,
    DisputeDocument,
    DocumentType,
    Notification,
    PanelMember,
    PanelSession,
    SessionStatus,
)
from moderation.scheduling import reminders
from tests.helpers import banners, heading, statements_run

TODAY = "2026-11-23 09:00:00+00:00"
YESTERDAY = date(2026, 11, 22)
HELD_ON = date(2026, 12, 8)
NOT_FOUND = (404, "Page not found")
NO_ACCESS = (403, "You do not have access to this page")


@dataclass
class Panel:
    session: int  # scheduled for 8 December 2026, with an empty agenda
    queued: int  # a dispute waiting in the monthly queue
    urgent: int  # an urgent dispute waiting, on no agenda
    document: int  # a document in the queued dispute's papers
    people: dict  # who -> UserRecord
    seats: dict  # who -> panel member id


@pytest.fixture
def panel(app, db, make_user, make_member, make_session, queue_disputes):
    with time_machine.travel(TODAY, tick=False):
        people = {
            "the chair": make_user("chair", name="Pat Chair"),
            "the deputy chair": make_user("chair", name="Dee Deputy"),
            "a representative": make_user("panel_member", name="Rae Rep"),
            "a former chair": make_user("chair", name="Fay Former"),
            "a former deputy chair": make_user("chair", name="Dan Former"),
            "a chair whose seat starts after the session": make_user("chair", name="Lee Later"),
            "a chair with no seat": make_user("chair", name="Noel Noseat"),
            "a partnership manager": make_user("partnership_manager", name="Pam Manager"),
        }
        seats = {
            "the chair": make_member(people["the chair"], role="chair"),
            "the deputy chair": make_member(people["the deputy chair"], role="deputy_chair"),
            "a representative": make_member(people["a representative"]),
            "a former chair": make_member(people["a former chair"], role="chair",
                                          left_on=YESTERDAY),
            "a former deputy chair": make_member(people["a former deputy chair"],
                                                 role="deputy_chair", left_on=YESTERDAY),
            "a chair whose seat starts after the session": make_member(
                people["a chair whose seat starts after the session"], role="chair",
                joined_on=date(2026, 12, 21)),
        }
        session = make_session(online_link="https://meet.example.org/panel")
        queued, urgent = queue_disputes({"child_name": "Amelia Jones"},
                                        {"child_name": "Noah Smith", "immediate_risk": True})
        with app.app_context():
            document = DisputeDocument(
                dispute_id=queued, document_type=DocumentType.CHRONOLOGY,
                filename="chronology.txt", file_kind="txt", media_type="text/plain", size=10,
                sha256="0" * 64, content=b"chronology", added_by_id=people["the chair"].id)
            db.session.add(document)
            db.session.commit()
            document = document.id
        yield Panel(session, queued, urgent, document, people, seats)


# Those who hold the chair role but no seat that covers the session's date and today.
UNSEATED = ("a former chair", "a former deputy chair",
            "a chair whose seat starts after the session", "a chair with no seat")
SEATED = ("the chair", "the deputy chair")


def _answer(page):
    return page.response.status_code, heading(page)


def _session(app, db, panel):
    with app.app_context():
        session = db.session.get(PanelSession, panel.session)
        return session.status, session.held_on, len(session.agenda)


def _told(app, db):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notification))


@pytest.mark.parametrize("who", UNSEATED)
def test_a_chair_without_a_seat_today_cannot_cancel_move_or_build_a_session(app, db, panel, as_,
                                                                          who):
    """The issue's case: a chair whose seat ended yesterday cancelled a session, and its members
    were told. Every page that manages the session is "Page not found" to them, and nothing they
    send changes it or tells anyone."""
    person, told_before = as_(panel.people[who]), _told(app, db)
    for name in ("move", "cancel", "agenda_builder"):
        refused = person.get(f"panels.{name}", _expected_status=404, session_id=panel.session)
        assert _answer(refused) == NOT_FOUND, name
    sent = [(f"panels.{name}", answers) for name, answers in (
        ("cancel", {"reason": "Too few cases"}),
        ("move", {"reason": "The room is booked", "held_on": ["10", "12", "2026"]}),
        ("agenda_builder", {"action": "fill"}),
        ("agenda_builder", {"action": "freeze"}),
        ("add_urgent_item", {"urgent_dispute_id": str(panel.urgent)}))]
    answered = [person.post(endpoint, answers, _expected_status=404, session_id=panel.session)
                for endpoint, answers in sent]
    assert [_answer(page) for page in answered] == [NOT_FOUND] * len(sent)
    assert _session(app, db, panel) == (SessionStatus.SCHEDULED, HELD_ON, 0)
    assert _told(app, db) == told_before


@pytest.mark.parametrize("who", SEATED)
def test_the_chair_and_the_deputy_chair_today_manage_the_session(app, db, panel, as_, who):
    person = as_(panel.people[who])
    session_page = person.get("panels.show", session_id=panel.session)
    offered = {a.get_text(" ", strip=True) for a in session_page.select("main a")}
    assert {"Build the agenda", "Move this session", "Cancel this session"} <= offered
    assert "1 dispute added from the queue." in banners(person.post(
        "panels.agenda_builder", {"action": "fill"}, _follow_redirects=True,
        session_id=panel.session))
    page = person.post("panels.cancel", {"reason": "Too few cases"}, _follow_redirects=True,
                       session_id=panel.session)
    assert "The session has been cancelled." in banners(page)
    with app.app_context():
        told = set(db.session.scalars(select(Notification.user_id).where(
            Notification.key.like(f"cancelled:session-{panel.session}:%"))))
    sitting = {panel.people[name].id for name in ("the chair", "the deputy chair",
                                                  "a representative")}
    assert told == sitting  # the panel of 8 December: no former chair, no later one


def test_a_seat_that_starts_before_the_session_manages_it_only_from_its_first_day(
        panel, as_, make_user, make_member):
    """A seat from 1 December covers the session of 8 December, but today is 23 November: the
    new chair sees the session (they will sit on it) and manages it from their first day."""
    incoming = make_user("chair", name="Ida Incoming")
    make_member(incoming, role="chair", joined_on=date(2026, 12, 1))
    with time_machine.travel(TODAY, tick=False):
        person = as_(incoming)
        shown = person.get("panels.show", session_id=panel.session)
        assert shown.h1.get_text(strip=True) == "Panel session, 8 December 2026"
        assert not shown.select("a[href$='/agenda'], a[href$='/cancel'], a[href$='/move']")
        builder = person.get("panels.agenda_builder", _expected_status=404,
                             session_id=panel.session)
        assert _answer(builder) == NOT_FOUND
        person.get("disputes.panel_queue", _expected_status=403)
    with time_machine.travel("2026-12-01 09:00:00+00:00", tick=False):
        person = as_(incoming)
        builder = person.get("panels.agenda_builder", session_id=panel.session)
        assert heading(builder) == "Agenda for 8 December 2026"
        person.get("disputes.panel_queue")


def test_a_chair_whose_seat_ends_between_building_and_freezing_cannot_freeze(app, db, panel,
                                                                              as_):
    """The chair builds the agenda; then their seat is ended today, before the session: from
    that moment the session is no longer theirs, and the deputy chair freezes its agenda."""
    with time_machine.travel(TODAY, tick=False):
        chair = as_(panel.people["the chair"])
        assert "1 dispute added from the queue." in banners(chair.post(
            "panels.agenda_builder", {"action": "fill"}, _follow_redirects=True,
            session_id=panel.session))
        with app.app_context():
            db.session.get(PanelMember, panel.seats["the chair"]).left_on = date(2026, 11, 23)
            db.session.commit()
        refused = chair.post("panels.agenda_builder", {"action": "freeze"},
                             _expected_status=404, session_id=panel.session)
        assert _answer(refused) == NOT_FOUND
        assert _session(app, db, panel)[0] == SessionStatus.SCHEDULED
        page = as_(panel.people["the deputy chair"]).post(
            "panels.agenda_builder", {"action": "freeze"}, _follow_redirects=True,
            session_id=panel.session)
        assert "The agenda is frozen." in banners(page)[0]
        assert _session(app, db, panel)[0] == SessionStatus.AGENDA_FROZEN


@pytest.mark.parametrize("who", UNSEATED)
def test_the_queue_and_its_disputes_are_not_for_a_chair_without_a_seat(panel, as_, who):
    """The queue is a list, not one record: the door refuses it, in words that say why, as it
    refuses anyone whose role does not reach it. Each dispute in it, its documents and the
    extraordinary panel for the urgent one are "Page not found", as for a referrer's case they
    have no part in."""
    with time_machine.travel(TODAY, tick=False):
        person = as_(panel.people[who])
        for queue in ("disputes.panel_queue", "disputes.panel_queue_csv"):
            page = person.get(queue, _expected_status=403)
            assert _answer(page) == NO_ACCESS, queue
            assert "You do not chair the panel" in page.main.get_text(" ")
        home = person.get("home.chair")
        assert "Panel queue" not in home.select_one("header").get_text(" ")
        assert not home.select("a[href$='/queue']")
        refused = [("disputes.show", {"dispute_id": panel.queued}),
                   ("disputes.show", {"dispute_id": panel.urgent}),
                   ("documents.download", {"document_id": panel.document}),
                   ("panels.new_extraordinary", {"dispute_id": panel.urgent})]
        for endpoint, values in refused:
            page = person.get(endpoint, _expected_status=404, **values)
            assert _answer(page) == NOT_FOUND, endpoint
            assert "Amelia" not in page.response.text and "Noah" not in page.response.text


@pytest.mark.parametrize("who", (*SEATED, "a partnership manager"))
def test_the_chair_and_deputy_chair_today_and_partnership_managers_read_the_queue(app, db, panel,
                                                                                 as_, who):
    with time_machine.travel(TODAY, tick=False):
        person = as_(panel.people[who])
        with app.app_context():
            reference = db.session.get(Dispute, panel.queued).reference
        queue = person.get("disputes.panel_queue")
        assert heading(queue) == "Panel queue"
        assert reference in queue.response.text
        assert reference in person.get("disputes.panel_queue_csv").response.text
        assert heading(person.get("disputes.show", dispute_id=panel.queued)).startswith(
            "Dispute ")
        document = person.get("documents.download", document_id=panel.document)
        assert document.response.data == b"chronology"


@pytest.mark.parametrize("who", ("a former chair", "a chair with no seat"))
def test_a_chair_without_a_seat_schedules_nothing_and_manages_no_membership(app, db, panel, as_,
                                                                             who):
    with time_machine.travel(TODAY, tick=False):
        person = as_(panel.people[who])
        for form in ("panels.new_session", "panels.new_series", "panels.members"):
            page = person.get(form, _expected_status=403)
            assert _answer(page) == NO_ACCESS, form
            assert "You do not chair the panel" in page.main.get_text(" ")
        person.post("panels.new_session", {
            "held_on": ["15", "12", "2026"], "starts_at": "10:00", "duration_minutes": "60",
            "place": "Room 1", "capacity": "8", "cutoff_working_days": "5"},
            _expected_status=403)
        person.post("panels.remove_member", _expected_status=403,
                    member_id=panel.seats["a representative"])
        schedule = person.get("panels.schedule")
        assert not schedule.select("a[href$='/new'], a[href$='/members']")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PanelSession)) == 1
        assert db.session.get(PanelMember, panel.seats["a representative"]) is not None


def test_the_chair_home_page_says_what_a_chair_without_a_seat_may_do(panel, as_):
    with time_machine.travel(TODAY, tick=False):
        former = as_(panel.people["a former chair"]).get("home.chair").main.get_text(" ")
        chair = as_(panel.people["the chair"]).get("home.chair").main.get_text(" ")
    assert "You do not sit on the threshold moderation panel" in former
    assert "Urgent: a panel is needed" not in former and "waiting for the panel" not in former
    assert "8 December 2026" not in former  # no session of the panel is listed
    assert "You are the chair of the threshold moderation panel." in chair
    # The urgent dispute is in the urgent box, not counted with the monthly queue (#25).
    assert "Urgent: a panel is needed" in chair and "1 dispute is waiting for the panel" in chair
    assert "8 December 2026" in chair


def test_the_minutes_reminder_goes_to_the_chairs_whose_seats_still_cover_the_day(
        app, db, panel_meeting, make_user, make_member):
    from moderation.meeting import decisions
    from moderation.meeting import register as meeting
    from moderation.models import User

    m = panel_meeting()
    deputy = make_user("chair", name="Dee Deputy")
    make_member(deputy, role="deputy_chair")
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        chair = db.session.get(User, m.chair.id)
        decisions.defer(session.agenda[0], chair, "Not reached")
        meeting.close(session, chair)
        db.session.get(PanelMember, m.members[m.chair.id]).left_on = date(2026, 12, 10)
        db.session.commit()
        with time_machine.travel("2026-12-15 09:00:00+00:00", tick=False):
            reminders.remind_minutes()
            db.session.commit()
        reminded = db.session.scalars(select(Notification.user_id).where(
            Notification.key.like("minutes-reminder:%"))).all()
    assert reminded == [deputy.id]  # not the chair whose seat ended on 10 December


def test_the_session_page_asks_for_the_seat_once(app, panel, as_):
    """However many links the page decides (agenda, move, cancel, meeting, papers...), the
    seat on this session is one query, and whether they chair the panel today (the menu's
    "Panel queue") another."""
    with time_machine.travel(TODAY, tick=False):
        chair = as_(panel.people["the chair"])
        chair.get("panels.show", session_id=panel.session)
        with statements_run(app) as statements:
            chair.get("panels.show", session_id=panel.session)
    seat_queries = [q for q in statements if "panel_member" in q]
    assert len(seat_queries) == 2, seat_queries
