"""Each user's first steps in a real browser, with axe-core run on every page visited."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import address, assert_accessible
from tests.browser.steps import sign_in

pytestmark = pytest.mark.browser

HOMES = {
    "referrer": "Your disputed decisions",
    "csc_manager": "Disputed CSC decisions",
    "panel_member": "Your panel work",
    "chair": "Chairing the panel",
    "partnership_manager": "Partnership overview",
    "admin": "Administration",
    "data_protection_officer": "Data protection officer",
}


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_signs_in_and_lands_on_its_home_page(page, make_user, role):
    user = make_user(role)
    page.goto(address("auth.sign_in"))
    assert_accessible(page)
    sign_in(page, user)
    expect(page.locator("h1")).to_have_text(HOMES[role])
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)


def test_pages_are_styled_and_scripted_under_the_strict_content_security_policy(page):
    # The `page` fixture enforces the CSP and fails on any violation or console error.
    page.goto(address("auth.sign_in"))
    expect(page.locator("body")).to_have_class(re.compile("govuk-frontend-supported"))
    # The password input's "Show" button is added by GOV.UK Frontend's JavaScript module.
    expect(page.get_by_role("button", name="Show password")).to_be_visible()
    # GOV.UK Frontend is compiled with the system's fonts: GDS Transport is for GOV.UK only.
    font = page.locator("h1").evaluate("h => getComputedStyle(h).fontFamily")
    assert font.startswith("system-ui") and "GDS Transport" not in font


def test_a_wrong_password_shows_the_error_summary(page, make_user):
    user = make_user("referrer")
    sign_in(page, user, password="not-my-password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter a correct email address and password")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: Sign in"))
    assert_accessible(page)


def test_an_empty_sign_in_form_asks_for_both_fields(page):
    page.goto(address("auth.sign_in"))
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your email address")
    expect(summary).to_contain_text("Enter your password")
    summary.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    assert_accessible(page)


def test_a_temporary_password_must_be_changed_first(page, make_user):
    user = make_user("chair", must_change_password=True)
    sign_in(page, user)
    expect(page.locator("h1")).to_have_text("Choose a new password")
    assert_accessible(page)
    page.get_by_label("Current password").fill(user.password)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("12 characters or more")
    assert_accessible(page)
    page.get_by_label("Current password").fill(user.password)
    page.get_by_label("New password", exact=True).fill("a-long-and-memorable-one")
    page.get_by_label("Confirm new password").fill("a-long-and-memorable-one")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("h1")).to_have_text("Chairing the panel")
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Your password has been changed.")
    assert_accessible(page)


def test_sign_out_returns_to_sign_in(page, make_user):
    sign_in(page, make_user("panel_member"))
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("h1")).to_have_text("Sign in to Threshold moderation")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    assert_accessible(page)


def test_an_administrator_adds_a_user_and_reads_the_audit_log(page, make_user, make_agency):
    make_agency("Northshire Police", kind="police", is_core=True)
    sign_in(page, make_user("admin"))
    page.get_by_role("link", name="Users", exact=True).click()
    expect(page.locator("h1")).to_have_text("Users")
    assert_accessible(page)
    page.get_by_role("link", name="Add a user").first.click()
    page.get_by_role("button", name="Save user").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the user's full name")
    expect(summary).to_contain_text("Select at least one role")
    assert_accessible(page)
    page.get_by_label("Full name").fill("Sam Carter")
    page.get_by_label("Email address").fill("sam.carter@example.org")
    page.get_by_label("Agency", exact=True).select_option(label="Northshire Police")
    page.get_by_label("Agency representative (panel member)").check()
    page.get_by_role("button", name="Save user").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Account created")
    password = page.locator("#temporary-password")
    expect(password).to_have_text(re.compile(r"^\w{4}-\w{4}-\w{4}-\w{4}$"))
    assert_accessible(page)
    page.get_by_role("link", name="Audit log", exact=True).click()
    expect(page.locator("table")).to_contain_text("user created")
    assert_accessible(page)
    page.get_by_label("Day").first.fill("31")
    page.get_by_label("Month").first.fill("2")
    page.get_by_label("Year").first.fill("2026")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("'From' must be a real date")
    assert_accessible(page)


def test_the_agency_pages_are_accessible(page, make_user):
    sign_in(page, make_user("partnership_manager"))
    page.goto(address("admin.agencies"))
    assert_accessible(page)
    page.get_by_role("link", name="Add an agency").click()
    page.get_by_role("button", name="Save agency").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the agency's name")
    assert_accessible(page)


def test_error_pages_are_accessible(page, make_user):
    sign_in(page, make_user("referrer"))
    page.goto(address("admin.users"))
    expect(page.locator("h1")).to_have_text("You do not have access to this page")
    assert_accessible(page)
    page.goto("/no-such-page")
    expect(page.locator("h1")).to_have_text("Page not found")
    assert_accessible(page)
