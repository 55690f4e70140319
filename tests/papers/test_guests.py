"""Guests: the chair invites someone to one item; they are told, listed in the register, and
never vote or count for quorum."""

from sqlalchemy import select

from moderation.meeting.quorum import quorum
from moderation.models import (
    AgendaItem,
    Dispute,
    EmailMessage,
    ItemGuest,
    Notification,
    PanelSession,
    User,
)
from moderation.web.permissions import can
from tests.helpers import banners, error_summary, url
from tests.papers.conftest import invite, items


def _guests(app, m, item_id):
    return url(app, "papers.guests_page", session_id=m.session_id, item_id=item_id)


def _invite(browser, address, email, purpose="to present the referral"):
    """The invitation form posted, followed to the page it leads to (or the form refused)."""
    return browser.post_url(address, {"email": email, "purpose": purpose},
                            _follow_redirects=True)


def test_the_chair_invites_a_guest_who_is_told_without_case_details(app, db, as_, papers,
                                                                     make_user):
    first, _ = items(app, db, papers.session_id)
    guest = make_user("csc_manager", name="Casey Decider", email="Casey.Decider@example.org")
    chair = as_(papers.chair)
    response = _invite(chair, _guests(app, papers, first), "  casey.decider@EXAMPLE.org ")
    assert banners(response) == ["Casey Decider is invited to item 1 and has been told."]
    assert "Casey Decider" in response.select_one("main ul").get_text()
    with app.app_context():
        reference = db.session.get(Dispute, papers.dispute_ids[0]).reference
        notice = db.session.scalar(select(Notification).where(Notification.user_id == guest.id))
        assert notice.link == f"/sessions/{papers.session_id}/papers/{first}"
        assert "item 1 of the panel session on 8 December 2026" in notice.message
        email = db.session.scalar(select(EmailMessage).where(EmailMessage.user_id == guest.id))
        assert email.kind == "guest_invited"
        for text in (email.subject, email.body):
            assert reference not in text and "Amelia" not in text
    # The guest's home lists the invitation, with a link to the item's papers.
    home = as_(guest).get("home.csc_manager")
    invitation = home.select_one("#invitations + ul").get_text(" ", strip=True)
    assert "Item 1 of the panel session on 8 December 2026 at 10:00: to present the referral" \
        in invitation
    assert home.select_one("#invitations + ul a")["href"] == url(
        app, "papers.item", session_id=papers.session_id, item_id=first)


def test_inviting_refuses_with_gov_uk_errors(app, db, as_, papers, make_user):
    first, _ = items(app, db, papers.session_id)
    guest = make_user("referrer", name="Gill Guest")
    make_user("referrer", name="Gone User", email="gone@example.org", active=False)
    chair = as_(papers.chair)
    address = _guests(app, papers, first)
    assert error_summary(_invite(chair, address, "")) == ["Enter the guest's email address"]
    assert error_summary(_invite(chair, address, "nobody@example.org")) == [
        "There is no active account with that email address: check it, or ask an "
        "administrator to create one"]
    assert error_summary(_invite(chair, address, "gone@example.org"))[0].startswith(
        "There is no active account")
    assert error_summary(_invite(chair, address, papers.reps["health"].email)) == [
        "Health Rep sits on this session's panel: members read every item's papers already"]
    assert error_summary(_invite(chair, address, guest.email, purpose="")) == [
        "Enter why the guest is invited"]
    named = _invite(chair, address, guest.email, purpose="to talk about Amelia Jones")
    assert error_summary(named) == [
        "Why the guest is invited must not contain a child's name, date of birth or case number"]
    _invite(chair, address, guest.email)
    assert error_summary(_invite(chair, address, guest.email)) == [
        "Gill Guest is already invited to this item"]
    with app.app_context():
        assert db.session.scalar(select(ItemGuest.id).where(ItemGuest.user_id != guest.id)) \
            is None


def test_only_the_sessions_chair_invites_and_removes_before_the_meeting(app, db, as_, papers,
                                                                        make_user):
    first, _ = items(app, db, papers.session_id)
    guest = make_user("referrer", name="Gill Guest")
    guest_id = invite(app, db, first, guest, papers.chair)
    as_(papers.reps["health"]).get_url(_guests(app, papers, first), _expected_status=404)
    as_(make_user("chair")).get_url(_guests(app, papers, first), _expected_status=404)
    chair = as_(papers.chair)
    response = chair.post("papers.remove_guest", {"guest_id": guest_id}, _follow_redirects=True,
                          session_id=papers.session_id, item_id=first)
    assert banners(response) == ["Gill Guest is no longer invited to item 1."]
    as_(guest).get("papers.item", _expected_status=404, session_id=papers.session_id,
                   item_id=first)
    # A guest id that is not this item's is "Page not found", never a 500.
    chair.post("papers.remove_guest", {"guest_id": "99999999999"}, _expected_status=404,
               session_id=papers.session_id, item_id=first)


def test_the_register_lists_guests_and_the_chair_records_whether_they_came(app, db, as_,
                                                                           panel_meeting,
                                                                           make_user):
    m = panel_meeting(started=True)
    (item_id,) = items(app, db, m.session_id)
    guest = make_user("panel_member", name="Gill Guest")
    guest_id = invite(app, db, item_id, guest, m.chair)
    chair = as_(m.chair)
    listed = chair.get("meeting.show", session_id=m.session_id).select_one("#guests") \
        .find_next("form")
    assert "Gill Guest, guest at item 1 (to present the referral)" in listed.get_text(" ")
    response = chair.post("meeting.guest_register", {f"attended-{guest_id}": "yes"},
                          _follow_redirects=True, session_id=m.session_id)
    assert banners(response) == ["The guests' attendance has been saved."]
    with app.app_context():
        assert db.session.get(ItemGuest, guest_id).attended is True
    # A member reads the register: the guest is there, marked as come.
    row = as_(m.reps["health"]).get("meeting.show", session_id=m.session_id) \
        .select_one("#guests")
    assert "Gill Guest" in row.find_next("table").get_text(" ")
    # An answer that is not yes or no is refused on the page, not a 500.
    response = chair.post("meeting.guest_register", {f"attended-{guest_id}": "perhaps"},
                          _expected_status=200, session_id=m.session_id)
    assert error_summary(response) == ["Select whether each guest came"]


def test_a_guest_never_votes_and_does_not_count_for_quorum(app, db, as_, panel_meeting,
                                                           make_user):
    m = panel_meeting(started=True)
    (item_id,) = items(app, db, m.session_id)
    guest = make_user("panel_member", name="Gill Guest")
    guest_id = invite(app, db, item_id, guest, m.chair)
    from moderation.meeting import register, voting

    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        before = quorum(session).explanation
        register.record_guests(session, db.session.get(User, m.chair.id), {guest_id: "yes"})
        item = db.session.get(AgendaItem, item_id)
        voting.open_voting(item, db.session.get(User, m.chair.id))
        db.session.commit()
        assert quorum(db.session.get(PanelSession, m.session_id)).explanation == before
        assert not can(db.session.get(User, guest.id), "item.vote",
                       db.session.get(AgendaItem, item_id))
    as_(guest).post("meeting.vote", {"outcome": "upheld", "reason": "I was there"},
                    _expected_status=404, session_id=m.session_id, item_id=item_id)
    with app.app_context():
        assert db.session.get(AgendaItem, item_id).votes == []
