"""The urgent route in a real browser (#14, #23): a referrer raises a dispute about a child at
immediate risk; CSC hears at once; each urgent stage answered "not resolved" moves on by itself
the same day; the chair calls the extraordinary panel, defers the item at its meeting, and it
stays in the chair's urgent box. Each person has their own window, under the app's real CSP; axe
runs on every page that matters."""

import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from moderation.calendar import UK
from moderation.extensions import db
from moderation.models import EscalationPolicy, PanelSession
from tests.browser.conftest import address, assert_accessible
from tests.browser.steps import notification, raise_dispute, record_csc_decision

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


def respond_unresolved(page, voice, response, leads_to):
    """Answer the current stage "not resolved" on its page, spoken for `voice`."""
    page.get_by_role("link", name=re.compile("^Respond ")).click()
    expect(page.locator("h1")).to_have_text(f"Respond for {voice}")
    assert_accessible(page)
    page.get_by_role("textbox").first.fill(response)
    page.get_by_label(f"No: {leads_to}").check()
    page.get_by_role("button", name="Send response").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "response has been sent")


def stage_line(page, position):
    return page.locator(".app-timeline__item", has_text=f"Stage {position}:")


def test_an_urgent_dispute_moves_on_by_itself_and_never_waits_for_a_monthly_panel(
    app, urgent_day, open_as, make_user, make_agency, make_member, make_session
):
    """Each urgent stage answered "not resolved" with nobody else acting (the referrer never
    escalates), the extraordinary panel called, the item deferred at its meeting: the dispute
    stays in the chair's urgent box, never on the monthly session five weeks away (rule 17)."""
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
    monthly = make_session(held_on=datetime(2027, 1, 12).date())  # the next monthly panel
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
    expect(stage_line(referrer, 1)).to_contain_text(f"Due {TODAY}, 5:00pm (urgent")

    # The CSC team manager records the decision and answers stage 1 "not resolved": it moves on
    # to stage 2 at once, with nobody escalating it.
    team = open_as(team_manager)
    notification(team, f"URGENT: dispute {reference} is about a child at immediate risk").click()
    expect(team.locator("main > p").first).to_contain_text("Stage 1: CSC team manager")
    expect(team.locator("main > p").first).to_contain_text("Due today")
    assert_accessible(team)
    team.get_by_role("link", name="Confirm or correct CSC's decision").click()
    team.get_by_label("Contact", exact=True).check()
    team.get_by_label("No further action").check()
    record_csc_decision(team, "Casey Team Manager", "No single incident met the threshold.",
                        told_how="The referrer was not told")
    expect(team.locator(".govuk-notification-banner--success")).to_contain_text("recorded")
    respond_unresolved(team, "children's social care", "Universal services are enough for now.",
                       "it moves on at once to stage 2 (Head of service)")
    expect(team.locator(".govuk-notification-banner--success")).to_contain_text(
        "moved on to stage 2 (Head of service)")
    expect(team.get_by_role("link", name="Respond for CSC")).to_have_count(0)  # independent
    assert_accessible(team)

    # The head of service is told at once, by a notice marked urgent, and answers stage 2.
    head = open_as(head_of_service)
    notification(head, f"URGENT: dispute {reference}, about a child at immediate risk, is now "
                       "at stage 2 (Head of service)").click()
    expect(head.locator("main > p").first).to_contain_text("Due today")
    respond_unresolved(head, "children's social care",
                       "The head of service agrees with the decision.",
                       "it moves on at once to stage 3 (The partnership's named senior lead)")

    # The senior lead answers for the partnership, not for CSC.
    lead = open_as(senior_lead)
    notification(lead, f"URGENT: dispute {reference}, about a child at immediate risk, is now "
                       "at stage 3").click()
    expect(lead.get_by_role("link", name="Respond as the senior lead")).to_have_count(1)
    respond_unresolved(lead, "the partnership's named senior lead",
                       "The senior lead upholds the decision.",
                       "it goes at once to an extraordinary panel")
    expect(lead.locator("main")).to_contain_text("The senior lead's response")

    # Unresolved at the end of the urgent route, on the day, without the referrer clicking.
    referrer.goto(dispute_url)
    expect(referrer.locator(".govuk-tag").first).to_have_text("Waiting for panel")
    expect(referrer.locator("#urgent-panel")).to_contain_text(
        "the panel chair has been asked to call an extraordinary panel to sit by 3 December 2026")
    for position in (1, 2, 3):
        expect(stage_line(referrer, position)).to_contain_text("Not resolved")
        expect(stage_line(referrer, position)).to_contain_text(f"Closed {TODAY}")
    assert_accessible(referrer)
    notification(referrer, "The partnership's senior lead has responded at stage 3")

    # The chair is told at once and calls the extraordinary panel for this afternoon.
    chair = open_as(chair_user)
    notification(chair, f"URGENT: dispute {reference}, about a child at immediate risk, is "
                        "unresolved at the end of the urgent route").click()
    expect(chair.locator("h1")).to_have_text("Call an extraordinary panel")
    assert_accessible(chair)
    chair.get_by_label("Start time").fill("15:00")
    chair.get_by_label("Place (optional if online)").fill("Council House, Room 2")
    chair.get_by_role("button", name="Call the extraordinary panel").click()
    expect(chair.locator(".govuk-notification-banner--success")).to_contain_text(
        f"called for {TODAY} at 15:00")
    notification(referrer, f"URGENT: dispute {reference} will be heard by an extraordinary "
                           f"panel on {TODAY} at 15:00")

    # At the meeting the chair defers the item: it goes to no monthly panel.
    with app.app_context():
        session = db.session.scalars(sa.select(PanelSession).where(
            PanelSession.extraordinary.is_(True))).one()
        item_page = address("meeting.item", session_id=session.id, item_id=session.agenda[0].id)
    chair.goto(item_page)
    assert_accessible(chair)
    chair.get_by_text("Defer this item", exact=True).click()  # to no "next session"
    chair.get_by_label("Why is the item deferred?").fill("The police disclosure is not in yet.")
    chair.get_by_role("button", name="Defer").click()
    expect(chair.locator(".govuk-notification-banner--success")).to_contain_text(
        "goes to no monthly panel")
    expect(chair.locator("#urgent")).to_contain_text("a panel must hear it by 3 December 2026")
    expect(chair.get_by_role("link", name="Call an extraordinary panel")).to_have_count(1)
    assert_accessible(chair)

    # Still in the chair's urgent box, with the deferral; nothing on the monthly session.
    chair.goto("/")
    box = chair.locator("#urgent")
    expect(box).to_contain_text(reference)
    expect(box).to_contain_text("Needs a panel by 3 December 2026")
    expect(box).to_contain_text(f"Deferred by the panel on {TODAY}: The police disclosure")
    expect(box.get_by_role("link", name=re.compile("Call an extraordinary panel"))).to_have_count(1)
    assert_accessible(chair)
    with app.app_context():
        assert db.session.get(PanelSession, monthly).agenda == []
        assert not db.session.get(PanelSession, session.id).agenda[0].decision

    # The referrer reads what is true, with the new date, on the page and in the notice.
    referrer.goto(dispute_url)
    expect(referrer.locator("#urgent-panel")).to_contain_text(
        f"The panel deferred it on {TODAY}: The police disclosure is not in yet.")
    expect(referrer.locator("#urgent-panel")).to_contain_text("sit by 3 December 2026")
    notification(referrer, f"URGENT: the panel deferred your dispute {reference}")


def test_a_referrer_answers_a_settlement_and_the_manager_sets_the_urgent_route(
    app, open_as, make_user, make_dispute
):
    """The settlement the referrer must confirm, and the policy's new pages, error states
    included, each checked by axe under the real CSP."""
    from moderation.disputes import responding, settling
    from moderation.models import Dispute, User

    referrer_user, csc_user = make_user("referrer"), make_user("csc_manager")
    dispute_id = make_dispute(referrer=referrer_user)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        csc = db.session.get(User, csc_user.id)
        responding.respond(dispute, csc, "We explained the decision by phone.")
        settling.propose_settlement(dispute, csc, "information_or_advice",
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
