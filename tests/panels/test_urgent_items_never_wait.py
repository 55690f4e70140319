"""Rule 17: an urgent dispute is never deferred, moved or lapsed onto an ordinary session. Every
way a record can move is tried: the chair defers it, the panel decides "deferred for more
information", the chair adds it to a session that sits too late, moves the session holding it,
cancels that session, or a second chair calls a second panel. It stays in the chair's urgent box
until a panel decides it, and the referrer reads what is true."""

from dataclasses import dataclass
from datetime import date, datetime, time

import pytest
import sqlalchemy as sa
import time_machine

from moderation.calendar import UK
from moderation.disputes import urgent_panel
from moderation.extensions import db
from moderation.meeting import decisions, voting
from moderation.meeting import register as meeting
from moderation.models import (
    Dispute,
    DisputeStatus,
    EmailMessage,
    LearningTheme,
    Notification,
    PanelSession,
    User,
)
from moderation.panels import agenda, services
from moderation.web.boundary import Refusal
from tests.conftest import UserRecord
from tests.helpers import (
    banners,
    client_for,
    error_summary,
    page,
    post,
    statements_run,
    url,
)

MONDAY = date(2026, 11, 23)  # queue_disputes queues on Friday 20th: a panel is needed by 24th


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=UK), tick=True) as clock:
        yield clock


@dataclass
class Urgent:
    chair: UserRecord
    deputy: UserRecord
    manager: UserRecord
    reps: dict
    members: dict
    referrer: UserRecord
    dispute: int  # queued, about a child at immediate risk
    monthly: int  # the next monthly session, a draft with room, two weeks on


@pytest.fixture
def urgent(app, make_agency, make_user, make_member, make_session, queue_disputes):
    agencies = {kind: make_agency(f"{kind} agency", kind, is_core=True)
                for kind in ("health", "police", "csc")}
    chair = make_user("chair", name="Pat Chair")
    deputy = make_user("chair", name="Dee Deputy")
    members = {chair.id: make_member(chair, role="chair"),
               deputy.id: make_member(deputy, role="deputy_chair")}
    reps = {kind: make_user("panel_member", name=f"{kind} rep", agency_id=agency)
            for kind, agency in agencies.items()}
    for rep in reps.values():
        members[rep.id] = make_member(rep)
    referrer = make_user("referrer", name="Riley Referrer")
    (dispute,) = queue_disputes({"referrer": referrer, "immediate_risk": True})
    return Urgent(chair, deputy, make_user("partnership_manager", name="Mo Manager"), reps,
                  members, referrer, dispute, make_session(held_on=date(2026, 12, 8)))


def user(person):
    return db.session.get(User, person.id)


def told(person, prefix):
    return db.session.scalars(select_notices(person, prefix)).all()


def select_notices(person, prefix):
    return sa.select(Notification.message).where(
        Notification.user_id == person.id, Notification.key.like(f"{prefix}%")
    ).order_by(Notification.id)


def standing(dispute_id):
    [found] = urgent_panel.standings(dispute_ids=[dispute_id])
    return found


def extraordinary_meeting(u):
    """The extraordinary session called for the dispute, today at 14:00, its meeting under way
    with the chair and the three representatives present; returns its one item."""
    session = services.schedule_extraordinary(user(u.chair), u.dispute, time(14, 0), 60,
                                              "Council House", None)
    entries = {u.members[rep.id]: ("present", True) for rep in u.reps.values()}
    entries[u.members[u.chair.id]] = ("present", True)
    meeting.record_attendance(session, user(u.chair), entries)
    meeting.start(session, user(u.chair))
    db.session.commit()
    return session.agenda[0]


def assert_back_in_the_urgent_box(u, needed_by):
    found = standing(u.dispute)
    assert found.waiting and found.needed_by == needed_by
    assert db.session.get(Dispute, u.dispute).status == DisputeStatus.QUEUED
    assert db.session.get(PanelSession, u.monthly).agenda == []


