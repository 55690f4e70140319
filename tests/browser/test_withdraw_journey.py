"""Withdrawing a dispute nobody has acted on, in real browsers (#24): the partnership manager's
home page says one open dispute has had no activity for twelve months; the list names it; a
withdrawal without a reason is refused; with one the dispute is closed, and its referrer reads
why in their own window. Axe runs on every page, error states included."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from moderation.extensions import db
from moderation.models import Dispute
from tests.browser.conftest import address, assert_accessible
from tests.browser.steps import notification

pytestmark = pytest.mark.browser

REASON = "The referrer has left the service and nobody has taken the dispute on."


def test_the_manager_withdraws_a_dispute_nobody_has_acted_on(app, open_as, make_user,
                                                             make_dispute):
    referrer = make_user("referrer", name="Riley Referrer")
    dispute_id = make_dispute(referrer)
    with app.app_context():
        db.session.execute(sa.update(Dispute).where(Dispute.id == dispute_id)
                           .values(last_activity_at=datetime(2024, 5, 2, tzinfo=UTC)))
        db.session.commit()
        reference = db.session.get(Dispute, dispute_id).reference

    manager = open_as(make_user("partnership_manager"))
    manager.goto(address("home.partnership"))
    expect(manager.locator("#inactive-disputes")).to_contain_text(
        "1 open dispute has had no activity for 12 months or more.")
    assert_accessible(manager)
    manager.get_by_role("link", name="Withdraw or hold it").click()
    expect(manager.locator("h1")).to_have_text("Open disputes with no activity")
    expect(manager.locator("#inactive-disputes tbody tr")).to_have_count(1)
    assert_accessible(manager)

    manager.get_by_role("link", name=f"Withdraw {reference}").click()
    expect(manager.locator("h1")).to_have_text("Withdraw this dispute")
    assert_accessible(manager)
    manager.get_by_role("button", name="Withdraw this dispute").click()
    expect(manager.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the dispute is withdrawn")
    expect(manager.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(manager)
    manager.get_by_label("Why is the dispute withdrawn?").fill(REASON)
    manager.get_by_role("button", name="Withdraw this dispute").click()
    expect(manager.locator("h1")).to_have_text(f"Dispute {reference}")
    expect(manager.locator("#withdrawn")).to_contain_text(REASON)
    assert_accessible(manager)
    manager.goto(address("retention.inactive"))
    expect(manager.locator("#none-inactive")).to_be_visible()
    assert_accessible(manager)

    own = open_as(referrer)
    notification(own, f"has withdrawn dispute {reference}").click()
    expect(own.locator("h1")).to_have_text(f"Dispute {reference}")
    expect(own.locator("#withdrawn")).to_contain_text(REASON)
    expect(own.locator("main .govuk-tag").first).to_have_text("Withdrawn")
    assert_accessible(own)
