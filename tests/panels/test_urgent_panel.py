"""The urgent route's panel (rules 14 and 17): an urgent dispute never waits in the monthly
queue. The chair calls an extraordinary session within two working days, frozen on creation with
the item, or adds the item to a frozen agenda that sits in time, beyond its capacity and ahead of
the other items; both are marked and people are told."""

from dataclasses import dataclass
from datetime import date, time

import pytest
import sqlalchemy as sa
import time_machine

from moderation.calendar import working_days_between
from moderation.disputes import urgent_panel
from moderation.meeting import minutes
from moderation.meeting import register as meeting
from moderation.models import (
    AgendaItem,
    Dispute,
    EmailMessage,
    Notification,
    PanelSession,
    SessionStatus,
    User,
)
from moderation.panels import agenda, services
from moderation.web.boundary import Refusal
from tests.conftest import UserRecord, pdf_pages
from tests.helpers import banners, counting_queries, error_summary, heading

MARK = "Added after the agenda was frozen: immediate risk"
MONDAY = "2026-11-23 09:00:00+00:00"
TERMS = {"starts_at": "10:00", "duration_minutes": "60", "place": "Council House, Room 1",
         "online_link": ""}


@dataclass
class Panel:
    chair: UserRecord
    reps: list
    referrer: UserRecord
    urgent: int  # a queued urgent dispute on no agenda
    ordinary: int  # a queued dispute of the monthly queue


@pytest.fixture
def panel(make_user, make_member, queue_disputes):
    chair = make_user("chair", name="Pat Chair")
    make_member(chair, role="chair")
    reps = [make_user("panel_member", name=f"Rep {n}") for n in range(3)]
    for rep in reps:
        make_member(rep)
    referrer = make_user("referrer", name="Riley Referrer")
    urgent, ordinary = queue_disputes({"referrer": referrer, "immediate_risk": True},
                                      {"referrer": referrer, "level_of_need": 4})
    return Panel(chair, reps, referrer, urgent, ordinary)


def _user(db, record):
    return db.session.get(User, record.id)


def _told(db, key):
    """(user id, kind of email or None) for each in-app notice of an event."""
    notices = db.session.scalars(sa.select(Notification).where(
        Notification.key.like(f"{key}:user-%")).order_by(Notification.user_id)).all()
    emails = {e.key: e.kind for e in db.session.scalars(sa.select(EmailMessage))}
    return [(n.user_id, emails.get(n.key)) for n in notices]


def _member_ids(panel):
    return sorted([panel.chair.id, *[rep.id for rep in panel.reps]])


# The extraordinary session ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "starts_at", "held_on"),
    [
        # Monday morning, a time still ahead today: today.
        ("2026-11-23 09:00:00+00:00", time(14, 0), date(2026, 11, 23)),
        # Friday 16:00, the chair's time is 10:00: the next working day is Monday.
        ("2026-11-27 16:00:00+00:00", time(10, 0), date(2026, 11, 30)),
        # Christmas Eve evening: Christmas, the weekend and Boxing Day's substitute are skipped.
        ("2026-12-24 18:00:00+00:00", time(10, 0), date(2026, 12, 29)),
        # On a bank holiday, even with the time still ahead: the next working day.
        ("2026-12-28 08:00:00+00:00", time(10, 0), date(2026, 12, 29)),
        # London time, not UTC: 10:30 in London in summer is 09:30 UTC; 10:00 has passed.
        ("2027-06-01 09:30:00+00:00", time(10, 0), date(2027, 6, 2)),
    ],
)
def test_an_extraordinary_session_is_on_the_earliest_working_day_with_the_chosen_time(
        app, db, panel, now, starts_at, held_on):
    with time_machine.travel(now, tick=False), app.app_context():
        session = services.schedule_extraordinary(_user(db, panel.chair), panel.urgent,
                                                  starts_at, 60, "Council House", None)
        db.session.commit()
        assert session.held_on == held_on
        assert working_days_between(date.fromisoformat(now[:10]), held_on) <= 2
        assert session.extraordinary and session.status == SessionStatus.AGENDA_FROZEN
        assert [item.dispute_id for item in session.agenda] == [panel.urgent]
        assert (session.capacity, session.agenda_cutoff_on) == (1, held_on)
        assert urgent_panel.waiting() == []


