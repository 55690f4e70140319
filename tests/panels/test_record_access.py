"""Need-to-know per record (rule 12): role x route x record.

Holding the panel member's or the chair's role never opens a session by itself: the session (its
place, online link and purpose) and its case detail (agenda, papers, meeting, items, actions,
minutes) are for those who sat on its panel on the day it was held, and for partnership managers;
managing it is for its chair and deputy chair now. Every route that takes a session is classified
below, and a route added without a class fails the first test.
"""

from datetime import date

import pytest
from sqlalchemy import select

from moderation.models import AgendaItem, Attendance, Dispute, PanelSession, User
from tests.conftest import csrf_token, heading, page, sign_in

# Who may use each route that names a session, besides the partnership manager where it reads.
#   "members": those who sit on the session's panel (and partnership managers, for reading)
#   "meeting": those who sit on the session's panel (the meeting itself)
#   "chair": its chair or deputy chair now, holding the chair role
SESSION_ROUTES = {
    "panels.show": "members",
    "panels.calendar_file": "members",
    "panels.move": "chair",
    "panels.cancel": "chair",
    "panels.agenda_builder": "members",  # its chair builds a draft; a frozen one is case detail
    "panels.add_urgent_item": "chair",
    "papers.item": "members",
    "papers.pack_pdf": "members",
    "papers.agenda_pdf": "chair",
    "papers.notes_page": "chair",
    "papers.guests_page": "chair",
    "papers.remove_guest": "chair",
    "actions.for_session": "members",
    "meeting.minutes_page": "members",
    "meeting.minutes_pdf": "members",
    "meeting.minutes_step": "chair",
    "meeting.minutes_comment": "meeting",  # the members present comment on the draft
    "meeting.minutes_approve": "chair",
    "meeting.show": "meeting",
    "meeting.item": "meeting",
    "meeting.acknowledge": "meeting",
    "meeting.declare_conflict": "meeting",
    "meeting.vote": "meeting",
    "meeting.register": "chair",
    "meeting.guest_register": "chair",
    "meeting.chair_step": "chair",
    "meeting.voting_step": "chair",
    "meeting.in_room_vote": "chair",
    "meeting.defer": "chair",
    "meeting.add_action": "chair",
    "meeting.decision": "chair",
}


def test_every_route_that_names_a_session_is_classified(app):
    named = {rule.endpoint for rule in app.url_map.iter_rules() if "session_id" in rule.arguments}
    assert named == set(SESSION_ROUTES)


@pytest.fixture
def decided(app, db, history):
    """The history fixture's session, with the meeting closed so that draft minutes exist."""
    from moderation.meeting import register as meeting

    with app.app_context():
        session = db.session.get(PanelSession, history.session_id)
        meeting.close(session, db.session.get(User, history.chair.id))
        db.session.commit()
    return history


def _urls(app, db, m):
    with app.app_context():
        item_id = db.session.scalar(select(AgendaItem.id).where(
            AgendaItem.session_id == m.session_id).order_by(AgendaItem.position))
    values = {"session_id": m.session_id, "item_id": item_id, "version": 1, "action": "save",
              "step": "close"}
    urls = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SESSION_ROUTES:
            url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
            urls[rule.endpoint] = (url, "GET" in rule.methods)
    return urls


def _case_detail(app, db, m):
    """What an outsider must not read: each item's reference and child's initials."""
    with app.app_context():
        disputes = [db.session.get(Dispute, i) for i in m.dispute_ids]
        return [d.reference for d in disputes] + [f"({d.child_initials})" for d in disputes]


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    return client


def _request(client, url, is_get):
    if is_get:
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(client)})


@pytest.fixture
def outsiders(make_user, make_member, make_agency):
    """People who hold the right role but not this record (the session is on 8 December 2026,
    and today is that day)."""
    former = make_user("panel_member", name="Former Member")
    make_member(former, joined_on=date(2020, 1, 1), left_on=date(2026, 12, 1))
    later = make_user("chair", "panel_member", name="Later Member")
    make_member(later, role="chair", joined_on=date(2026, 12, 9))
    people = {
        "a panel member who is not on the panel": make_user("panel_member"),
        "a chair who is not on the panel": make_user("chair"),
        "a member who left before the session": former,
        "a chair who joined after the session": later,
    }
    for who, role in (("a former chair", "chair"), ("a former deputy chair", "deputy_chair")):
        people[who] = make_user("chair", name=who.title())  # the role still held
        make_member(people[who], role=role, left_on=date(2026, 12, 7))  # the seat ended yesterday
    return people


