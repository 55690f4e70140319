"""Minutes the panel agrees: the draft is circulated to the members present, who comment on it
until a due date counted in working days; the chair reads the comments beside the draft, and
approves after a confirmation step; approved minutes stay locked; guests are named."""

from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from moderation.disputes.policy import current_policy
from moderation.models import (
    AuditEvent,
    MinutesComment,
    MinutesVersion,
    Notification,
)
from tests.conftest import (
    banners,
    client_for,
    error_summary,
    heading,
    page,
    pdf_pages,
    post,
    url,
)
from tests.helpers import (
    close_with_the_deputy_standing_in,
    comment_on_minutes,
    counting_queries,
)


@pytest.fixture
def closed(closed_meeting):
    """The meeting of 8 December 2026, closed with its item deferred (tests/conftest.py)."""
    return closed_meeting


def _minutes_page(app, m):
    return url(app, "meeting.minutes_page", session_id=m.session_id)


def _approve_page(app, m, version=1):
    return url(app, "meeting.minutes_approve", session_id=m.session_id, version=version)


def _comments(app, db):
    with app.app_context():
        return db.session.scalars(sa.select(MinutesComment.text)
                                  .order_by(MinutesComment.id)).all()


def _text(soup_or_tag):
    return " ".join(soup_or_tag.get_text(" ").split())


# Circulation ------------------------------------------------------------------------------------


def test_the_draft_is_circulated_with_comments_due_five_working_days_on(app, db, closed):
    with app.app_context():
        draft = db.session.scalar(sa.select(MinutesVersion))
        assert draft.circulated_at is not None
        assert draft.comments_due_on == date(2026, 12, 15)  # Tuesday to Tuesday
        circulated = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "minutes_circulated"))
        assert (circulated.object_id, circulated.actor_id) == (str(draft.id), closed.chair.id)
        assert circulated.detail["comments_due_on"] == "2026-12-15"
    seen = page(client_for(app, closed.reps["health"]).get(_minutes_page(app, closed)))
    assert ("Members present at the meeting can comment until the end of 15 December 2026."
            in _text(seen))


def test_the_due_date_skips_christmas_and_the_boxing_day_substitute(app, db, panel_meeting,
                                                                    meeting_day):
    """Closed on Tuesday 22 December 2026 with the policy's 3 working days: 23 and 24
    December, then 25 (Christmas) and 28 (Boxing Day's substitute, the 26th being a Saturday)
    are skipped, so comments are due on Tuesday 29 December."""
    m = panel_meeting()
    with app.app_context():
        current_policy().minutes_comment_days = 3
        db.session.commit()
    with time_machine.travel("2026-12-22 15:00:00+00:00", tick=False):
        close_with_the_deputy_standing_in(app, db, m)
    with app.app_context():
        assert db.session.scalar(sa.select(MinutesVersion.comments_due_on)) == date(2026, 12, 29)


def test_a_correction_is_circulated_again(app, db, closed):
    post(client_for(app, closed.chair), _approve_page(app, closed), {"confirm": "yes"})
    with time_machine.travel("2026-12-18 10:00:00+00:00", tick=False):  # a Friday
        post(client_for(app, closed.chair),
             url(app, "meeting.minutes_step", session_id=closed.session_id, action="correct"),
             {"change_note": "Item 1's deferral reason"})
    with app.app_context():
        correction = db.session.scalar(sa.select(MinutesVersion).where(
            MinutesVersion.version == 2))
        # 21 to 24 December, then the 29th: Christmas and Boxing Day's substitute are skipped.
        assert correction.comments_due_on == date(2026, 12, 29)
    with time_machine.travel("2026-12-29 16:00:00+00:00", tick=False):
        response = comment_on_minutes(client_for(app, closed.deputy), closed,
                            "The deferral reason reads well.", version=2)
    assert "Your comment has been added." in " ".join(banners(response))


# Comments ---------------------------------------------------------------------------------------