# Deferred at its meeting -----------------------------------------------------------------------


def test_a_chair_deferring_an_urgent_item_sends_it_to_no_ordinary_session(app, urgent):
    u = urgent
    with app.app_context():
        item = extraordinary_meeting(u)
        following = decisions.defer(item, user(u.chair), "The police disclosure is not in yet.")
        db.session.commit()
        assert following is None
        assert_back_in_the_urgent_box(u, date(2026, 11, 25))  # two working days after the 23rd
        assert standing(u.dispute).deferral_reason == "The police disclosure is not in yet."
        # The chair and deputy chair hear at once, with the offer of a new panel.
        for chair in (u.chair, u.deputy):
            assert told(chair, "urgent-panel:dispute-%:deferred-item-") == [
                "URGENT: dispute D-2026-0001, about a child at immediate risk, was deferred by "
                "the panel on 23 November 2026. Call an extraordinary panel to sit by 25 November "
                "2026."]
        assert told(u.manager, "urgent-panel:dispute-%:deferred-item-")
        # The referrer reads the truth, by an email marked urgent.
        [message] = told(u.referrer, "deferred:")
        assert message == (
            "URGENT: the panel deferred your dispute D-2026-0001 on 23 November 2026. It is "
            "about a child at immediate risk, so it does not wait for the monthly panel: the "
            "chair has been asked to call an extraordinary panel to sit by 25 November 2026.")
        assert db.session.scalar(sa.select(EmailMessage.kind).where(
            EmailMessage.user_id == u.referrer.id,
            EmailMessage.key.like("deferred:%"))) == "urgent_deferred"


def test_a_decision_deferring_an_urgent_item_for_more_information_keeps_it_urgent(app, urgent):
    u = urgent
    with app.app_context():
        item = extraordinary_meeting(u)
        voting.open_voting(item, user(u.chair))
        for rep in u.reps.values():
            voting.cast_vote(item, user(rep), "deferred", "The GP's records are needed.")
        voting.close_voting(item, user(u.chair))
        theme = db.session.scalars(sa.select(LearningTheme)).first()
        decisions.record_decision(item, user(u.chair), rationale="More information needed.",
                                  feedback="We need the GP's records.", theme_ids=[theme.id])
        db.session.commit()
        assert item.deferred
        assert_back_in_the_urgent_box(u, date(2026, 11, 25))
        assert told(u.chair, "urgent-panel:dispute-%:deferred-item-")
        assert told(u.referrer, "deferred:")[0].startswith("URGENT: the panel deferred")


def test_the_item_page_offers_the_extraordinary_panel_after_deferring(app, urgent):
    u = urgent
    with app.app_context():
        item = extraordinary_meeting(u)
        address = url(app, "meeting.item", session_id=item.session_id, item_id=item.id)
        defer = url(app, "meeting.defer", session_id=item.session_id, item_id=item.id)
    client = client_for(app, u.chair)
    before = page(client.get(address))
    summaries = [summary.get_text(strip=True) for summary in before.select("summary")]
    assert "Defer this item" in summaries  # to no "next session"
    deferred = post(client, defer, {"defer-reason": "Waiting for the police disclosure."},
                    follow_redirects=True)
    assert banners(deferred)[0] == (
        "The item is deferred. It is about a child at immediate risk, so it goes to no monthly "
        "panel: call an extraordinary panel below.")
    offer = page(deferred).select_one("#urgent").get_text(" ", strip=True)
    assert "a panel must hear it by 25 November 2026. It goes to no monthly panel." in offer
    link = page(deferred).find("a", string="Call an extraordinary panel")
    assert link["href"] == url(app, "panels.new_extraordinary", dispute_id=u.dispute)
    home = page(client.get(url(app, "home.chair"))).select_one("#urgent").get_text(" ", strip=True)
    assert "Needs a panel by 25 November 2026." in home
    assert "Deferred by the panel on 23 November 2026: Waiting for the police disclosure." in home


