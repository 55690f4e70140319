"""The urgent route in a real browser (#14): a referrer raises a dispute about a child at
immediate risk; CSC hears at once; the urgent stages run on the same day; the chair calls the
extraordinary panel, frozen with the item, within two working days. Each person has their own
window, under the app's real CSP; axe runs on every page that matters."""

import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from moderation.calendar import UK, add_working_days
from moderation.extensions import db
from moderation.models import EscalationPolicy, PanelSession
from moderation.web.formatting import format_date
from tests.browser.conftest import assert_accessible
from tests.browser.test_dispute_journeys import escalate, raise_dispute, record_csc_decision
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser

# A Tuesday, 10:00 in London: the day the referrer raises the dispute and everything follows.
URGENT_DAY = datetime(2026, 12, 1, 10, 0, tzinfo=UK)
TODAY = "1 December 2026"


@pytest.fixture
def urgent_day():
    """The clock at URGENT_DAY, ticking on, for the test and the live server's threads. The
    browser keeps the real clock; Chromium reads cookies' expiry against the server's Date
    header, so a session signed in on URGENT_DAY lasts whatever today really is."""
    import time_machine

    with time_machine.travel(URGENT_DAY, tick=True) as traveller:
        yield traveller


@pytest.fixture
def open_as(window):
    """A window per person, signed in as them, under the app's real CSP (the `window` fixture
    fails the test on any console error, CSP violation or uncaught script error)."""

    def open_for(user):
        tab = window()
        sign_in(tab, user)
        return tab

    return open_for


def notification(page, text):
    """The person's notifications page, read through the menu; returns the notice's link."""
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(page.locator("h1")).to_have_text("Notifications")
    link = page.locator(".app-notifications a", has_text=text)
    expect(link).to_have_count(1)
    assert_accessible(page)
    return link


def respond_unresolved(page, response):
    page.get_by_role("link", name="Respond for CSC").click()
    assert_accessible(page)
    page.get_by_label("CSC's response").fill(response)
    page.get_by_label("No: the referrer can escalate it to the next stage").check()
    page.get_by_role("button", name="Send response").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "response has been sent")


def stage_line(page, position):
    return page.locator(".app-timeline__item", has_text=f"Stage {position}:")


