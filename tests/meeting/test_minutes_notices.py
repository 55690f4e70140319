"""Members hear what happens to their sessions: draft minutes ready and minutes approved (those
present only), a session moved or cancelled (every member, with the reason on the session page)."""

from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from moderation.meeting import minutes
from moderation.meeting import register as meeting
from moderation.models import EmailMessage, Notification, PanelSession, User
from tests.conftest import banners, page, post, sign_in, url


def _told(db, key):
    """(user id, kind of email or None) for each in-app notice of an event."""
    notices = db.session.scalars(sa.select(Notification).where(
        Notification.key.like(f"{key}:user-%")).order_by(Notification.user_id)).all()
    emails = {e.key: e.kind for e in db.session.scalars(sa.select(EmailMessage))}
    return [(n.user_id, emails.get(n.key)) for n in notices]


@pytest.fixture
def closed(app, db, history):
    """The history fixture's meeting closed by its chair, the police deputy having sent
    apologies: the minutes are in draft."""
    with app.app_context():
        session = db.session.get(PanelSession, history.session_id)
        chair = db.session.get(User, history.chair.id)
        meeting.record_attendance(session, chair,
                                  {history.members[history.deputy.id]: ("apologies", False)})
        meeting.close(session, chair)
        db.session.commit()
    return history


def _present(m):
    return sorted([m.chair.id, *[rep.id for rep in m.reps.values()]])


def test_members_present_hear_the_draft_minutes_are_ready(app, db, closed):
    with app.app_context():
        told = _told(db, f"minutes-draft:session-{closed.session_id}:v1")
        assert told == [(user, "minutes_draft") for user in _present(closed)]
        assert closed.deputy.id not in [user for user, _ in told]  # sent apologies
        link = db.session.scalar(sa.select(Notification.link).where(
            Notification.key.like("minutes-draft:%")).limit(1))
        assert link == f"/sessions/{closed.session_id}/minutes"


def test_members_present_hear_each_approved_version(app, db, client, closed):
    sign_in(client, closed.chair)
    minutes_page = url(client, "meeting.minutes_page", session_id=closed.session_id)
    response = post(client, url(client, "meeting.minutes_approve", session_id=closed.session_id,
                                version=1), {"confirm": "yes"}, follow_redirects=True)
    assert ("Version 1 of the minutes is approved and locked. The members present have been "
            "told.") in banners(response)
    post(client, url(client, "meeting.minutes_step", session_id=closed.session_id,
                     action="correct"), {"change_note": "Item 2's rationale reworded."})
    post(client, url(client, "meeting.minutes_approve", session_id=closed.session_id,
                     version=2), {"confirm": "yes"})
    assert "Version 2" in page(client.get(minutes_page)).get_text(" ")
    with app.app_context():
        for version in (1, 2):
            told = _told(db, f"minutes-approved:session-{closed.session_id}:v{version}")
            assert told == [(user, "minutes_approved") for user in _present(closed)]
        # The correction is a draft circulated for comment again, with its own deadline.
        told = _told(db, f"minutes-draft:session-{closed.session_id}:v2")
        assert told == [(user, "minutes_draft") for user in _present(closed)]
        message = db.session.scalar(sa.select(Notification.message).where(
            Notification.key.like(f"minutes-draft:session-{closed.session_id}:v2:%")).limit(1))
        assert message.startswith("Version 2 of the draft minutes of 8 December 2026 is ready "
                                  "for your comments until ")


def test_closing_twice_tells_nobody_twice(app, db, closed):
    from moderation.notifications import notices

    with app.app_context():
        session = db.session.get(PanelSession, closed.session_id)
        notices.minutes_draft(session, minutes.latest(session))
        db.session.commit()
        assert len(_told(db, f"minutes-draft:session-{closed.session_id}:v1")) == 4


# Moved and cancelled sessions ------------------------------------------------------------------


@pytest.fixture
def scheduled(make_user, make_member, make_session):
    """A session on 8 December 2026, two members sitting on it and one who left before it."""
    chair = make_user("chair", name="Pat Chair")
    member = make_user("panel_member", name="Health Rep")
    former = make_user("panel_member", name="Former Rep")
    make_member(chair, role="chair")
    make_member(member)
    make_member(former, left_on=date(2026, 11, 30))
    return make_session(), chair, member, former


@pytest.mark.parametrize(
    ("step", "form", "message", "shown"),
    [
        ("panels.cancel", {"reason": "Not enough cases this month."},
         "The panel session on 8 December 2026 is cancelled: Not enough cases this month.",
         "Why it was cancelled Not enough cases this month."),
        ("panels.move", {"held_on": ["9", "12", "2026"], "reason": "The room is flooded."},
         "A panel session has moved to 9 December 2026: The room is flooded.",
         "Note Moved from 8 December 2026: The room is flooded."),
    ],
)
def test_members_hear_a_session_moved_or_cancelled_and_read_why(app, db, client, scheduled,
                                                                step, form, message, shown):
    session_id, chair, member, former = scheduled
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False):
        sign_in(client, chair)
        response = post(client, url(client, step, session_id=session_id), form,
                        follow_redirects=True)
    summary = " ".join(page(response).select_one(".govuk-summary-list").get_text(" ").split())
    assert shown in summary and "Note None" not in summary
    with app.app_context():
        told = db.session.execute(
            sa.select(Notification.user_id, Notification.message, Notification.link)
            .order_by(Notification.user_id)).all()
        assert [(user, text) for user, text, _ in told] == [(chair.id, message),
                                                             (member.id, message)]
        assert {link for _, _, link in told} == {f"/sessions/{session_id}"}
        kinds = db.session.scalars(sa.select(EmailMessage.kind)).all()
        assert kinds == ["session_changed", "session_changed"]
    reader = app.test_client()
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False):
        sign_in(reader, member)
        seen = page(reader.get(url(reader, "panels.show", session_id=session_id)))
    assert shown in " ".join(seen.select_one(".govuk-summary-list").get_text(" ").split())