def test_a_deferred_ordinary_item_still_rolls_on_to_the_next_session(app, panel_meeting,
                                                                     make_session):
    later = make_session(held_on=date(2027, 1, 12))
    m = panel_meeting()
    with app.app_context():
        item = db.session.get(PanelSession, m.session_id).agenda[0]
        following = decisions.defer(item, db.session.get(User, m.chair.id), "The GP's report.")
        assert following.id == later


# Onto a session that sits too late --------------------------------------------------------------


def test_an_urgent_dispute_joins_no_agenda_that_sits_after_it_is_needed(app, urgent,
                                                                        make_session):
    u = urgent
    in_time = make_session(held_on=date(2026, 11, 24), capacity=1)
    with app.app_context():
        chair = user(u.chair)
        monthly = db.session.get(PanelSession, u.monthly)
        message = ("D-2026-0001 is about a child at immediate risk: a panel must hear it by 24 "
                   "November 2026, and this session sits on 8 December 2026. Call an "
                   "extraordinary panel instead")
        with pytest.raises(Refusal, match=message):
            agenda.add_item(monthly, chair, u.dispute)
        db.session.rollback()
        with pytest.raises(Refusal, match=message):
            agenda.add_urgent_item(monthly, chair, u.dispute)
        db.session.rollback()
        agenda.freeze(db.session.get(PanelSession, u.monthly), chair)
        with pytest.raises(Refusal, match=message):
            agenda.add_urgent_item(db.session.get(PanelSession, u.monthly), chair, u.dispute)
        db.session.rollback()
        assert db.session.get(PanelSession, u.monthly).agenda == []
        # The session that sits in time takes it.
        agenda.add_item(db.session.get(PanelSession, in_time), chair, u.dispute)
        db.session.commit()
        assert standing(u.dispute).session.id == in_time


def test_the_agenda_page_offers_an_urgent_dispute_only_to_a_session_in_time(app, urgent,
                                                                            make_session):
    u = urgent
    in_time = make_session(held_on=date(2026, 11, 24))
    client = client_for(app, u.chair)

    def offered(session_id):
        builder = page(client.get(url(app, "panels.agenda_builder", session_id=session_id)))
        return [option.get_text(" ", strip=True) for option in builder.select("option")]

    assert not any("D-2026-0001" in option for option in offered(u.monthly))
    assert any("D-2026-0001" in option for option in offered(in_time))
    refused = post(client, url(app, "panels.agenda_builder", session_id=u.monthly),
                   {"action": "add", "dispute_id": str(u.dispute)})
    assert error_summary(refused)[0].startswith("D-2026-0001 is about a child at immediate risk")


# The session holding it moves or is cancelled ---------------------------------------------------


def test_a_session_holding_an_urgent_dispute_cannot_move_past_the_day_it_is_needed(
        app, urgent, make_session):
    u = urgent
    in_time = make_session(held_on=date(2026, 11, 24))
    with app.app_context():
        chair = user(u.chair)
        agenda.add_item(db.session.get(PanelSession, in_time), chair, u.dispute)
        db.session.commit()
        with pytest.raises(Refusal, match="The agenda holds D-2026-0001, about a child at "
                                          "immediate risk, which a panel must hear by 24 "
                                          "November 2026"):
            services.move_session(db.session.get(PanelSession, in_time), chair,
                                  date(2026, 12, 1), "The room is booked")
        db.session.rollback()
        assert db.session.get(PanelSession, in_time).held_on == date(2026, 11, 24)
        # Earlier is fine.
        services.move_session(db.session.get(PanelSession, in_time), chair, MONDAY,
                              "Brought forward")
        db.session.commit()


