"""A chair schedules a monthly series in a real browser; axe runs on every page visited."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser


def test_a_chair_schedules_a_monthly_series(page, make_user):
    sign_in(page, make_user("chair"))
    page.get_by_role("link", name="Panel sessions").click()
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
