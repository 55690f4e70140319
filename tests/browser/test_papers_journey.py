"""Case papers in real browsers (#15): the referrer attaches the referral form (a disguised file
refused first) and adds information at escalation; CSC records its own decision; the chair
freezes the agenda and invites a guest; a member downloads the papers pack and a document; the
guest reads their item and no other; members comment on the draft minutes and the chair approves
them. Each person has their own window under the app's real CSP; axe runs on every page that
matters, error states included."""

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from moderation.extensions import db
from moderation.models import AgendaItem, Dispute, DisputeDocument, PanelSession, User
from tests.browser.conftest import address, assert_accessible
from tests.browser.steps import answer_for_csc, record_csc_decision

pytestmark = pytest.mark.browser

# The first bytes of a Linux executable: no PDF, whatever its name says.
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"\x90" * 512
RATIONALE = "Universal services were engaged and the school reported no concerns."
NEW_INFORMATION = "The family has since missed two health appointments."
PURPOSE = "To present the referral"


def referral_form():
    """A small real PDF, as a referrer's system would produce it."""
    from weasyprint import HTML

    return HTML(string="<html lang='en'><title>Referral</title><h1>Referral form</h1>"
                       "<p>Sent to children's social care on 2 November 2026.</p>").write_pdf()


def _success(tab, text):
    expect(tab.locator(".govuk-notification-banner--success")).to_contain_text(text)


def _upload(tab, name, content, kind="The referral form as sent"):
    tab.get_by_label(kind).check()
    tab.get_by_label("Upload a file").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": content}])
    tab.get_by_role("button", name="Attach the document").click()


def _documents(app):
    with app.app_context():
        return db.session.scalars(sa.select(DisputeDocument)).all()


