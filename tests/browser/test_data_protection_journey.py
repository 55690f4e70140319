"""Data protection in real browsers (#16): the partnership manager lengthens the disputes'
retention period (a period of 0 refused first); holds a closed dispute for a practice review (a
hold without a reason refused first) and releases it; the retention job anonymises it and the
manager reads what the job did and hears of it; the data protection officer finds the records
about another child (a search without the name refused first) and downloads them as JSON and
PDF, with nothing about the child sitting beside hers at the same panel session. Each person
has their own window under the app's real CSP; axe runs on every page, error states included."""

import json
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from moderation.disputes import raising, settling
from moderation.extensions import db
from moderation.models import Dispute, User
from moderation.retention import job
from tests.browser.conftest import address, assert_accessible
from tests.browser.steps import downloaded, notification, shows_error
from tests.conftest import dispute_answers, pdf_pages

pytestmark = pytest.mark.browser

# Amelia is the child the data protection officer is asked about; Oliver, born the same day,
# is on the same panel session's agenda; Isla's dispute was settled at stage 1 and is held.
AMELIA = {"child_name": "Amelia Jones", "child_dob": date(2021, 3, 14)}
OLIVER = {"child_name": "Oliver Brown", "child_dob": date(2021, 3, 14),
          "grounds": "The nursery saw a burn on the back of his hand twice this term."}
ISLA = {"child_name": "Isla Brown", "child_dob": date(2001, 6, 1)}  # 25 on 1 June 2026
SETTLED_ON = date(2026, 11, 25)
# Seven years after Isla's dispute closed (she is past 25 by then): due under the rule the
# manager sets; Amelia's is not due until her 25th birthday in 2046.
AS_OF = date(2033, 11, 25)
SCHEDULE_REASON = "Seven years after the dispute closed, as the partnership's DPIA now says."
HOLD_REASON = "The Northshire child safeguarding practice review 2026/04 is using this dispute."
RELEASE_REASON = "The practice review has published its report."


def _success(tab, text):
    expect(tab.locator(".govuk-notification-banner--success")).to_contain_text(text)


def _card(tab, title):
    """A kind's card on the retention schedule."""
    return tab.locator(".govuk-summary-card").filter(
        has=tab.get_by_role("heading", name=title, exact=True))


def _settled_dispute(app, referrer, csc):
    """Isla's dispute, raised on 23 November 2026 and settled by CSC at stage 1."""
    with app.app_context():
        # Raised when Isla was a child (the service refuses an adult's date of birth), then
        # given the date that makes her 25 now, as the retention rule needs.
        dispute = raising.raise_dispute(
            db.session.get(User, referrer.id),
            dispute_answers(**{**ISLA, "child_dob": date(2009, 6, 1)}), on=date(2026, 11, 23))
        dispute.child_dob = ISLA["child_dob"]
        settling.settle(dispute, db.session.get(User, csc.id), "child_and_family_assessment",
                        "Assessment agreed.", on=SETTLED_ON)
        db.session.commit()
        return dispute.id, dispute.reference


def _references(app, ids):
    with app.app_context():
        return [db.session.get(Dispute, ident).reference for ident in ids]


