"""Steps of the browser journeys that more than one journey takes: signing in, raising a
dispute, recording CSC's decision, reading a notification, a refused form's error, a download,
and the checks every crawled page passes. Fixtures live in tests/browser/conftest.py."""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import (
    address,
    assert_accessible,
    axe_violations,
    questions_without_legend,
)

# Markup a page shows as text instead of rendering it.
ESCAPED = re.compile(r"&lt;|&gt;|<(h2|p|span|strong)\b")


def sign_in(page, user, password=None):
    page.goto(address("auth.sign_in"))
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(password or user.password)
    # Wait for the page the form leads to, so the next step never acts on a page mid-load.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


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


def notification(page, text):
    """The person's notifications page, read through the menu; returns the notice's link."""
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(page.locator("h1")).to_have_text("Notifications")
    link = page.locator(".app-notifications a", has_text=text)
    expect(link).to_have_count(1)
    assert_accessible(page)
    return link


def shows_error(tab, field_id, text):
    """The GOV.UK error, in the summary (which has focus) and on the field."""
    summary = tab.locator(".govuk-error-summary")
    expect(summary).to_contain_text(text)
    expect(summary).to_be_focused()
    expect(tab.locator(f"#{field_id}-error")).to_contain_text(text)
    expect(tab).to_have_title(re.compile("^Error: "))
    assert_accessible(tab)


def downloaded(tab, button):
    with tab.expect_download() as download:
        tab.get_by_role("button", name=button).click()
    with open(download.value.path(), "rb") as file:
        return download.value.suggested_filename, file.read()


def check(tab, url, came_from):
    response = tab.goto(url)
    if response.status >= 400:
        return [f"{url}: status {response.status} (linked from {came_from})"]
    if "text/html" not in response.headers.get("content-type", ""):
        return []
    faults = [f"{url}: {problem}" for problem in axe_violations(tab)]
    text = tab.evaluate("document.body.innerText")
    faults += [f"{url}: markup shown as text: …{text[max(m.start() - 40, 0):m.end() + 40]}…"
               for m in ESCAPED.finditer(text)]
    faults += [f"{url}: the options '{name}' have no question (fieldset legend)"
               for name in questions_without_legend(tab.content())]
    return faults