def test_case_papers_from_the_referral_form_to_approved_minutes(
        app, open_as, make_user, make_dispute, panel_meeting):
    # A panel (chair; health, police and CSC representatives) with a session on 8 December, its
    # agenda still open, and another referrer's dispute already waiting for panel.
    other_referrer = make_user("referrer", name="Alex Other")
    m = panel_meeting(disputes=({"referrer": other_referrer, "child_name": "Noah Smith"},),
                      frozen=False, started=False)
    referrer_user = m.referrer
    manager_user = make_user("referrer", name="Jordan Manager", agency_id=referrer_user.agency_id)
    csc_user = make_user("csc_manager", name="Casey Team Manager",
                         agency_id=m.reps["csc"].agency_id)
    dispute_id = make_dispute(referrer=referrer_user)
    with app.app_context():
        db.session.execute(sa.update(PanelSession).values(capacity=2))
        db.session.commit()
        reference = db.session.get(Dispute, dispute_id).reference
        referrer_agency = db.session.get(User, referrer_user.id).agency.name
        other_reference = db.session.get(Dispute, m.dispute_ids[0]).reference
    dispute_url = address("disputes.show", dispute_id=dispute_id)

    # 1. The referrer attaches the referral form; a disguised executable is refused first.
    referrer = open_as(referrer_user)
    referrer.goto(dispute_url)
    referrer.get_by_role("link", name="Attach a document").click()
    expect(referrer.locator("h1")).to_have_text("Attach a document")
    assert_accessible(referrer)
    _upload(referrer, "referral.pdf", ELF)
    expect(referrer.locator(".govuk-error-summary")).to_contain_text(
        "The selected file must be a PDF, DOCX, ODT, PNG, JPEG or plain text file")
    expect(referrer.locator("h1")).to_have_text("Attach a document")
    assert_accessible(referrer)
    assert _documents(app) == []
    pdf = referral_form()
    _upload(referrer, "referral.pdf", pdf)
    _success(referrer, "referral.pdf has been attached to the dispute.")
    documents = referrer.locator("#documents ~ .app-documents")
    expect(documents).to_contain_text("The referral form as sent")
    expect(documents).to_contain_text("referral.pdf")
    expect(documents).to_contain_text("Added by Riley Referrer")
    assert_accessible(referrer)
    assert len(_documents(app)) == 1

    # 2. CSC records its own decision on the confirm page (its rationale asked for first); the
    # dispute page then shows the referrer's account and CSC's record side by side.
    csc = open_as(csc_user)
    csc.goto(address("home.csc_manager"))
    csc.get_by_role("link", name=reference).click()
    csc.get_by_role("link", name="Confirm or correct CSC's decision").click()
    expect(csc.locator("h1")).to_have_text("Confirm or correct CSC's decision")
    csc.get_by_label("CSC's rationale").fill("")
    csc.get_by_role("button", name="Save CSC's decision").click()
    expect(csc.locator(".govuk-error-summary")).to_contain_text(
        "Enter CSC's rationale for its decision")
    assert_accessible(csc)
    csc.get_by_label("Contact", exact=True).check()
    csc.get_by_label("No further action").check()
    record_csc_decision(csc, "Casey Team Manager", RATIONALE, told_on=date(2026, 11, 5))
    _success(csc, "recorded")
    account, record = csc.locator("#referrers-account"), csc.locator("#cscs-record")
    expect(account).to_contain_text("Duty social worker")
    expect(account).to_contain_text("Universal services involved.")
    for text in (RATIONALE, "Casey Team Manager", "Morgan Head", "5 November 2026, by phone"):
        expect(record).to_contain_text(text)
    assert_accessible(csc)
    answer_for_csc(csc, reference, "We explained the decision by phone.")

    # 3. The referrer escalates, adds new information and names their manager; the timeline
    # dates the addition.
    referrer.goto(dispute_url)
    expect(referrer.locator("#cscs-record")).to_contain_text(RATIONALE)
    referrer.get_by_role("link", name="Escalate").click()
    referrer.get_by_label("Stage 2: Manager to manager").check()
    referrer.get_by_label("New information for the next stage (optional)").fill(NEW_INFORMATION)
    referrer.get_by_label("Your manager (optional)").select_option(label="Jordan Manager")
    assert_accessible(referrer)
    referrer.get_by_role("button", name="Escalate").click()
    _success(referrer, "The dispute has been escalated.")
    expect(referrer.locator(".app-timeline")).to_contain_text(
        "New information added by Riley Referrer")
    expect(referrer.locator(".app-addition")).to_contain_text(NEW_INFORMATION)
    assert_accessible(referrer)
    with app.app_context():
        # The middle steps: CSC answers stage 2 and the referrer takes it to the panel.
        from moderation.disputes import escalating, responding

        dispute = db.session.get(Dispute, dispute_id)
        assert dispute.referrer_manager_id == manager_user.id
        responding.respond(dispute, db.session.get(User, csc_user.id), "The managers agree.")
        escalating.escalate(dispute, db.session.get(User, referrer_user.id), to_position=4,
                            skip_reason="A second screening would add nothing new")
        db.session.commit()

    # 4. The chair fills the agenda from the queue, freezes it and invites the referrer as a
    # guest to present their item (the form's errors first).
    chair = open_as(m.chair)
    chair.goto(address("panels.show", session_id=m.session_id))
    chair.get_by_role("link", name="Build the agenda").click()
    chair.get_by_role("button", name="Fill from the queue").click()
    expect(chair.locator("tbody tr")).to_have_count(2)
    assert_accessible(chair)
    chair.get_by_role("button", name="Freeze the agenda").click()
    _success(chair, "frozen")
    chair.get_by_role("link", name="Back to the session").click()
    listed = chair.locator("main ol > li", has_text=reference)
    listed.get_by_role("link", name=re.compile("^Guests")).click()
    guests_heading = re.compile(rf"^Guests at item \d, {re.escape(reference)}$")
    expect(chair.locator("h1")).to_have_text(guests_heading)
    chair.get_by_role("button", name="Invite the guest").click()
    summary = chair.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the guest's email address")
    expect(summary).to_contain_text("Enter why the guest is invited")
    assert_accessible(chair)
    chair.get_by_label("The guest's email address").fill(referrer_user.email)
    chair.get_by_label("Why are they invited?").fill(PURPOSE)
    chair.get_by_role("button", name="Invite the guest").click()
    _success(chair, "Riley Referrer is invited to item")
    expect(chair.locator("main")).to_contain_text(f"Riley Referrer ({referrer_user.email}): "
                                                  f"{PURPOSE}")
    assert_accessible(chair)
    with app.app_context():
        items = {item.dispute_id: item.id for item in db.session.scalars(sa.select(AgendaItem))}

    # 5. A member downloads the papers pack, made out to them, and the referral form itself.
    member_user = m.reps["health"]
    member = open_as(member_user)
    member.goto(address("panels.show", session_id=m.session_id))
    assert_accessible(member)
    with member.expect_download() as download:
        member.get_by_role("link", name="Download the papers pack (PDF)").click()
    with open(download.value.path(), "rb") as file:
        pack = [page.extract_text() for page in PdfReader(io.BytesIO(file.read())).pages]
    assert all(f"Prepared for {member_user.name}" in page for page in pack), pack
    assert reference in " ".join(pack) and other_reference in " ".join(pack)
    member.get_by_role("link", name=re.compile(re.escape(reference))).click()
    expect(member.locator("h1")).to_have_text(f"Dispute {reference}")
    expect(member.locator(".app-addition")).to_contain_text(NEW_INFORMATION)
    assert_accessible(member)
    with member.expect_download() as download:
        member.get_by_role("link", name="referral.pdf").click()
    assert download.value.suggested_filename == "referral.pdf"
    with open(download.value.path(), "rb") as file:
        assert file.read() == pdf

    # 6. The guest reads their item's papers from their home page, and no other item's.
    referrer.goto(address("home.index"))
    expect(referrer.locator("#invitations ~ ul")).to_contain_text(PURPOSE)
    invitation = re.compile(rf"^Read the papers for item \d \({re.escape(reference)}\)$")
    referrer.get_by_role("link", name=invitation).click()
    expect(referrer.locator("h1")).to_have_text(f"Dispute {reference}")
    expect(referrer.locator("#guest-mark")).to_contain_text(
        f"You are a guest at this item: {PURPOSE}.")
    assert_accessible(referrer)
    referrer.goto(address("papers.item", session_id=m.session_id,
                          item_id=items[m.dispute_ids[0]]))
    expect(referrer.locator("h1")).to_have_text("Page not found")
    expect(referrer.locator("main")).not_to_contain_text(other_reference)

    # 7. The chair keeps the register (the guest came), starts the meeting, records the
    # decision on the referrer's item and defers the other, and closes the meeting.
    chair.goto(address("panels.show", session_id=m.session_id))
    chair.get_by_role("link", name="Go to the meeting").click()
    for user in (m.chair, *m.reps.values()):
        chair.check(f"input[name='status-{m.members[user.id]}'][value='present']")
        chair.check(f"input[name='acknowledged-{m.members[user.id]}']")
    chair.check(f"input[name='status-{m.members[m.deputy.id]}'][value='apologies']")
    chair.get_by_role("button", name="Save the register").click()
    _success(chair, "The register has been saved.")
    guest_came = chair.get_by_role("group", name=re.compile("^Riley Referrer, guest at item"))
    guest_came.get_by_label("Came", exact=True).check()
    chair.get_by_role("button", name="Save the guests' attendance").click()
    _success(chair, "The guests' attendance has been saved.")
    expect(guest_came.get_by_label("Came", exact=True)).to_be_checked()
    assert_accessible(chair)
    chair.get_by_role("button", name="Start the meeting").click()
    _success(chair, "The meeting has started.")
    with app.app_context():
        # The votes, as test_meeting_journeys casts them from each representative's browser.
        from moderation.meeting import voting

        item = db.session.get(AgendaItem, items[dispute_id])
        chair_record = db.session.get(User, m.chair.id)
        voting.open_voting(item, chair_record)
        for rep in m.reps.values():
            voting.cast_vote(item, db.session.get(User, rep.id), "overturn_s17",
                             "The history meets the threshold.")
        voting.close_voting(item, chair_record)
        db.session.commit()
    chair.goto(address("meeting.item", session_id=m.session_id, item_id=items[dispute_id]))
    chair.get_by_role("link", name="Record the decision").click()
    chair.get_by_label("The panel's rationale").fill("The history meets the threshold.")
    chair.get_by_label("Threshold interpretation").check()
    chair.get_by_label("Feedback to the referrer").fill(
        "The panel agreed with you: CSC will carry out a child and family assessment.")
    chair.get_by_role("button", name="Record decision").click()
    _success(chair, "The decision has been recorded and the referrer told.")
    chair.goto(address("meeting.item", session_id=m.session_id,
                       item_id=items[m.dispute_ids[0]]))
    chair.get_by_text("Defer this item to the next session").click()
    chair.get_by_label("Why is the item deferred?").fill("Waiting for the school's report")
    chair.get_by_role("button", name="Defer to the next session").click()
    chair.goto(address("meeting.show", session_id=m.session_id))
    chair.get_by_role("button", name="Close the meeting").click()
    _success(chair, "The meeting has closed. The minutes are now in draft.")
    assert_accessible(chair)

    # A member present comments on the draft (an empty comment refused first).
    member.goto(address("panels.show", session_id=m.session_id))
    member.get_by_role("link", name="Minutes").click()
    member.get_by_role("button", name="Add comment").click()
    expect(member.locator(".govuk-error-summary")).to_contain_text(
        "Enter your comment on the draft minutes")
    assert_accessible(member)
    member.get_by_label("Your comment on version 1").fill("Record that the guest presented.")
    member.get_by_role("button", name="Add comment").click()
    _success(member, "Your comment has been added.")
    assert_accessible(member)

    # The chair reads the comment beside the draft and approves on the confirmation page.
    chair.goto(address("panels.show", session_id=m.session_id))
    chair.get_by_role("link", name="Minutes").click()
    comments = chair.locator(".govuk-grid-column-one-third")
    expect(comments).to_contain_text("Record that the guest presented.")
    expect(comments).to_contain_text(member_user.name)
    assert_accessible(chair)
    chair.get_by_role("button", name="Save and approve").click()
    expect(chair.locator("h1")).to_have_text("Approve version 1 of the minutes?")
    assert_accessible(chair)
    chair.get_by_role("button", name="Approve version 1").click()
    _success(chair, "Version 1 of the minutes is approved and locked.")
    expect(chair.locator("tbody tr")).to_have_count(1)
    expect(chair.locator("tbody tr")).to_contain_text("Approved")
    expect(chair.get_by_role("button", name="Save and approve")).to_have_count(0)
    assert_accessible(chair)
    # The approved minutes name the guest who came to present.
    with chair.expect_download() as download:
        chair.get_by_role("link", name=re.compile(r"PDF.*version 1")).click()
    with open(download.value.path(), "rb") as file:
        minutes = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(file.read())).pages)
    assert f"Riley Referrer ({referrer_agency}), item" in " ".join(minutes.split()), minutes