def test_members_present_comment_and_the_chair_reads_them_beside_the_draft(app, db, closed):
    response = comment_on_minutes(client_for(app, closed.reps["health"]), closed,
                        "Item 1: say the GP's report is due in January.")
    assert banners(response) == [
        "Your comment has been added. The chair reads it beside the draft."]
    # The deputy who stood in for the police representative was present too.
    comment_on_minutes(client_for(app, closed.deputy), closed,
                       "Agreed with the health representative.")

    chair_page = page(client_for(app, closed.chair).get(_minutes_page(app, closed)))
    draft, beside = chair_page.select(".govuk-grid-row > div")
    assert "govuk-grid-column-two-thirds" in draft["class"]
    assert draft.select_one("h2").get_text(strip=True) == "Edit the draft (version 1)"
    assert draft.select_one("textarea#opening-text") is not None
    assert "govuk-grid-column-one-third" in beside["class"]
    comments = [_text(li) for li in beside.select("li")]
    assert comments[0].startswith("Health Rep , Northshire Health 8 December 2026")
    assert comments[0].endswith("Item 1: say the GP's report is due in January.")
    assert comments[1].startswith("Police Deputy , Northshire Police 8 December 2026")
    assert chair_page.select("form[action$='/comments']") == []  # the chair edits instead

    # Every member present reads the others' comments too, with the deadline.
    member_page = page(client_for(app, closed.reps["csc"]).get(_minutes_page(app, closed)))
    assert [_text(li).split(" , ")[0] for li in member_page.select(".minutes-comments li")] == [
        "Health Rep", "Police Deputy"]
    assert member_page.select_one("form[action$='/minutes/1/comments'] textarea") is not None

    with app.app_context():
        events = db.session.execute(sa.select(AuditEvent.action, AuditEvent.actor_id).where(
            AuditEvent.action.in_(["minutes_commented", "minutes_viewed"]))
            .order_by(AuditEvent.id)).all()
    assert [actor for action, actor in events if action == "minutes_commented"] == [
        closed.reps["health"].id, closed.deputy.id]
    assert {actor for action, actor in events if action == "minutes_viewed"} >= {
        closed.chair.id, closed.reps["csc"].id}


@pytest.mark.parametrize(("typed", "message"), [
    ("   ", "Enter your comment on the draft minutes"),
    ("x" * 2001, "Your comment must be 2000 characters or fewer"),
    ("The Jones family's GP was at the meeting.",
     "Your comment must not contain a child's name, date of birth or case number"),
])
def test_a_comment_is_refused_and_nothing_stored(app, db, closed, typed, message):
    response = comment_on_minutes(client_for(app, closed.reps["health"]), closed, typed)
    assert error_summary(response) == [message]
    assert page(response).select_one("textarea#text").get_text() == typed.strip("\n")
    assert page(response).select_one(".govuk-error-summary a")["href"] == "#text"
    assert _comments(app, db) == []


def test_after_the_due_date_comments_are_refused(app, db, closed):
    with time_machine.travel("2026-12-15 16:59:00+00:00", tick=False):  # the last day
        comment_on_minutes(client_for(app, closed.reps["health"]), closed, "In time.")
    with time_machine.travel("2026-12-16 09:00:00+00:00", tick=False):
        member = client_for(app, closed.reps["health"])
        response = comment_on_minutes(member, closed, "Too late.")
        assert error_summary(response) == ["The time for comments ended on 15 December 2026"]
        seen = page(member.get(_minutes_page(app, closed)))
    assert _comments(app, db) == ["In time."]
    assert "The time for comments ended on 15 December 2026." in _text(
        seen.select_one(".govuk-inset-text"))
    assert seen.select("form[action$='/comments']") == []


def test_no_one_but_the_members_present_can_comment(app, db, closed, make_user, make_member):
    other_session = make_user("panel_member", name="Next Month Rep")
    make_member(other_session, joined_on=date(2026, 12, 9))  # sits on later sessions only
    absent = client_for(app, closed.reps["police"])  # sent apologies
    seen = page(absent.get(_minutes_page(app, closed)))
    assert heading(absent.get(_minutes_page(app, closed))) == "Minutes, 8 December 2026"
    assert seen.select("form[action$='/comments']") == []
    assert comment_on_minutes(absent, closed, "I was not there.").status_code == 404
    for person, status in ((other_session, 404), (closed.guest, 403), (closed.referrer, 403)):
        client = client_for(app, person)
        assert client.get(_minutes_page(app, closed)).status_code == status
        assert comment_on_minutes(client, closed, "Let me in.").status_code == status
    assert _comments(app, db) == []


# Approval ---------------------------------------------------------------------------------------


def _told_of_approval(app, db, m):
    with app.app_context():
        return db.session.scalars(sa.select(Notification.user_id).where(
            Notification.key.like(f"minutes-approved:session-{m.session_id}:%"))
            .order_by(Notification.user_id)).all()