@pytest.mark.parametrize("endpoint", sorted(SESSION_ROUTES))
def test_a_role_without_the_record_reads_nothing_of_the_session(app, db, decided, outsiders,
                                                                endpoint):
    url, is_get = _urls(app, db, decided)[endpoint]
    secrets = _case_detail(app, db, decided)
    with app.app_context():
        attendance_before = db.session.scalar(select(Attendance.id).order_by(Attendance.id.desc()))
    for who, user in outsiders.items():
        response = _request(_client(app, user), url, is_get)
        # 403 where the role does not reach the route at all; 404 where it does but the
        # record is not theirs (as if it were not there).
        assert response.status_code in (403, 404), f"{who} reached {endpoint}"
        assert heading(response) in ("Page not found", "You do not have access to this page")
        assert not any(s in response.text for s in secrets), f"{who} read {endpoint}"
    with app.app_context():  # nothing an outsider sent changed the register
        assert db.session.scalar(
            select(Attendance.id).order_by(Attendance.id.desc())) == attendance_before


# The pages of case detail a member reads (what members send is tested by the journeys).
MEMBERS_READ = ("papers.item", "actions.for_session", "meeting.minutes_page",
                "meeting.minutes_pdf", "meeting.show", "meeting.item")


@pytest.mark.parametrize("endpoint", MEMBERS_READ)
def test_a_member_of_the_session_reads_its_case_detail(app, db, decided, endpoint):
    url, is_get = _urls(app, db, decided)[endpoint]
    assert is_get and SESSION_ROUTES[endpoint] in ("members", "meeting")
    response = _client(app, decided.reps["health"]).get(url)
    assert response.status_code == 200, endpoint


def test_the_partnership_manager_reads_every_session_but_runs_none(app, db, decided, make_user):
    manager = _client(app, make_user("partnership_manager"))
    urls = _urls(app, db, decided)
    for endpoint in ("papers.item", "actions.for_session", "meeting.minutes_page",
                     "meeting.minutes_pdf"):
        assert manager.get(urls[endpoint][0]).status_code == 200, endpoint
    minutes = page(manager.get(urls["meeting.minutes_page"][0]))
    assert not minutes.select("form[action*='/minutes/']"), "the manager is offered the chair's"


def test_the_session_page_is_not_there_for_an_outsider(app, db, decided, outsiders):
    """Its place, online link and purpose are for its panel: anyone else holding a panel role
    is told "Page not found", and offered no link into it."""
    url = _urls(app, db, decided)["panels.show"][0]
    for who, user in outsiders.items():
        response = _client(app, user).get(url)
        assert (response.status_code, heading(response)) == (404, "Page not found"), who
        assert "Council House" not in response.text, who
        links = [a["href"] for a in page(response).select("main a[href]")]
        assert [h for h in links if "/sessions/" in h] == [], who


def test_a_referrer_of_another_agency_cannot_read_a_dispute(app, db, decided, make_user):
    other = _client(app, make_user("referrer"))
    response = other.get(f"/disputes/{decided.dispute_ids[0]}")
    assert response.status_code in (403, 404)
    assert not any(s in response.text for s in _case_detail(app, db, decided))


def test_a_chair_not_on_the_panel_sees_no_actions_of_its_sessions(app, db, decided, make_user):
    from moderation.actions import services as actions

    with app.app_context():
        session = db.session.get(PanelSession, decided.session_id)
        chair = db.session.get(User, decided.chair.id)
        actions.add_action(session, chair, description="Review the referral pathway",
                           owner_id=decided.chair.id, working_days=10)
        db.session.commit()
    assert "Review the referral pathway" in _client(app, decided.chair).get(
        "/actions?status=all").text
    outsider = _client(app, make_user("chair"))
    assert "Review the referral pathway" not in outsider.get("/actions?status=all").text
