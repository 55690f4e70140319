"""An unborn child's dispute in a real browser (#25): raised with an expected date of delivery,
shown as "Unborn, due DATE", and the birth recorded later by the referrer, a refused date first.
axe runs on every page visited, error states included, under the real CSP."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from moderation.web.formatting import format_date
from tests.browser.conftest import assert_accessible
from tests.browser.steps import fill_date, fill_raise_form

pytestmark = pytest.mark.browser


def _child_row(page, key):
    return page.locator(".govuk-summary-list__row", has=page.locator("dt", has_text=key)).first


def test_an_unborn_child_s_dispute_is_raised_and_the_birth_recorded_later(
        open_as, make_user):
    referrer = open_as(make_user("referrer"))
    due = date.today() + timedelta(weeks=8)
    referrer.get_by_role("link", name="Challenge a decision").click()
    fill_raise_form(referrer, child=("Unborn Carter", "child_expected_delivery_date", due),
                    concern="Domestic abuse", summary="Pre-birth referral at 30 weeks.",
                    grounds="A pre-birth assessment is needed now.")
    referrer.get_by_role("button", name="Continue").click()
    expect(referrer.locator("h1")).to_have_text("Check your answers before you submit")
    expect(_child_row(referrer, "Date of birth")).to_contain_text(
        f"Unborn, due {format_date(due)}")
    assert_accessible(referrer)
    referrer.get_by_role("button", name="Submit dispute").click()
    expect(referrer.locator(".govuk-panel")).to_contain_text("Dispute raised")
    reference = referrer.locator(".govuk-panel strong").inner_text()
    referrer.get_by_role("link", name="View your dispute").click()
    expect(_child_row(referrer, "Date of birth")).to_contain_text(
        f"Unborn, due {format_date(due)}")
    assert_accessible(referrer)

    referrer.get_by_role("link", name="Record the birth").click()
    expect(referrer.locator("h1")).to_have_text("Record the child's birth")
    assert_accessible(referrer)
    referrer.get_by_label("Child's full name").fill("Leo Carter")
    fill_date(referrer, "child_dob", date.today() + timedelta(days=1))
    referrer.get_by_role("button", name="Record the birth").click()
    expect(referrer.locator(".govuk-error-summary")).to_contain_text(
        "The date of birth must be today or in the past")
    assert referrer.title().startswith("Error: ")
    assert_accessible(referrer)
    born = date.today() - timedelta(days=1)
    fill_date(referrer, "child_dob", born)
    referrer.get_by_role("button", name="Record the birth").click()
    expect(referrer.locator(".govuk-notification-banner--success")).to_contain_text(
        "The child's birth has been recorded.")
    expect(referrer.locator("h1")).to_have_text(f"Dispute {reference}")
    expect(_child_row(referrer, "Name")).to_contain_text("Leo Carter")
    expect(_child_row(referrer, "Date of birth")).to_contain_text(format_date(born))
    expect(referrer.get_by_role("link", name="Record the birth")).to_have_count(0)
    assert_accessible(referrer)