def test_the_retention_schedule_legal_hold_retention_job_and_subject_access(
        app, open_as, make_user, panel_meeting):
    # A panel session (8 December 2026, the test's clock) with Amelia's and Oliver's disputes on
    # its frozen agenda, and Isla's dispute settled at stage 1.
    m = panel_meeting(disputes=(AMELIA, OLIVER), started=False)
    amelia, oliver = _references(app, m.dispute_ids)
    isla_id, isla = _settled_dispute(app, m.referrer, make_user("csc_manager"))
    manager_user = make_user("partnership_manager", name="Priya Manager")
    officer_user = make_user("data_protection_officer", name="Dana Officer")

    # 1. The partnership manager lengthens the disputes' period: 0 is refused, on the field
    # and in the summary, and changes nothing; 7 years with a reason is saved.
    manager = open_as(manager_user)
    manager.get_by_role("link", name="Retention schedule").first.click()
    expect(manager.locator("h1")).to_have_text("Retention schedule")
    disputes = _card(manager, "Disputes and their papers")
    expect(disputes).to_contain_text("6 years after the dispute closed, or until the child is 25")
    assert_accessible(manager)
    disputes.get_by_role("link", name=re.compile("^Change")).click()
    expect(manager.locator("h1")).to_have_text("Disputes and their papers")
    assert_accessible(manager)
    manager.get_by_label("Years to keep a dispute after it closed").fill("0")
    manager.get_by_role("button", name="Save the rule").click()
    shows_error(manager, "keep_for", "The number of years must be 1 or more")
    manager.get_by_label("Years to keep a dispute after it closed").fill("7")
    manager.get_by_label("Why the partnership keeps them this long").fill(SCHEDULE_REASON)
    manager.get_by_role("button", name="Save the rule").click()
    _success(manager, "The rule for disputes has been changed.")
    disputes = _card(manager, "Disputes and their papers")
    expect(disputes).to_contain_text("7 years after the dispute closed, or until the child is 25")
    expect(disputes).to_contain_text(SCHEDULE_REASON)
    expect(disputes).to_contain_text("Priya Manager")
    assert_accessible(manager)

    # 2. The manager holds Isla's closed dispute for a practice review (without a reason first),
    # finds it in the holds list, and releases it with a reason (without one first).
    manager.goto(address("disputes.show", dispute_id=isla_id))
    expect(manager.locator("h1")).to_have_text(f"Dispute {isla}")
    manager.get_by_role("link", name="Hold this dispute").click()
    expect(manager.locator("h1")).to_have_text("Hold this dispute")
    assert_accessible(manager)
    manager.get_by_role("button", name="Hold this dispute").click()
    shows_error(manager, "reason", "Enter why the dispute is held")
    manager.get_by_label("Why is the dispute held?").fill(HOLD_REASON)
    manager.get_by_role("button", name="Hold this dispute").click()
    _success(manager, "The dispute is on legal hold")
    expect(manager.locator("h1")).to_have_text(f"Dispute {isla}")
    held = manager.locator("#legal-hold")
    expect(held).to_contain_text("Legal hold")
    expect(held).to_contain_text(HOLD_REASON)
    expect(manager.get_by_role("link", name="Hold this dispute")).to_have_count(0)
    assert_accessible(manager)
    manager.get_by_role("link", name="Retention", exact=True).click()  # the menu
    manager.get_by_role("link", name="Legal holds").click()
    expect(manager.locator("h1")).to_have_text("Legal holds")
    on_hold = manager.locator("#active-holds tbody tr")
    expect(on_hold).to_have_count(1)
    for text in (isla, HOLD_REASON, "Priya Manager"):
        expect(on_hold).to_contain_text(text)
    assert_accessible(manager)
    on_hold.get_by_role("link", name=f"Release the hold on {isla}").click()
    expect(manager.locator("h1")).to_have_text("Release the hold")
    expect(manager.locator("main")).to_contain_text(HOLD_REASON)
    assert_accessible(manager)
    manager.get_by_role("button", name="Release the hold").click()
    shows_error(manager, "reason", "Enter why the hold is released")
    manager.get_by_label("Why is the hold released?").fill(RELEASE_REASON)
    manager.get_by_role("button", name="Release the hold").click()
    _success(manager, "The legal hold has been released")
    expect(manager.locator("#legal-hold")).to_have_count(0)
    expect(manager.get_by_role("link", name="Hold this dispute")).to_be_visible()
    manager.goto(address("retention.holds"))
    expect(manager.locator("main")).to_contain_text("No dispute is on legal hold.")
    released = manager.locator("#released-holds tbody tr")
    expect(released).to_have_count(1)
    expect(released).to_contain_text(RELEASE_REASON)
    assert_accessible(manager)

    # 3. The retention job runs as of seven years after Isla's dispute closed: it anonymises
    # hers (no longer held) and no other. The manager hears of it and reads the run.
    with app.app_context():
        counts = job.run(AS_OF).counts
    assert (counts["disputes_anonymised"], counts["held_skipped"]) == (1, 0)
    notification(manager, "The retention job of 25 November 2033 anonymised 1 dispute").click()
    expect(manager.locator("h1")).to_have_text("What the retention job has done")
    run = manager.locator("main tbody tr")
    expect(run).to_have_count(1)
    for text in ("25 November 2033", "The nightly job", "1 dispute anonymised",
                 "0 disputes due but on legal hold, so kept"):
        expect(run).to_contain_text(text)
    assert_accessible(manager)
    manager.goto(address("disputes.show", dispute_id=isla_id))
    expect(manager.locator("main")).to_contain_text(
        "Removed under the retention schedule on 25 November 2033")
    expect(manager.locator("main")).not_to_contain_text("Isla")
    expect(manager.get_by_role("link", name="Hold this dispute")).to_have_count(0)
    assert_accessible(manager)

    # 4. The data protection officer, from their home, searches without the child's name (the
    # error), then by Amelia's name and date of birth, and downloads what is held about her.
    officer = open_as(officer_user)
    expect(officer.locator("h1")).to_have_text("Data protection officer")
    assert_accessible(officer)
    officer.get_by_role("link", name="Find the records about a child").first.click()
    expect(officer.locator("h1")).to_have_text("Find the records about a child")
    assert_accessible(officer)
    born = officer.get_by_role("group", name=re.compile("^Child's date of birth"))
    for part, value in (("Day", "14"), ("Month", "3"), ("Year", "2021")):
        born.get_by_label(part).fill(value)
    officer.get_by_role("button", name="Search").click()
    shows_error(officer, "child_name", "Enter the child's full name")
    expect(officer.locator("#results")).to_have_count(0)
    officer.get_by_label("Child's full name").fill("amelia jones")
    officer.get_by_role("button", name="Search").click()
    expect(officer.locator("#results")).to_have_text("Records found")
    found = officer.locator("main tbody tr")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(amelia)
    expect(officer.locator("main")).not_to_contain_text(oliver)
    assert_accessible(officer)

    name, body = downloaded(officer, "Download as JSON")
    assert name == "subject-access-2026-12-08.json"
    export = json.loads(body)
    assert [dispute["reference"] for dispute in export["disputes"]] == [amelia]
    assert export["disputes"][0]["referral_record"]["child_name"] == "Amelia Jones"
    text = body.decode()
    for other in (oliver, "Oliver", OLIVER["grounds"], isla, "Isla"):
        assert other not in text, other

    name, body = downloaded(officer, "Download as PDF")
    assert name == "subject-access-2026-12-08.pdf"
    pdf = " ".join(pdf_pages(body))
    assert amelia in pdf and "Amelia Jones" in pdf
    for other in (oliver, "Oliver", "burn on the back of his hand", isla, "Isla"):
        assert other not in pdf, other

    # Isla's records, anonymised, are found no more.
    officer.get_by_label("Child's full name").fill("Isla Brown")
    born = officer.get_by_role("group", name=re.compile("^Child's date of birth"))
    for part, value in (("Day", "1"), ("Month", "6"), ("Year", "2001")):
        born.get_by_label(part).fill(value)
    officer.get_by_role("button", name="Search").click()
    expect(officer.locator("main")).to_contain_text("No records found for this child.")
    assert_accessible(officer)


