"""CSC's work list in a real browser (#25): the CSC front-door manager's home shows the action
CSC owes after the panel overturned a decision, overdue by nineteen working days; every open
dispute CSC is party to; a reference nobody could have is a GOV.UK error; a good one finds its
dispute; the list filters by status and opens a dispute. Axe runs on every page, the error
state included, under the app's real CSP."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from moderation.extensions import db
from moderation.models import Dispute
from tests.browser.conftest import address, assert_accessible

pytestmark = pytest.mark.browser


def test_the_csc_manager_works_through_csc_disputes_and_actions(
        app, open_as, history, meeting_day, make_user,
        make_agency, make_dispute):
    trust = make_agency("Northshire Community Health NHS Trust")
    open_ids = [make_dispute(make_user("referrer", agency_id=trust), on=date(2026, 12, 8))
                for _ in range(2)]
    with app.app_context():
        open_refs = [db.session.get(Dispute, ident).reference for ident in open_ids]
        decided = db.session.scalars(sa.select(Dispute.reference).where(
            Dispute.status == "decided")).all()
    meeting_day.move_to(datetime(2027, 1, 8, 9, 0, tzinfo=UTC))

    csc = open_as(make_user("csc_manager", name="Casey Frontdoor"))
    csc.goto(address("home.csc_manager"))
    expect(csc.locator("h1")).to_have_text("Disputed CSC decisions")
    actions = csc.locator("#csc-actions + p + table")
    expect(actions).to_contain_text("Overdue by 19 working days")
    expect(csc.locator("#csc-actions + p")).to_contain_text("1 open action, 1 overdue")
    rows = csc.locator("table:has(caption:text('Disputes CSC is party to')) tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Northshire Community Health NHS Trust")
    assert_accessible(csc)

    csc.get_by_label("Reference").fill("Amelia Jones")
    csc.get_by_role("button", name="Filter the list").click()
    expect(csc.locator(".govuk-error-summary")).to_contain_text(
        "Enter a reference like D-2026-0042")
    assert csc.title().startswith("Error: ")
    assert_accessible(csc)

    csc.get_by_label("Reference").fill(open_refs[1].lower())
    csc.get_by_role("button", name="Filter the list").click()
    expect(csc.locator(".govuk-error-summary")).to_have_count(0)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(open_refs[1])
    assert_accessible(csc)

    csc.get_by_label("Reference").fill("")
    csc.get_by_label("Status").select_option(label="Decided by the panel")
    csc.get_by_role("button", name="Filter the list").click()
    expect(rows).to_have_count(len(decided))
    assert_accessible(csc)
    csc.get_by_role("link", name=decided[0]).click()
    expect(csc.locator("h1")).to_have_text(f"Dispute {decided[0]}")
    assert_accessible(csc)