def test_approval_is_confirmed_then_tells_the_members_present_and_locks(app, db, closed):
    comment_on_minutes(client_for(app, closed.reps["health"]), closed,
                       "Item 1: name the school's report.")
    chair = client_for(app, closed.chair)
    response = post(chair, url(app, "meeting.minutes_step", session_id=closed.session_id,
                               action="approve"), {"opening": "Welcome."})
    assert response.location == _approve_page(app, closed)  # saved, not yet approved

    confirm = chair.get(_approve_page(app, closed))
    assert heading(confirm) == "Approve version 1 of the minutes?"
    assert ("Approved minutes cannot change; a correction is a new version."
            in _text(page(confirm)))
    warnings = [_text(w) for w in page(confirm).select(".govuk-warning-text__text")]
    assert warnings == ["Warning The time for comments has not ended: members present can "
                        "comment until 15 December 2026."]  # the comment came before the save

    comment_on_minutes(client_for(app, closed.reps["csc"]), closed, "A late thought on item 1.")
    warnings = [_text(w) for w in page(chair.get(_approve_page(app, closed)))
                .select(".govuk-warning-text__text")]
    assert warnings[1] == "Warning 1 comment arrived since the draft was last saved."

    response = post(chair, _approve_page(app, closed), {})
    assert error_summary(response) == ["Select 'Approve version 1' to approve the minutes"]
    assert _told_of_approval(app, db, closed) == []

    response = post(chair, _approve_page(app, closed), {"confirm": "yes"},
                    follow_redirects=True)
    assert banners(response) == ["Version 1 of the minutes is approved and locked. The members "
                                 "present have been told."]
    assert _told_of_approval(app, db, closed) == sorted(
        [closed.chair.id, closed.reps["health"].id, closed.reps["csc"].id, closed.deputy.id])

    # Locked (rule 10): no comment, no edit, no second approval.
    response = comment_on_minutes(client_for(app, closed.reps["health"]), closed, "One more thing.")
    assert error_summary(response) == [
        "These minutes are approved and locked: comments are closed"]
    response = post(chair, url(app, "meeting.minutes_step", session_id=closed.session_id,
                               action="save"), {"opening": "Changed."})
    assert error_summary(response) == [
        "Approved minutes cannot change: start a correction instead"]
    assert chair.get(_approve_page(app, closed)).status_code == 404
    with app.app_context():
        version = db.session.scalar(sa.select(MinutesVersion))
        assert (version.status, version.texts["opening"]) == ("approved", "Welcome.")
    assert len(_comments(app, db)) == 2


def test_only_the_chair_of_the_session_reaches_the_confirmation(app, closed):
    # A member of the panel is told the page is not there, as at every page not for them; the
    # guest's role does not reach the chair's pages at all.
    for person, status in ((closed.reps["health"], 404), (closed.guest, 403)):
        assert client_for(app, person).get(_approve_page(app, closed)).status_code == status
        assert post(client_for(app, person), _approve_page(app, closed),
                    {"confirm": "yes"}).status_code == status


# Guests in the minutes --------------------------------------------------------------------------


def test_guests_are_named_in_the_minutes(app, db, closed):
    chair = client_for(app, closed.chair)
    response = chair.get(url(app, "meeting.minutes_pdf", session_id=closed.session_id,
                             version=1))
    text = " ".join(pdf_pages(response.data))
    assert ("Guests Casey Decider (Northshire Children's Social Care), item 1: To present "
            "CSC's decision; attended Quorum") in text
    assert ("Guests: Casey Decider (Northshire Children's Social Care), To present CSC's "
            "decision; attended.") in text
    assert "Amelia" not in text


def test_the_minutes_page_runs_the_same_queries_for_few_or_many_comments(app, db, closed,
                                                                         make_user,
                                                                         make_member):
    chair = client_for(app, closed.chair)
    address = _minutes_page(app, closed)

    def queries():
        chair.get(address)
        with counting_queries(app) as counted:
            response = chair.get(address)
        return counted["n"], len(page(response).select(".minutes-comments li"))

    comment_on_minutes(client_for(app, closed.reps["health"]), closed, "First.")
    few, shown = queries()
    for person in (closed.reps["csc"], closed.deputy, closed.reps["health"]):
        comment_on_minutes(client_for(app, person), closed, "Another.")
    many, now_shown = queries()
    assert (shown, now_shown) == (1, 4)
    assert many == few