def test_each_kind_s_rule_and_each_search_error_is_accessible(app, open_as, make_user):
    """The forms the journey does not fill, in their error states: each kind's rule (the crawl
    never changes a rule) and the subject access search's other refusals."""
    manager = open_as(make_user("partnership_manager"))
    for kind, title, blank in (
            ("inactive_disputes", "Open disputes with no activity",
             "Months with no activity before an open dispute is listed"),
            ("documents", "Documents", "Why the partnership keeps them this long"),
            ("minutes", "Minutes", "Why the partnership keeps them this long"),
            ("notifications", "Notifications and the email outbox",
             "Months to keep notifications and emails"),
            ("sign_in_sessions", "Sign-in sessions", "Why the partnership keeps them this long"),
            ("audit_events", "Audit events", "Years to keep audit events")):
        manager.goto(address("retention.edit_rule", kind=kind))
        expect(manager.locator("h1")).to_have_text(title)
        assert_accessible(manager)
        manager.get_by_label(blank).fill("")
        manager.get_by_role("button", name="Save the rule").click()
        expect(manager.locator(".govuk-error-summary")).to_be_visible()
        assert_accessible(manager)
    manager.goto(address("retention.edit_rule", kind="disputes"))
    manager.get_by_label("Keep it at least until the child is this age").fill("a hundred")
    manager.get_by_role("button", name="Save the rule").click()
    shows_error(manager, "until_age", "The child's age must be a whole number, like 25")

    manager.goto(address("subject_access.search"))
    manager.get_by_role("button", name="Search").click()
    shows_error(manager, "child_name", "Enter the child's name and date of birth, or a case number")
    manager.get_by_label("Child's full name").fill("Amelia Jones")
    manager.get_by_label("Or a local authority case number").fill("NS-1001")
    manager.get_by_role("button", name="Search").click()
    shows_error(manager, "case_number", "not both")
    manager.get_by_label("Or a local authority case number").fill("")
    born = manager.get_by_role("group", name=re.compile("^Child's date of birth"))
    for part, value in (("Day", "31"), ("Month", "2"), ("Year", "2021")):
        born.get_by_label(part).fill(value)
    manager.get_by_role("button", name="Search").click()
    expect(manager.locator(".govuk-error-summary")).to_contain_text(
        "The child's date of birth must be a real date")
    assert_accessible(manager)
