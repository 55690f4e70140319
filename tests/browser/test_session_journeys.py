"""A chair schedules a monthly series in a real browser; axe runs on every page visited."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.steps import sign_in

pytestmark = pytest.mark.browser


def _chair(make_user, make_member, *roles):
    """A chair who holds the chair's seat on the panel: the role alone schedules nothing."""
    chair = make_user("chair", *roles)
    make_member(chair, role="chair")
    return chair


def test_a_chair_schedules_a_monthly_series(page, make_user, make_member):
    sign_in(page, _chair(make_user, make_member))
    page.get_by_role("link", name="Panel sessions", exact=True).click()
    expect(page.locator("h1")).to_have_text("Panel sessions")
    assert_accessible(page)
    page.get_by_role("link", name="Schedule a monthly series").click()
    page.get_by_role("button", name="Schedule series").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select which week of the month")
    assert_accessible(page)
    page.get_by_label("Second").check()
    page.get_by_label("Tuesday").check()
    first = date(date.today().year + 1, 1, 1)
    page.fill("#first_on-day", "1")
    page.fill("#first_on-month", "1")
    page.fill("#first_on-year", str(first.year))
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Length in minutes").fill("180")
    page.get_by_label("Place (optional if online)").fill("Council House, Room 2")
    page.get_by_label("How many cases can it take?").fill("8")
    page.get_by_label("Agenda cut-off, in working days before the session").fill("5")
    page.get_by_role("button", name="Schedule series").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "second Tuesday of each month")
    expect(page.locator("tbody tr")).to_have_count(6)
    assert_accessible(page)
    page.locator("tbody a").first.click()
    expect(page.locator("h1")).to_contain_text("Panel session")
    assert_accessible(page)
    page.get_by_role("link", name="Move this session").click()
    page.get_by_role("button", name="Move session").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the new date")
    assert_accessible(page)


def test_membership_and_calendar_pages_are_accessible(page, make_user, make_member,
                                                     make_agency):
    police = make_agency("Northshire Police", kind="police", is_core=True)
    make_user("panel_member", name="Amira Shah", agency_id=police)
    chair = _chair(make_user, make_member, "panel_member")
    sign_in(page, chair)
    page.goto("/sessions/members")
    page.get_by_role("button", name="Add to the panel").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select who is joining")
    assert_accessible(page)
    page.get_by_label("Who is joining?").select_option(label="Amira Shah, Northshire Police")
    page.get_by_label("Agency representative").check()
    page.get_by_label("Agency they represent").select_option(label="Northshire Police")
    page.get_by_role("button", name="Add to the panel").click()
    expect(page.locator("tbody")).to_contain_text("Amira Shah")
    assert_accessible(page)
    page.goto("/sessions/calendar-feed")
    expect(page.locator("h1")).to_have_text("Your panel calendar")
    assert_accessible(page)


def test_the_chair_freezes_an_agenda_and_a_member_reads_the_papers(
    window, page, make_user, make_member, make_session, app
):
    session = make_session(held_on=date.today().replace(year=date.today().year + 1))
    _queue_one(app, make_user)
    sign_in(page, _chair(make_user, make_member))
    page.goto(f"/sessions/{session}/agenda")
    assert_accessible(page)
    page.get_by_role("button", name="Fill from the queue").click()
    expect(page.locator("tbody")).to_contain_text("D-")
    assert_accessible(page)
    page.get_by_role("button", name="Freeze the agenda").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("frozen")
    member = make_user("panel_member")
    make_member(member)
    reader = window()
    sign_in(reader, member)
    reader.goto(f"/sessions/{session}")
    reader.locator("ol a").first.click()
    expect(reader.locator("main")).to_contain_text("OFFICIAL-SENSITIVE")
    assert_accessible(reader)


def _queue_one(app, make_user):
    from datetime import timedelta

    from moderation.disputes import escalating, raising
    from moderation.extensions import db
    from moderation.models import User
    from tests.conftest import dispute_answers

    referrer = make_user("referrer")
    raised_on = date.today() - timedelta(days=21)
    with app.app_context():
        user = db.session.get(User, referrer.id)
        dispute = raising.raise_dispute(user, dispute_answers(
            referral_date=raised_on - timedelta(days=5),
            csc_decision_date=raised_on - timedelta(days=3)), on=raised_on)
        escalating.escalate(dispute, user, to_position=4, skip_reason="test", on=date.today())
        db.session.commit()


def test_the_one_off_session_form_is_accessible(page, make_user, make_member):
    sign_in(page, _chair(make_user, make_member))
    page.goto("/sessions/new")
    page.get_by_role("button", name="Schedule session").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the session's date")
    assert_accessible(page)