def test_members_are_told_once_and_the_referrer_the_date(app, db, panel, make_user,
                                                         make_member):
    former = make_user("panel_member")
    make_member(former, left_on=date(2026, 11, 1))
    with time_machine.travel("2026-11-27 16:00:00+00:00", tick=False), app.app_context():
        session = services.schedule_extraordinary(_user(db, panel.chair), panel.urgent,
                                                  time(10, 0), 60, "Council House", None)
        db.session.commit()
        members = [(member, "extraordinary_session") for member in _member_ids(panel)]
        assert _told(db, f"extraordinary:session-{session.id}") == members
        assert _told(db, f"papers:session-{session.id}") == []  # not told twice
        item = session.agenda[0]
        # The referrer's email is marked urgent, like the members' (rule 14).
        assert _told(db, f"on-agenda:item-{item.id}") == [(panel.referrer.id,
                                                           "urgent_session_date")]
        referrer_notice = db.session.scalar(sa.select(Notification.message).where(
            Notification.key == f"on-agenda:item-{item.id}:user-{panel.referrer.id}"))
        assert referrer_notice.startswith("URGENT: ")
        assert "an extraordinary panel on 30 November 2026 at 10:00" in referrer_notice
        body = db.session.scalar(sa.select(EmailMessage.body).where(
            EmailMessage.kind == "extraordinary_session").limit(1))
        reference = item.dispute.reference
        assert reference not in body and item.dispute.child_initials not in body  # rule 11


def test_only_a_queued_urgent_dispute_on_no_agenda_gets_an_extraordinary_session(app, db,
                                                                                  panel):
    with time_machine.travel(MONDAY, tick=False), app.app_context():
        chair = _user(db, panel.chair)
        with pytest.raises(Refusal, match="only for a dispute about a child at immediate risk"):
            services.schedule_extraordinary(chair, panel.ordinary, time(14, 0), 60, "Room", None)
        services.schedule_extraordinary(chair, panel.urgent, time(14, 0), 60, "Room", None)
        db.session.commit()
        with pytest.raises(Refusal, match="only for a dispute about a child at immediate risk"):
            services.schedule_extraordinary(chair, panel.urgent, time(15, 0), 60, "Room", None)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(PanelSession.id))) == 1


def test_the_chair_calls_an_extraordinary_panel_from_the_queue(app, db, client_request, panel):
    with time_machine.travel("2026-11-27 16:00:00+00:00", tick=False):
        client_request.sign_in(panel.chair)
        urgent = client_request.get("disputes.panel_queue").select_one("#urgent")
        assert "Urgent: a panel is needed within two working days" in urgent.get_text()
        link = urgent.select_one("a[href*='/extraordinary/']")
        assert link.get_text(" ", strip=True).startswith("Call an extraordinary panel")
        assert link["href"] == client_request.url("panels.new_extraordinary",
                                                  dispute_id=panel.urgent)
        form = client_request.get_url(link["href"])
        assert heading(form) == "Call an extraordinary panel"
        when = form.select_one("#when").get_text(" ", strip=True)
        assert when == "The session will be on 30 November 2026 at 10:00."
        called = client_request.post_url(link["href"], TERMS, _follow_redirects=True)
        schedule = client_request.get("panels.schedule")
        queue = client_request.get("disputes.panel_queue")
    assert heading(called) == "Panel session, 30 November 2026"
    assert banners(called)[0].startswith(
        "The extraordinary session is called for 30 November 2026 at 10:00.")
    shown = called.get_text(" ")
    assert "Extraordinary session" in shown and "Agenda frozen" in shown
    with app.app_context():
        session = db.session.scalar(sa.select(PanelSession))
        assert session.extraordinary and session.place == "Council House, Room 1"
    row = schedule.select("tbody tr")[0].get_text(" ")
    assert "30 November 2026" in row and "Extraordinary session" in row
    # It has its panel now: still in the urgent box until a panel decides it, with no offer.
    urgent = queue.select_one("#urgent")
    assert ("To be heard by an extraordinary panel on 30 November 2026 at 10:00"
            in urgent.get_text(" ", strip=True))
    assert urgent.select_one("a[href*='/extraordinary/']") is None


def test_extraordinary_form_mistakes_are_explained(app, db, client_request, panel):
    with time_machine.travel(MONDAY, tick=False):
        client_request.sign_in(panel.chair)
        page = client_request.post("panels.new_extraordinary", {**TERMS, "starts_at": "25:00"},
                                   _expected_status=200, dispute_id=panel.urgent)
        assert error_summary(page) == ["Enter the start time in the 24-hour clock, like 10:00"]
        assert page.select_one("#when") is None
        page = client_request.post("panels.new_extraordinary", {**TERMS, "place": ""},
                                   _expected_status=200, dispute_id=panel.urgent)
        assert error_summary(page) == ["Enter a place or an online link"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PanelSession.id))) == 0