def test_an_urgent_dispute_reaches_an_extraordinary_panel_within_two_working_days(
    app, urgent_day, open_as, make_user, make_agency, make_member
):
    partnership = make_agency("Northshire Safeguarding Partnership")
    csc = make_agency("Northshire Children's Social Care", kind="csc", is_core=True)
    health = make_agency("Northshire Health", kind="health", is_core=True)
    referrer_user = make_user("referrer", name="Riley Referrer", agency_id=health)
    team_manager = make_user("csc_manager", name="Casey Team Manager", agency_id=csc)
    head_of_service = make_user("csc_manager", name="Harper Head of Service", agency_id=csc)
    senior_lead = make_user("partnership_manager", name="Sam Senior Lead", agency_id=partnership)
    chair_user = make_user("chair", "panel_member", name="Pat Chair", agency_id=partnership)
    representative = make_user("panel_member", name="Amira Shah", agency_id=health)
    make_member(chair_user, role="chair")
    make_member(representative)
    with app.app_context():
        db.session.execute(sa.update(EscalationPolicy).values(
            urgent_contact_user_id=senior_lead.id))
        db.session.commit()

    # The referrer raises it, marking immediate risk, and reads who was told at once.
    referrer = open_as(referrer_user)
    raise_dispute(referrer, immediate_risk=True)
    reference = referrer.locator(".govuk-panel strong").inner_text()
    main = referrer.locator("main")
    expect(main).to_contain_text("Your dispute is marked urgent and runs on the urgent route")
    expect(main).to_contain_text(re.compile(rf"stage 1\W+CSC team manager\W+due {TODAY}", re.I))
    told = referrer.locator("h2:has-text('Who has been told') ~ ul").first
    for name in ("Casey Team Manager", "Harper Head of Service", "Sam Senior Lead"):
        expect(told).to_contain_text(f"{name}, told {TODAY}, 10:")
    expect(told.locator("li")).to_have_count(3)
    referrer.get_by_role("link", name="View your dispute").click()
    dispute_url = referrer.url
    expect(referrer.locator("main")).to_contain_text("Immediate risk of significant harm: "
                                                     "answer today")

    # The CSC team manager's notifications show it at once; they record the decision as theirs
    # and answer stage 1 on the day.
    team = open_as(team_manager)
    notification(team, f"URGENT: dispute {reference} is about a child at immediate risk").click()
    expect(team.locator("h1")).to_have_text(f"Dispute {reference}")
    expect(team.locator("main > p").first).to_contain_text("Stage 1: CSC team manager")
    expect(team.locator("main > p").first).to_contain_text("Due today")
    assert_accessible(team)
    team.get_by_role("link", name="Confirm or correct CSC's decision").click()
    team.get_by_label("Contact", exact=True).check()
    team.get_by_label("No further action").check()
    record_csc_decision(team, "Casey Team Manager", "No single incident met the threshold.",
                        told_how="The referrer was not told")
    expect(team.locator(".govuk-notification-banner--success")).to_contain_text("recorded")
    respond_unresolved(team, "Universal services are enough for now.")

    # Stage 2, head of service: independent, so not the decision maker; due the same day.
    escalate(referrer, dispute_url, "Stage 2: Head of service")
    expect(stage_line(referrer, 2)).to_contain_text(f"Opened {TODAY}")
    expect(stage_line(referrer, 2)).to_contain_text(f"Due {TODAY}")
    team.goto(dispute_url)
    expect(team.locator("main > p").first).to_contain_text("Stage 2: Head of service")
    expect(team.get_by_role("link", name="Respond for CSC")).to_have_count(0)
    head = open_as(head_of_service)
    notification(head, f"Dispute {reference} has been escalated to stage 2").click()
    expect(head.locator("main > p").first).to_contain_text("Due today")
    respond_unresolved(head, "The head of service agrees with the decision.")

    # Stage 3, the partnership's named senior lead, answered by a partnership manager.
    escalate(referrer, dispute_url, "Stage 3: The partnership's named senior lead")
    lead = open_as(senior_lead)  # the policy's urgent contact, told when it was raised
    notification(lead, f"URGENT: dispute {reference} is about a child at immediate risk").click()
    expect(lead.locator("main > p").first).to_contain_text(
        "Stage 3: The partnership's named senior lead")
    expect(lead.locator("main > p").first).to_contain_text("Due today")
    respond_unresolved(lead, "The senior lead upholds the decision.")

    # Unresolved at the end of the urgent route: waiting for the panel, all on the same day.
    escalate(referrer, dispute_url, "The threshold moderation panel")
    expect(referrer.locator(".govuk-tag").first).to_have_text("Waiting for panel")
    expect(referrer.locator("main")).to_contain_text(
        "the panel chair has been asked to call an extraordinary panel within two working days")
    for position in (1, 2, 3):
        line = stage_line(referrer, position)
        expect(line).to_contain_text("Not resolved")
        expect(line).to_contain_text(f"Opened {TODAY}")
        expect(line).to_contain_text(f"Due {TODAY}")
        expect(line).to_contain_text(f"Closed {TODAY}")

    # The chair is told at once and follows the notice to the extraordinary session.
    chair = open_as(chair_user)
    notification(chair, f"URGENT: dispute {reference} is unresolved at the end of the "
                        "urgent route").click()
    expect(chair.locator("h1")).to_have_text("Call an extraordinary panel")
    expect(chair.locator("main")).to_contain_text(f"Dispute {reference} is unresolved")
    assert_accessible(chair)
    chair.get_by_label("Start time").fill("15:00")
    chair.get_by_label("Place (optional if online)").fill("Council House, Room 2")
    chair.get_by_role("button", name="Call the extraordinary panel").click()
    expect(chair.locator(".govuk-notification-banner--success")).to_contain_text(
        f"called for {TODAY} at 15:00")

    # The session exists: extraordinary, its agenda frozen, holding the item, within two
    # working days of the day the dispute was raised.
    expect(chair.locator("h1")).to_have_text(f"Panel session, {TODAY}")
    expect(chair.locator("main")).to_contain_text("Extraordinary session")
    summary = chair.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Agenda frozen")
    expect(summary).to_contain_text("15:00")
    expect(summary).to_contain_text("Extraordinary session (immediate risk)")
    expect(chair.locator("ol li")).to_have_count(1)
    expect(chair.locator("ol li")).to_contain_text(reference)
    assert_accessible(chair)
    with app.app_context():
        session = db.session.scalars(sa.select(PanelSession)).one()
        assert session.extraordinary and session.opened
        assert [item.dispute.reference for item in session.agenda] == [reference]
        raised_on = URGENT_DAY.date()
        assert raised_on <= session.held_on <= add_working_days(raised_on, 2)

    # The panel's members and the referrer are told.
    member = open_as(representative)
    notification(member, "URGENT: an extraordinary panel session has been called for "
                         f"{format_date(session.held_on)} at 15:00")
    notification(referrer, f"Dispute {reference} will be heard by the panel on {TODAY}")


def test_a_referrer_answers_a_settlement_and_the_manager_sets_the_urgent_route(
    app, open_as, make_user, make_dispute
):
    """The settlement the referrer must confirm, and the policy's new pages, error states
    included, each checked by axe under the real CSP."""
    from moderation.disputes import services
    from moderation.models import Dispute, User

    referrer_user, csc_user = make_user("referrer"), make_user("csc_manager")
    dispute_id = make_dispute(referrer=referrer_user)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        csc = db.session.get(User, csc_user.id)
        services.respond(dispute, csc, "We explained the decision by phone.")
        services.propose_settlement(dispute, csc, "information_or_advice",
                                    "The referrer accepted the advice.")
        db.session.commit()

    referrer = open_as(referrer_user)
    referrer.goto(f"/disputes/{dispute_id}")
    referrer.get_by_role("button", name="Send your answer").click()
    expect(referrer.locator(".govuk-error-summary")).to_contain_text(
        "Select whether you accept the settlement")
    assert_accessible(referrer)
    referrer.get_by_label("Yes, the dispute is settled").check()
    referrer.get_by_role("button", name="Send your answer").click()
    expect(referrer.locator(".govuk-notification-banner--success")).to_contain_text(
        "The dispute is settled.")
    assert_accessible(referrer)

    manager = open_as(make_user("partnership_manager"))
    manager.goto("/policy")
    manager.get_by_role("link", name="Change these time limits").click()
    manager.get_by_label("Working days a referrer has to confirm a settlement").fill("0")
    manager.get_by_role("button", name="Save time limits").click()
    expect(manager.locator(".govuk-error-summary")).to_contain_text(
        "The working days must be between 1 and 30")
    assert_accessible(manager)
    manager.goto("/policy")
    manager.get_by_role("link", name="Change urgent stage 2").click()
    expect(manager.locator("main")).to_contain_text("the same working day")
    assert_accessible(manager)
    manager.get_by_label("Stage name").fill("")
    manager.get_by_role("button", name="Save stage").click()
    expect(manager.locator(".govuk-error-summary")).to_contain_text("Enter the stage's name")
    assert_accessible(manager)
