"""Disputes in a real browser: raise, answer, escalate through every stage into the panel queue,
and the immediate-risk route. axe runs on every page visited."""

from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from moderation.calendar import UK, urgent_due_at, working_days_between
from tests.browser.conftest import address, assert_accessible
from tests.browser.steps import answer_for_csc, raise_dispute, record_csc_decision, sign_in

pytestmark = pytest.mark.browser


def escalate(page, dispute_url, to):
    page.goto(dispute_url)
    page.get_by_role("link", name="Escalate").click()
    assert_accessible(page)
    page.get_by_label(to).check()
    page.get_by_role("button", name="Escalate").click()
    success = page.locator(".govuk-notification-banner--success")
    expect(success).to_contain_text("has been escalated")
    assert_accessible(page)


def test_a_dispute_is_answered_escalated_through_every_stage_and_queued(open_as, make_user,
                                                                      make_member):
    referrer = open_as(make_user("referrer"))
    csc = open_as(make_user("csc_manager"))
    screener = open_as(make_user("csc_manager"))
    chair_user = make_user("chair")
    make_member(chair_user, role="chair")  # the queue is for the panel's chair, not the role
    chair = open_as(chair_user)
    assert_accessible(referrer)
    raise_dispute(referrer)
    reference = referrer.locator(".govuk-panel strong").inner_text()
    referrer.get_by_role("link", name="View your dispute").click()
    expect(referrer.locator(".govuk-notification-banner")).to_contain_text(
        "You made a referral; CSC recorded it as a contact")
    assert_accessible(referrer)
    dispute_url = referrer.url

    answer_for_csc(csc, reference, "Universal services are enough.")
    escalate(referrer, dispute_url, "Stage 2: Manager to manager")
    answer_for_csc(csc, reference, "The team manager agrees with the decision.")
    escalate(referrer, dispute_url, "Stage 3: Independent second screening")
    answer_for_csc(screener, reference, "Screened again: the decision stands.")
    escalate(referrer, dispute_url, "The threshold moderation panel")
    expect(referrer.locator(".govuk-tag").first).to_have_text("Waiting for panel")

    chair.get_by_role("link", name="Panel queue").click()
    expect(chair.locator("tbody")).to_contain_text(reference)
    expect(chair.locator("tbody")).not_to_contain_text("Amelia")
    assert_accessible(chair)
    chair.get_by_role("link", name=reference).click()
    expect(chair.locator("h1")).to_have_text(f"Dispute {reference}")
    assert_accessible(chair)


def test_immediate_risk_says_what_to_do_now_and_tops_the_csc_list(open_as, make_user,
                                                                  make_dispute):
    make_dispute(on=date.today() - timedelta(days=7))
    referrer = open_as(make_user("referrer"))
    raise_dispute(referrer, immediate_risk=True)
    expect(referrer.locator("main")).to_contain_text("What to do now")
    expect(referrer.locator(".govuk-warning-text")).to_contain_text(
        "Call the children's social care duty senior manager now")
    reference = referrer.locator(".govuk-panel strong").inner_text()
    csc = open_as(make_user("csc_manager"))
    first_row = csc.locator("tbody tr").first
    expect(first_row).to_contain_text(reference)
    expect(first_row).to_contain_text("Urgent")
    expect(first_row).to_contain_text(urgent_stage_due_now())
    assert_accessible(csc)


def urgent_stage_due_now():
    """What an urgent stage opened now shows: "Due today" in a working day before 17:00 (the
    policy's default end of the urgent day), else the next working day's count."""
    now = datetime.now(UK)
    due_on = urgent_due_at(now, time(17, 0)).date()
    left = working_days_between(now.date(), due_on)
    return "Due today" if left == 0 else f"{left} working day{'' if left == 1 else 's'} left"


def test_the_escalation_policy_page_is_accessible(page, make_user):
    sign_in(page, make_user("partnership_manager"))
    page.get_by_role("link", name="Escalation policy", exact=True).click()
    expect(page.locator("h1")).to_have_text("How to challenge a children's social care decision")
    assert_accessible(page)
    page.get_by_role("link", name="Change stage 2").click()
    page.get_by_label("Time limit in working days").fill("abc")
    page.get_by_role("button", name="Save stage").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("whole number of working days")
    assert_accessible(page)


def test_the_csc_confirm_page_and_the_urgent_contact_page_are_accessible(open_as, make_user,
                                                                         make_dispute):
    dispute = make_dispute()
    csc = open_as(make_user("csc_manager", name="Casey Team Manager"))
    csc.goto(address("disputes.confirm", dispute_id=dispute))
    expect(csc.locator("h1")).to_have_text("Confirm or correct CSC's decision")
    assert_accessible(csc)
    csc.get_by_role("button", name="Save CSC's decision").click()  # CSC's record left empty
    expect(csc.locator(".govuk-error-summary")).to_contain_text(
        "Enter CSC's rationale for its decision")
    assert_accessible(csc)
    record_csc_decision(csc, "Casey Team Manager", "Universal services are meeting the needs.",
                        told_how="The referrer was not told")
    expect(csc.locator(".govuk-notification-banner--success")).to_contain_text("recorded")
    manager = open_as(make_user("partnership_manager"))
    manager.goto(address("disputes.urgent_contact"))
    manager.get_by_label("Who to contact when a child is at immediate risk").fill("")
    manager.get_by_role("button", name="Save urgent contact").click()
    expect(manager.locator(".govuk-error-summary")).to_contain_text("Enter who to contact")
    assert_accessible(manager)
