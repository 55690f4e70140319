"""The partnership manager filters the dashboard and writes and downloads a learning summary in
a real browser; axe runs on every page visited."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import address, assert_accessible
from tests.browser.steps import sign_in

pytestmark = pytest.mark.browser


def test_the_manager_filters_the_dashboard_and_downloads_a_learning_summary(
        page, history, make_user):
    sign_in(page, make_user("partnership_manager"))
    expect(page.locator("h1")).to_have_text("Partnership overview")
    assert_accessible(page)
    page.get_by_text("Change the period and filters").click()
    page.get_by_label("Custom").check()
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the start date")
    assert_accessible(page)
    for field, (day, month, year) in {"start": ("1", "11", "2026"),
                                      "end": ("31", "12", "2026")}.items():
        page.fill(f"#{field}-day", day)
        page.fill(f"#{field}-month", month)
        page.fill(f"#{field}-year", year)
    page.get_by_label("Level of need claimed").select_option(label="Level 3: targeted")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator("ul.figures")).to_contain_text("3 disputes raised")
    expect(page.locator("figure.chart svg").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="2 decided by the panel").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="Write a learning summary for this period").click()
    assert_accessible(page)
    page.get_by_label("Include vignette 1").check()
    page.get_by_label("Text of vignette 1").fill("A school raised neglect; the panel agreed.")
    page.get_by_label("The manager's recommendations").fill("Share the threshold guidance.")
    page.get_by_role("button", name="Generate the learning summary").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "generated and kept")
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator("a[href$='.pdf']").first.click()
    assert download.value.suggested_filename == (
        "learning-summary-2026-11-01-to-2026-12-31.pdf")
    page.goto(address("outcomes.themes"))
    page.get_by_role("button", name="Add theme").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the learning theme")
    assert_accessible(page)