def test_the_referrer_withdraws_a_document_with_a_reason(app, open_as, make_user,
                                                         make_dispute):
    """The withdraw page, its error state and the list afterwards, under axe and the real CSP
    (no demo document can be withdrawn, so the crawl never reaches this page)."""
    referrer = make_user("referrer", name="Riley Referrer")
    dispute = make_dispute(referrer)
    tab = open_as(referrer)
    tab.goto(address("disputes.show", dispute_id=dispute))
    tab.get_by_role("link", name="Attach a document").click()
    _upload(tab, "referral.pdf", referral_form())
    _success(tab, "referral.pdf")
    tab.get_by_role("link", name="Withdraw referral.pdf").click()
    expect(tab.locator("h1")).to_have_text("Withdraw referral.pdf")
    assert_accessible(tab)
    tab.get_by_role("button", name="Withdraw the document").click()
    expect(tab.locator(".govuk-error-summary")).to_contain_text(
        "Enter the reason for withdrawing the document")
    assert_accessible(tab)
    tab.get_by_label("Why are you withdrawing it?").fill("The wrong child's form was attached.")
    tab.get_by_role("button", name="Withdraw the document").click()
    expect(tab.locator("#documents ~ dl")).to_contain_text(
        "The wrong child's form was attached.")
    expect(tab.get_by_role("link", name="referral.pdf")).to_have_count(0)
    assert_accessible(tab)
    assert _documents(app)[0].withdrawn
