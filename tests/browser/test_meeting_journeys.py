"""The meeting in real browsers: the chair freezes the agenda and keeps the register, three
representatives vote from their own browsers, the chair breaks the tie, and the referrer reads
the outcome. axe runs on every page visited."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.steps import sign_in
from tests.conftest import url

pytestmark = pytest.mark.browser

VOTES = {
    "health": ("Overturn: refer for a child and family assessment (s17)",
               "Weight loss over six months needs assessment."),
    "police": ("Overturn: strategy discussion or section 47 enquiry",
               "Two domestic incidents this year."),
    "csc": ("Uphold CSC's decision", "Universal services are engaged."),
}


def _success(tab, text):
    expect(tab.locator(".govuk-notification-banner--success")).to_contain_text(text)


def test_a_meeting_from_frozen_agenda_to_the_referrer_reading_the_outcome(
        app, window, page, panel_meeting):
    m = panel_meeting(frozen=False, started=False)
    chair = page
    sign_in(chair, m.chair)
    chair.goto(url(app, "panels.agenda_builder", session_id=m.session_id))
    chair.get_by_role("button", name="Fill from the queue").click()
    chair.get_by_role("button", name="Freeze the agenda").click()
    _success(chair, "frozen")
    chair.get_by_role("link", name="Back to the session").click()
    chair.get_by_role("link", name="Go to the meeting").click()
    expect(chair.locator("#quorum")).to_contain_text("Not quorate")
    assert_accessible(chair)

    # The register: everyone but the police deputy is present and accepts the statement.
    for user in (m.chair, *m.reps.values()):
        member = m.members[user.id]
        chair.check(f"input[name='status-{member}'][value='present']")
        chair.check(f"input[name='acknowledged-{member}']")
    chair.check(f"input[name='status-{m.members[m.deputy.id]}'][value='apologies']")
    chair.get_by_role("button", name="Save the register").click()
    _success(chair, "The register has been saved.")
    expect(chair.locator("#quorum")).to_contain_text("Quorate")
    chair.get_by_role("button", name="Start the meeting").click()
    _success(chair, "The meeting has started.")
    assert_accessible(chair)
    chair.locator("tbody a").first.click()
    item_url = chair.url
    chair.get_by_role("button", name="Open voting").click()
    _success(chair, "Voting is open.")
    assert_accessible(chair)

    # Three representatives vote at the same time, each from their own browser.
    tabs = {kind: window() for kind in VOTES}
    for kind, tab in tabs.items():
        sign_in(tab, m.reps[kind])
        tab.goto(item_url)
    first = tabs["health"]
    first.get_by_role("button", name="Cast vote").click()
    expect(first.locator(".govuk-error-summary")).to_contain_text("Select how you vote")
    assert_accessible(first)
    for kind, tab in tabs.items():
        outcome, reason = VOTES[kind]
        tab.get_by_label(outcome).check()
        tab.get_by_label("Your reason").fill(reason)
        tab.get_by_role("button", name="Cast vote").click()
        _success(tab, "Your vote has been recorded")
        expect(tab.locator("main")).to_contain_text(f"You voted: {outcome}")
        expect(tab.locator("main")).not_to_contain_text(VOTES["health"][1] if kind != "health"
                                                       else VOTES["csc"][1])
    assert_accessible(tabs["csc"])

    # The chair closes voting, sees the tie and casts the deciding vote.
    chair.reload()
    expect(chair.locator("main")).to_contain_text("3 of 3 agencies have voted")
    chair.get_by_role("button", name="Close voting").click()
    expect(chair.locator("#votes tbody tr")).to_have_count(3)
    expect(chair.locator("main")).to_contain_text("The vote is tied")
    assert_accessible(chair)
    chair.get_by_role("link", name="Record the decision").click()
    chair.get_by_role("button", name="Record decision").click()
    expect(chair.locator(".govuk-error-summary")).to_contain_text(
        "The vote is tied: select the chair's casting vote")
    assert_accessible(chair)
    chair.get_by_label(VOTES["health"][0]).check()
    chair.get_by_label("The panel's rationale").fill("The history meets the threshold.")
    chair.get_by_label("Dissenting views (optional)").fill("Police preferred a strategy meeting.")
    chair.get_by_label("Threshold interpretation").check()
    chair.get_by_label("Feedback to the referrer").fill(
        "The panel agreed with you: CSC will carry out a child and family assessment.")
    chair.get_by_role("button", name="Record decision").click()
    _success(chair, "The decision has been recorded and the referrer told.")
    expect(chair.locator("main")).to_contain_text("Chair's casting vote")
    assert_accessible(chair)

    # The referrer hears back.
    referrer = window()
    sign_in(referrer, m.referrer)
    referrer.get_by_role("link", name=re.compile(r"^Notifications \(\d+ new\)$")).click()
    assert_accessible(referrer)
    referrer.get_by_role("link", name="The panel has decided your dispute").click()
    expect(referrer.locator("main")).to_contain_text(
        "The panel agreed with you: CSC will carry out a child and family assessment.")
    expect(referrer.locator("main")).to_contain_text("Threshold interpretation")
    assert_accessible(referrer)


def test_the_chair_edits_and_approves_minutes_then_corrects_them(page, window, app,
                                                                 panel_meeting):
    from moderation.extensions import db
    from moderation.meeting import decisions, register
    from moderation.models import PanelSession, User

    m = panel_meeting()
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        chair = db.session.get(User, m.chair.id)
        decisions.defer(session.agenda[0], chair, "Waiting for the school's report")
        register.close(session, chair)
        db.session.commit()
    member = window()
    sign_in(member, m.reps["health"])
    member.goto(url(app, "meeting.minutes_page", session_id=m.session_id))
    member.get_by_role("button", name="Add comment").click()
    expect(member.locator(".govuk-error-summary")).to_contain_text(
        "Enter your comment on the draft minutes")
    assert_accessible(member)
    member.get_by_label("Your comment on version 1").fill("Name the school's report.")
    member.get_by_role("button", name="Add comment").click()
    _success(member, "Your comment has been added.")
    assert_accessible(member)
    sign_in(page, m.chair)
    page.goto(url(app, "panels.show", session_id=m.session_id))
    page.get_by_role("link", name="Minutes").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator(".govuk-grid-column-one-third")).to_contain_text(
        "Name the school's report.")
    assert_accessible(page)
    page.get_by_label("Opening remarks (optional)").fill("The chair welcomed members.")
    page.get_by_role("button", name="Save and approve").click()
    expect(page.locator("h1")).to_have_text("Approve version 1 of the minutes?")
    expect(page.locator(".govuk-warning-text")).to_contain_text("The time for comments has not")
    assert_accessible(page)
    page.get_by_role("button", name="Approve version 1").click()
    _success(page, "Version 1 of the minutes is approved and locked.")
    assert_accessible(page)
    page.get_by_role("button", name="Start a correction").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what the correction changes")
    assert_accessible(page)
    page.get_by_label("What does the correction change?").fill("Names the school correctly")
    page.get_by_role("button", name="Start a correction").click()
    page.get_by_role("button", name="Save and approve").click()
    page.get_by_role("button", name="Approve version 2").click()
    _success(page, "Version 2 of the minutes is approved and locked.")
    for version in (1, 2):
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile(rf"PDF.*version {version}")).click()
        assert download.value.suggested_filename.endswith(f"-v{version}-approved.pdf")
        with open(download.value.path(), "rb") as file:
            assert file.read(5) == b"%PDF-"


def test_actions_email_settings_and_outbox_pages_are_accessible(page, app, panel_meeting,
                                                                 make_user):
    from moderation.actions import services as actions
    from moderation.extensions import db
    from moderation.models import PanelSession, User

    m = panel_meeting()
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        actions.add_action(session, db.session.get(User, m.chair.id), working_days=5,
                           item=session.agenda[0], description="Send the GP report",
                           owner_id=m.reps["health"].id)
        db.session.commit()
    sign_in(page, m.reps["health"])
    page.get_by_role("link", name="Actions", exact=True).click()
    expect(page.locator("tbody")).to_contain_text("Send the GP report")
    assert_accessible(page)
    page.get_by_role("link", name="Update").click()
    page.get_by_label("Not done").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the action was not done")
    assert_accessible(page)
    page.goto(url(app, "actions.for_session", session_id=m.session_id))
    expect(page.locator("h1")).to_contain_text("Actions from the session")
    assert_accessible(page)
    page.goto(url(app, "notifications.settings"))
    page.get_by_role("button", name="Save email settings").click()
    _success(page, "Your email choices have been saved.")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, make_user("admin"))
    page.goto(url(app, "admin.outbox"))
    expect(page.locator("h1")).to_have_text("Email outbox")
    assert_accessible(page)