def test_the_extraordinary_page_is_only_for_a_queued_urgent_dispute(client_request,
                                                                     as_, panel):
    client_request.sign_in(panel.chair)
    for dispute_id in (panel.ordinary, 999999, "nonsense", ""):
        page = client_request.get("panels.new_extraordinary", _expected_status=404,
                                  dispute_id=dispute_id)
        assert heading(page) == "Page not found"
    page = as_(panel.reps[0]).get("panels.new_extraordinary",
                                                  _expected_status=404, dispute_id=panel.urgent)
    assert heading(page) == "Page not found"


# An urgent item on a frozen agenda ------------------------------------------------------------


@pytest.fixture
def frozen(app, db, panel, make_session, queue_disputes):
    """A session on Tuesday 24 November 2026, in time for the urgent dispute queued on the
    Friday before, for one case, its agenda frozen and full."""
    session_id = make_session(held_on=date(2026, 11, 24), capacity=1)
    with time_machine.travel(MONDAY, tick=False), app.app_context():
        session = db.session.get(PanelSession, session_id)
        agenda.add_item(session, _user(db, panel.chair), panel.ordinary)
        agenda.freeze(session, _user(db, panel.chair))
        db.session.commit()
    return session_id


def test_an_urgent_item_joins_a_frozen_full_agenda_marked_and_told(app, db, panel, frozen):
    with time_machine.travel(MONDAY, tick=False), app.app_context():
        session = db.session.get(PanelSession, frozen)
        item = agenda.add_urgent_item(session, _user(db, panel.chair), panel.urgent)
        db.session.commit()
        # Heard first (rule 5), beyond the agenda's capacity.
        assert [(i.dispute_id, i.added_after_freeze, i.position) for i in session.agenda] == [
            (panel.urgent, True, 1), (panel.ordinary, False, 2)]
        assert len(session.agenda) > session.capacity
        members = [(member, "item_added") for member in _member_ids(panel)]
        assert _told(db, f"item-added:item-{item.id}") == members
        assert _told(db, f"on-agenda:item-{item.id}") == [(panel.referrer.id,
                                                           "urgent_session_date")]


def test_a_non_urgent_dispute_cannot_join_a_frozen_agenda(app, db, panel, frozen,
                                                          queue_disputes):
    (late,) = queue_disputes({})
    with time_machine.travel(MONDAY, tick=False), app.app_context():
        session = db.session.get(PanelSession, frozen)
        with pytest.raises(Refusal, match="Only a dispute about a child at immediate risk"):
            agenda.add_urgent_item(session, _user(db, panel.chair), late)


def test_the_chair_adds_the_urgent_item_on_the_agenda_page(client_request, panel, frozen):
    with time_machine.travel(MONDAY, tick=False):
        client_request.sign_in(panel.chair)
        builder = client_request.get("panels.agenda_builder", session_id=frozen)
        form = builder.select_one("form[action$='/agenda/urgent']")
        assert form.select_one("option")["value"] == str(panel.urgent)
        page = client_request.post_url(form["action"], {"urgent_dispute_id": str(panel.urgent)},
                                       _follow_redirects=True)
        session_page = client_request.get("panels.show", session_id=frozen)
        meeting_page = client_request.get("meeting.show", session_id=frozen)
    assert "has been added to the agenda as item 1" in banners(page)[0]
    rows = page.select("tbody tr")
    assert MARK in rows[0].get_text(" ") and MARK not in rows[1].get_text(" ")
    assert "Cases: 2 of 1 (1 urgent added after the agenda was frozen)." in " ".join(
        page.get_text(" ").split())
    assert MARK in session_page.select("main ol li")[0].get_text(" ")
    assert MARK in meeting_page.select("tbody tr")[0].get_text(" ")


def test_a_chair_adding_a_non_urgent_item_past_capacity_is_refused(app, db, client_request,
                                                                   panel, frozen, queue_disputes,
                                                                   make_session):
    (late,) = queue_disputes({})
    with time_machine.travel(MONDAY, tick=False):
        client_request.sign_in(panel.chair)
        page = client_request.post("panels.add_urgent_item", {"urgent_dispute_id": str(late)},
                                   _expected_status=200, session_id=frozen)
        message = ("Only a dispute about a child at immediate risk can be added after the "
                   "agenda is frozen")
        assert error_summary(page) == [message]
        assert page.select_one("#urgent_dispute_id-error") is not None
        # A full draft agenda refuses an ordinary dispute too, with the builder's own error.
        draft = make_session(held_on=date(2027, 1, 12), capacity=1)
        client_request.post("panels.agenda_builder", {"action": "add", "dispute_id": str(late)},
                            session_id=draft)
        (other,) = queue_disputes({})
        page = client_request.post("panels.agenda_builder",
                                   {"action": "add", "dispute_id": str(other)},
                                   _expected_status=200, session_id=draft)
        assert error_summary(page) == ["The agenda is full: this session takes 1 case"]
    with app.app_context():
        held = db.session.scalars(sa.select(AgendaItem.dispute_id).where(
            AgendaItem.session_id == frozen)).all()
        assert held == [panel.ordinary]
        assert db.session.scalars(sa.select(AgendaItem.dispute_id).where(
            AgendaItem.session_id == draft)).all() == [late]
        assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
            Notification.key.like("item-added:%"))) == 0


