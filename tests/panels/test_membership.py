"""Panel membership with deputies, and each member's private, revocable calendar feed."""

import sqlalchemy as sa
from icalendar import Calendar

from moderation.models import PanelMember, PanelSession
from tests.conftest import banners, error_summary, page, post, url


def rows(response):
    return [[cell.get_text(" ", strip=True) for cell in row.find_all("td")][:4]
            for row in page(response).select("tbody tr")]


def test_a_chair_adds_a_representative_and_their_deputy(client, signed_in, make_user,
                                                        make_agency):
    police = make_agency("Northshire Police", kind="police", is_core=True)
    amira = make_user("panel_member", name="Amira Shah", agency_id=police)
    lewis = make_user("panel_member", name="PC Lewis", agency_id=police)
    signed_in("chair", seat="chair")
    post(client, url(client, "panels.members"), {"user_id": str(amira.id), "role": "representative",
                                       "agency_id": str(police)})
    members = client.get(url(client, "panels.members"))
    principal = page(members).find("option", string="Amira Shah (Northshire Police)")["value"]
    response = post(client, url(client, "panels.members"), {
        "user_id": str(lewis.id), "role": "representative", "agency_id": str(police),
        "deputy_for_id": principal}, follow_redirects=True)
    assert "PC Lewis has joined the panel." in banners(response)
    assert ["PC Lewis", "Agency representative", "Northshire Police", "Amira Shah"] in rows(
        response)


def test_membership_mistakes_are_explained(client, signed_in, make_user, make_agency):
    health = make_agency("Northshire ICB", kind="health")
    police = make_agency("Northshire Police", kind="police")
    referrer = make_user("referrer", name="Hannah Okafor", agency_id=health)
    signed_in("partnership_manager")
    assert error_summary(post(client, url(client, "panels.members"), {})) == [
        "Select who is joining the panel", "Select their part on the panel",
        "Select the agency they represent"]
    response = post(client, url(client, "panels.members"), {"user_id": str(referrer.id),
                                                  "role": "representative",
                                                  "agency_id": str(police)})
    assert error_summary(response) == [
        "Hannah Okafor needs the agency representative (panel member) role first: ask an "
        "administrator"]


def test_a_user_without_the_right_role_cannot_join(app, client, signed_in, make_user):
    chair_only = make_user("chair", name="Ruth Lawson")
    signed_in("chair", seat="chair")
    response = post(client, url(client, "panels.members"), {"user_id": str(chair_only.id),
                                                  "role": "representative",
                                                  "agency_id": str(chair_only.agency_id)})
    assert error_summary(response) == [
        "Ruth Lawson needs the agency representative (panel member) role first: ask an "
        "administrator"]


def test_removing_a_member(app, client, signed_in, make_member):
    member = make_member()
    signed_in("chair", seat="chair")
    response = post(client, url(client, "panels.remove_member", member_id=member),
                    follow_redirects=True)
    assert any("has left the panel" in banner for banner in banners(response))
    with app.app_context():
        assert app.extensions["sqlalchemy"].session.get(PanelMember, member) is None


def test_a_members_feed_lists_sessions_and_a_new_address_revokes_the_old(
        app, client, make_user, make_member, make_session):
    user = make_user("panel_member")
    make_member(user)
    make_session()
    from tests.conftest import sign_in

    sign_in(client, user)
    feed_page = page(client.get(url(client, "panels.calendar_feed")))
    address = feed_page.select_one("#feed-address").get_text()
    path = address.replace("http://localhost", "")
    anonymous = app.test_client()
    feed = anonymous.get(path)
    assert feed.mimetype == "text/calendar"
    assert len(Calendar.from_ical(feed.data).walk("VEVENT")) == 1
    post(client, url(client, "panels.calendar_feed"))
    assert anonymous.get(path).status_code == 404


def test_an_unknown_feed_address_is_not_found(client):
    assert client.get(url(client, "panels.feed", token="guess")).status_code == 404


def test_removing_a_member_who_attended_ends_their_membership_and_keeps_the_register(
        app, db, panel_meeting, make_user):
    from moderation.models import Attendance
    from tests.conftest import sign_in

    m = panel_meeting()
    health = m.members[m.reps["health"].id]
    manager = app.test_client()
    sign_in(manager, make_user("partnership_manager"))
    response = post(manager, url(app, "panels.remove_member", member_id=health),
                    follow_redirects=True)
    assert response.status_code == 200
    assert "Health Rep has left the panel." in banners(response)
    assert "Health Rep" not in [row[0] for row in rows(response)]
    with app.app_context():
        member = db.session.get(PanelMember, health)
        assert member.left_on is not None  # ended, not deleted
        assert db.session.scalar(sa.select(sa.func.count(Attendance.id)).where(
            Attendance.member_id == health)) == 1


def test_a_member_who_left_keeps_the_sessions_they_sat_on_and_sees_no_later_one(
        app, db, panel_meeting, make_user, make_session):
    from datetime import date

    from moderation.panels import agenda
    from tests.conftest import sign_in

    m = panel_meeting()
    later = make_session(held_on=date(2027, 1, 12))
    with app.app_context():
        agenda.freeze(db.session.get(PanelSession, later), None)
        db.session.commit()
    chair = app.test_client()
    sign_in(chair, m.chair)
    post(chair, url(app, "panels.remove_member", member_id=m.members[m.reps["csc"].id]))
    leaver = app.test_client()
    sign_in(leaver, m.reps["csc"])
    assert leaver.get(url(app, "meeting.show", session_id=m.session_id)).status_code == 200
    assert leaver.get(url(app, "meeting.show", session_id=later)).status_code == 404


def test_a_member_who_left_can_join_again(app, db, panel_meeting, client, signed_in):
    m = panel_meeting()
    signed_in("chair", seat="chair")
    rep = m.reps["health"]
    post(client, url(app, "panels.remove_member", member_id=m.members[rep.id]))
    response = post(client, url(client, "panels.members"), {
        "user_id": str(rep.id), "role": "representative", "agency_id": str(rep.agency_id)},
        follow_redirects=True)
    assert "Health Rep has joined the panel." in banners(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PanelMember.id)).where(
            PanelMember.user_id == rep.id)) == 2