def test_a_cancelled_session_hands_its_urgent_dispute_back_and_tells_the_chairs(
        app, urgent, make_session):
    u = urgent
    in_time = make_session(held_on=date(2026, 11, 24))
    with app.app_context():
        chair = user(u.chair)
        agenda.add_item(db.session.get(PanelSession, in_time), chair, u.dispute)
        db.session.commit()
        assert not standing(u.dispute).waiting
        services.cancel_session(db.session.get(PanelSession, in_time), chair, "No room")
        db.session.commit()
        assert_back_in_the_urgent_box(u, date(2026, 11, 24))
        for person in (u.chair, u.deputy):
            assert told(person, "urgent-panel:dispute-%:cancelled-session-") == [
                "URGENT: dispute D-2026-0001, about a child at immediate risk, has lost its "
                "panel: the session on 24 November 2026 was cancelled. Call an extraordinary "
                "panel to sit by 24 November 2026."]


def test_a_second_extraordinary_panel_is_refused_once_one_is_called(app, urgent):
    u = urgent
    with app.app_context():
        services.schedule_extraordinary(user(u.chair), u.dispute, time(14, 0), 60, "Room", None)
        db.session.commit()
        with pytest.raises(Refusal, match="only for a dispute about a child at immediate risk"):
            services.schedule_extraordinary(user(u.deputy), u.dispute, time(15, 0), 60, "Room",
                                            None)


# The urgent box and the referrer's page ---------------------------------------------------------


def test_the_urgent_box_lists_the_dispute_until_a_panel_decides_it(app, urgent):
    u = urgent
    client = client_for(app, u.chair)

    def box():
        shown = page(client.get(url(app, "home.chair"))).select_one("#urgent")
        return shown.get_text(" ", strip=True) if shown else None

    assert "Needs a panel by 24 November 2026." in box()
    with app.app_context():
        item = extraordinary_meeting(u)
    assert "To be heard by an extraordinary panel on 23 November 2026 at 14:00." in box()
    with app.app_context():
        item = db.session.merge(item)
        voting.open_voting(item, user(u.chair))
        for rep in u.reps.values():
            voting.cast_vote(item, user(rep), "upheld", "The threshold is not met.")
        voting.close_voting(item, user(u.chair))
        theme = db.session.scalars(sa.select(LearningTheme)).first()
        decisions.record_decision(item, user(u.chair), rationale="Upheld.", feedback="Upheld.",
                                  theme_ids=[theme.id])
        db.session.commit()
    assert box() is None


def test_the_referrers_page_says_where_the_urgent_dispute_stands(app, urgent):
    u = urgent
    client = client_for(app, u.referrer)

    def stands():
        shown = page(client.get(url(app, "disputes.show", dispute_id=u.dispute)))
        return shown.select_one("#urgent-panel").get_text(" ", strip=True)

    assert stands() == (
        "The urgent route has ended unresolved. It does not wait for the monthly panel: the "
        "panel chair has been asked to call an extraordinary panel to sit by 24 November 2026.")
    with app.app_context():
        item = extraordinary_meeting(u)
    assert stands() == "An extraordinary panel will hear it on 23 November 2026 at 14:00."
    with app.app_context():
        decisions.defer(db.session.merge(item), user(u.chair), "Waiting for the GP.")
        db.session.commit()
    assert stands() == (
        "The panel deferred it on 23 November 2026: Waiting for the GP. It does not wait for the "
        "monthly panel: the panel chair has been asked to call an extraordinary panel to sit by "
        "25 November 2026.")


# The queue at scale ------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["disputes.panel_queue", "home.chair"])
def test_no_page_asks_the_database_for_not_in_a_subquery(app, urgent, endpoint):
    """NOT IN (SELECT ...) made PostgreSQL scan every agenda item once per queued urgent
    dispute (1.7 s at 720,000 disputes); a correlated NOT EXISTS answers from an index."""
    client = client_for(app, urgent.chair)
    with statements_run(app) as statements:
        assert client.get(url(app, endpoint)).status_code == 200
    assert statements
    assert not [s for s in statements if "NOT IN (SELECT" in " ".join(s.upper().split())]