def test_only_the_session_s_own_chair_adds_an_urgent_item(app, db, client_request,
                                                          as_, panel, frozen,
                                                          make_user):
    outsider = make_user("chair", name="Chair Elsewhere")
    with time_machine.travel(MONDAY, tick=False):
        client_request.sign_in(outsider)
        builder = client_request.get("panels.agenda_builder", _expected_status=404,
                                     session_id=frozen)
        assert heading(builder) == "Page not found"
        page = client_request.post("panels.add_urgent_item",
                                   {"urgent_dispute_id": str(panel.urgent)},
                                   _expected_status=404, session_id=frozen)
        assert heading(page) == "Page not found"
        member = as_(panel.reps[0])  # on the panel, but no chair
        member.post("panels.add_urgent_item", {"urgent_dispute_id": str(panel.urgent)},
                    _expected_status=403, session_id=frozen)
        agenda_page = member.get("panels.agenda_builder", session_id=frozen)
    assert agenda_page.select_one("form[action$='/agenda/urgent']") is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AgendaItem.id)).where(
            AgendaItem.session_id == frozen)) == 1


def test_the_queue_page_keeps_urgent_disputes_out_of_the_monthly_queue(app, db, client_request,
                                                                      panel, frozen):
    with app.app_context():
        urgent_ref, ordinary_ref = (db.session.get(Dispute, d).reference
                                    for d in (panel.urgent, panel.ordinary))
    with time_machine.travel(MONDAY, tick=False):
        client_request.sign_in(panel.chair)
        queue = client_request.get("disputes.panel_queue")
    urgent = queue.select_one("#urgent")
    assert urgent_ref in urgent.get_text(" ") and ordinary_ref not in urgent.get_text(" ")
    assert "Call an extraordinary panel" in urgent.get_text(" ")
    # The frozen agenda of a session this chair sits on is offered too.
    offered = urgent.find("a", string="The agenda for 24 November 2026")
    assert offered["href"].endswith(f"/sessions/{frozen}/agenda#urgent")
    table = [row.get_text(" ", strip=True) for row in queue.select("tbody tr")]
    # The ordinary dispute is on the frozen agenda, so it no longer waits in the queue (#25).
    assert table == ["No disputes match."]


def test_the_chair_s_home_lists_urgent_disputes(client_request, panel):
    with time_machine.travel(MONDAY, tick=False):
        client_request.sign_in(panel.chair)
        home = client_request.get("home.chair")
    link = home.select_one("#urgent a[href*='/extraordinary/']")
    assert link["href"] == client_request.url("panels.new_extraordinary", dispute_id=panel.urgent)


# The minutes -----------------------------------------------------------------------------------


def test_the_minutes_mark_the_urgent_item(app, db, panel, frozen):
    with (time_machine.travel("2026-11-24 09:00:00+00:00", tick=False), app.app_context(),
          app.test_request_context()):
        session = db.session.get(PanelSession, frozen)
        chair = _user(db, panel.chair)
        agenda.add_urgent_item(session, chair, panel.urgent)
        meeting.start(session, chair)
        session.status = SessionStatus.MINUTES_DRAFT  # the record, not the meeting, is tested
        draft = minutes.start_draft(session, chair)
        data = minutes.minutes_data(session, draft)
        assert [i["added_after_freeze"] for i in data["agenda_items"]] == [MARK, None]
        text = " ".join(pdf_pages(minutes.pdf_bytes(session, draft)))
        assert f"Item 1: {session.agenda[0].dispute.reference}" in text and MARK in text
        assert text.count(MARK) == 1


@pytest.mark.parametrize("endpoint", ["disputes.panel_queue", "home.chair"])
def test_the_urgent_list_runs_the_same_queries_for_few_or_many(app, client_request, panel,
                                                               frozen, queue_disputes, endpoint):
    def queries():
        client_request.get(endpoint)  # a first view fills per-process caches
        with counting_queries(app) as counted:
            page = client_request.get(endpoint)
        return counted["n"], len(page.select("#urgent dd.govuk-summary-list__value"))

    with time_machine.travel(MONDAY, tick=False):
        client_request.sign_in(panel.chair)
        few, shown = queries()
        queue_disputes(*[{"immediate_risk": True}] * 5)
        many, now_shown = queries()
    assert (shown, now_shown) == (1, 6)
    assert many == few
