"""Disputes in a real browser: raise, answer, escalate through every stage into the panel queue,
and the immediate-risk route. axe runs on every page visited."""

from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from moderation.calendar import UK, urgent_due_at, working_days_between
from tests.browser.conftest import address, assert_accessible
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def open_as(window):
    """A separate browser window per person, each signed in as them, under the real CSP."""

    def open_for(user):
        tab = window()
        sign_in(tab, user)
        return tab

    return open_for


def fill_date(page, field, day):
    page.fill(f"#{field}-day", str(day.day))
    page.fill(f"#{field}-month", str(day.month))
    page.fill(f"#{field}-year", str(day.year))


def record_csc_decision(page, decision_maker, rationale, authorised_by="Morgan Head",
                        told_how="By phone", told_on=None):
    """CSC's own record on the confirm page: its rationale, the decision maker chosen from the
    CSC managers, the authorising manager by typed name, and how the referrer was told."""
    page.get_by_label("CSC's rationale").fill(rationale)
    made = page.get_by_role("group", name="Who made the decision?")
    made.get_by_label("A CSC manager who uses this service").select_option(label=decision_maker)
    made.get_by_label("Or their name, if they do not use this service").fill("")
    authorised = page.get_by_role("group", name="Which manager authorised the decision?")
    authorised.get_by_label("A CSC manager who uses this service").select_option(index=0)
    authorised.get_by_label("Or their name, if they do not use this service").fill(authorised_by)
    page.get_by_label(told_how).check()
    if told_on is not None:
        fill_date(page, "told_on", told_on)
    page.get_by_role("button", name="Save CSC's decision").click()


def raise_dispute(page, immediate_risk=False):
    page.get_by_role("link", name="Challenge a decision").click()
    expect(page.locator("h1")).to_have_text("Challenge a children's social care decision")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the child's full name")
    assert_accessible(page)
    fill_raise_form(page, immediate_risk=immediate_risk)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check your answers before you submit")
    assert_accessible(page)
    page.get_by_role("button", name="Submit dispute").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Dispute raised")
    assert_accessible(page)


def fill_raise_form(page, child=("Amelia Jones", "child_dob", date(2021, 3, 14)),
                    concern="Neglect", summary="Home conditions poor on three visits.",
                    grounds="The threshold for assessment is met.", immediate_risk=False):
    """The raise form filled in as a referrer does: `child` is the name, which date is given
    (`child_dob`, or `child_expected_delivery_date` for an unborn child) and the date."""
    name, which_date, born_or_due = child
    page.get_by_label("Child's full name").fill(name)
    fill_date(page, which_date, born_or_due)
    fill_date(page, "referral_date", date.today() - timedelta(days=10))
    page.get_by_label("Phone call").check()
    page.get_by_label("A referral asking children's social care to act").check()
    page.get_by_label(concern).check()
    page.get_by_label("Level 3: targeted").check()
    page.get_by_label("Summary of your referral").fill(summary)
    fill_date(page, "csc_decision_date", date.today() - timedelta(days=8))
    page.locator("#told_recorded_as").check()  # Contact
    page.get_by_label("No further action").check()
    page.get_by_label("CSC decided the threshold was not met").check()
    page.get_by_label("Why do you disagree?").fill(grounds)
    page.locator("#immediate_risk" if immediate_risk else "#immediate_risk-2").check()


def answer_for_csc(page, reference, response):
    page.goto(address("home.csc_manager"))
    page.get_by_role("link", name=reference).click()
    assert_accessible(page)
    page.get_by_role("link", name="Respond for CSC").click()
    assert_accessible(page)
    page.get_by_label("CSC's response").fill(response)
    page.get_by_label("No: the referrer can escalate it to the next stage").check()
    page.get_by_role("button", name="Send response").click()
    success = page.locator(".govuk-notification-banner--success")
    expect(success).to_contain_text("response has been sent")


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
