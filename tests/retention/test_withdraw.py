"""The partnership manager withdraws an open dispute (issue #24, point 7): with a reason that is
required, checked and shown on the dispute to those who may read it; off the queue and every
clock; counted as withdrawn in the figures; the referrer and CSC told without case details in
any email; audited; refused for a closed dispute, to anyone else, and while a panel still to meet
has the dispute on its agenda. A withdrawn dispute is then kept as a closed one is."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from moderation.meeting import decisions
from moderation.models import (
    Dispute,
    DisputeStage,
    EmailMessage,
    LegalHold,
    Notification,
    PanelSession,
    User,
)
from moderation.retention import job, withdrawal
from moderation.web.boundary import Refusal
from tests.helpers import error_summary, field_error, heading

REASON = "The referrer has left the service and nobody has taken the dispute on."


@pytest.fixture
def referrer(make_user):
    return make_user("referrer", name="Riley Referrer")


@pytest.fixture
def dispute(make_dispute, referrer):
    return make_dispute(referrer)


def withdraw_it(browser, dispute_id, reason=REASON, _expected_status=200):
    """The withdraw form posted with `reason`, followed to the page it leads to."""
    return browser.post("retention.withdraw", {"reason": reason}, _follow_redirects=True,
                        _expected_status=_expected_status, dispute_id=dispute_id)


def text_of(element):
    return re.sub(r"\s+", " ", element.get_text(" ", strip=True)) if element else None


def buttons(page):
    return [text_of(link) for link in page.select("main .govuk-button")]


def stored(app, db, dispute_id):
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        return (dispute.status, dispute.withdrawn_on, dispute.withdrawn_reason,
                dispute.withdrawn_by_id)


def test_the_partnership_manager_withdraws_an_open_dispute_with_a_reason(
        on_a_monday, app, db, pm, pm_request, referrer, dispute, make_user, audited):
    csc = make_user("csc_manager")
    reference = f"D-2026-{dispute:04d}"
    before = pm_request.get("disputes.show", dispute_id=dispute)
    assert "Withdraw this dispute" in buttons(before)
    form = pm_request.get("retention.withdraw", dispute_id=dispute)
    assert heading(form) == "Withdraw this dispute"

    response = withdraw_it(pm_request, dispute, f"  {REASON}  ")

    assert heading(response) == f"Dispute {reference}"
    assert [text_of(b) for b in response.select(".govuk-notification-banner--success "
                                                ".govuk-notification-banner__content")] \
        == [f"Dispute {reference} has been withdrawn: it is closed. The referrer and CSC have "
            "been told."]
    assert text_of(response.find(id="withdrawn")) == (
        f"Withdrawn on 23 November 2026 {REASON} Withdrawn by Pat Manager. It is closed: nobody "
        "is asked to act on it again.")
    assert text_of(response.select_one("main .govuk-tag")) == "Withdrawn"
    assert "Withdraw this dispute" not in buttons(response)
    assert stored(app, db, dispute) == ("withdrawn", date(2026, 11, 23), REASON, pm.id)
    with app.app_context():
        assert db.session.scalars(select(DisputeStage.outcome).where(
            DisputeStage.dispute_id == dispute)).all() == ["withdrawn"]
    assert audited("dispute_withdrawn") == [(str(dispute), None)]

    # The referrer and CSC are told: in the app by reference, by email with no case details.
    with app.app_context():
        notices = {n.user_id: n.message for n in db.session.scalars(
            select(Notification).where(Notification.key.like("withdrawn:%")))}
        emails = db.session.scalars(select(EmailMessage).where(
            EmailMessage.kind == "dispute_withdrawn")).all()
    said = f"The partnership manager has withdrawn dispute {reference}: it is closed."
    assert notices == {referrer.id: said, csc.id: said}
    assert sorted(e.user_id for e in emails) == sorted([referrer.id, csc.id])
    for email in emails:
        assert email.subject == "Threshold moderation: A dispute has been withdrawn"
        for detail in (reference, "Amelia", "Jones", "2021", REASON[:20]):
            assert detail not in email.subject + email.body


def test_the_referrer_reads_why_their_dispute_was_withdrawn_and_no_other_referrer_can(
        on_a_monday, app, db, pm_request, as_, referrer, dispute, make_user):
    withdraw_it(pm_request, dispute)
    response = as_(referrer).get("disputes.show", dispute_id=dispute)
    assert text_of(response.find(id="withdrawn")).startswith(
        f"Withdrawn on 23 November 2026 {REASON}")
    assert "Escalate" not in buttons(response)
    refused = as_(make_user("referrer")).get("disputes.show", _expected_status=404,
                                             dispute_id=dispute)
    assert heading(refused) == "Page not found"


@pytest.mark.parametrize(("reason", "message"), [
    ("", "Enter why the dispute is withdrawn"),
    ("   ", "Enter why the dispute is withdrawn"),
    ("x" * 2001, "The reason must be 2,000 characters or fewer"),
    ("Nobody acts for Amelia Jones",
     "The reason must not contain a child's name, date of birth or case number"),
    ("Nobody\x00acts on it",
     "Your answer must not contain hidden control characters (such as NUL): type it again "
     "instead of pasting it"),
])
def test_a_withdrawal_without_a_proper_reason_is_refused_and_nothing_changes(
        on_a_monday, app, db, pm_request, dispute, audited, reason, message):
    response = withdraw_it(pm_request, dispute, reason)
    assert heading(response) == "Withdraw this dispute"
    assert error_summary(response) == [message]
    assert field_error(response, "reason") == message
    assert stored(app, db, dispute) == ("escalating", None, None, None)
    assert audited("dispute_withdrawn") == []


@pytest.mark.parametrize(("role", "dispute_page_status"), [
    ("csc_manager", 200), ("referrer", 200), ("chair", 404), ("data_protection_officer", 403)])
def test_nobody_but_the_partnership_manager_may_withdraw(app, db, as_, make_user, referrer,
                                                         dispute, role, dispute_page_status):
    # The referrer who raised it holds the record but not the role.
    browser = as_(referrer if role == "referrer" else make_user(role))
    for response in (browser.get("retention.withdraw", _expected_status=403, dispute_id=dispute),
                     withdraw_it(browser, dispute, _expected_status=403)):
        assert heading(response) == "You do not have access to this page"
    assert "Withdraw this dispute" not in buttons(
        browser.get("disputes.show", _expected_status=dispute_page_status, dispute_id=dispute))
    assert stored(app, db, dispute) == ("escalating", None, None, None)


def test_a_closed_dispute_is_not_offered_and_cannot_be_withdrawn(on_a_monday, app, db, pm,
                                                                 pm_request, settled_dispute):
    settled = settled_dispute()
    shown = pm_request.get("disputes.show", dispute_id=settled)
    assert "Withdraw this dispute" not in buttons(shown)
    refused = withdraw_it(pm_request, settled, _expected_status=404)
    assert heading(refused) == "Page not found"
    assert stored(app, db, settled)[0] == "settled"
    with app.app_context():
        record, actor = db.session.get(Dispute, settled), db.session.get(User, pm.id)
        with pytest.raises(Refusal, match="is closed \\(settled\\): only an open dispute"):
            withdrawal.withdraw(record, actor, REASON, date(2026, 11, 23))


def test_a_dispute_is_withdrawn_once(app, db, pm, dispute):
    with app.app_context():
        record, actor = db.session.get(Dispute, dispute), db.session.get(User, pm.id)
        withdrawal.withdraw(record, actor, REASON, date(2026, 11, 23))
        with pytest.raises(Refusal, match="was withdrawn on 23 November 2026"):
            withdrawal.withdraw(record, actor, "Again", date(2026, 11, 24))
        record.anonymised_on = date(2026, 12, 1)
        with pytest.raises(Refusal, match="anonymised"):
            withdrawal.withdraw(record, actor, "Again", date(2026, 12, 2))


def test_a_panel_still_to_meet_hears_the_dispute_before_it_can_be_withdrawn(
        app, db, as_, panel_meeting, make_user):
    m = panel_meeting(started=False)  # the agenda of today's panel, frozen
    [dispute] = m.dispute_ids
    manager = as_(make_user("partnership_manager"))
    form = manager.get("retention.withdraw", dispute_id=dispute)
    assert text_of(form.find(id="panel-ahead")) == (
        "The panel on 8 December 2026 has this dispute on its agenda, so it hears it first. The "
        "chair can defer it there; then it can be withdrawn.")
    refused = withdraw_it(manager, dispute)
    assert error_summary(refused) == [
        f"Dispute D-2026-{dispute:04d} is on the agenda of the panel on 8 December 2026: the "
        "panel hears it first. The chair can defer it there; then it can be withdrawn"]
    assert stored(app, db, dispute)[0] == "queued"

    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        decisions.defer(session.agenda[0], db.session.get(User, m.chair.id),
                        "The referrer could not attend.")
        db.session.commit()
    withdrawn = withdraw_it(manager, dispute)
    assert text_of(withdrawn.find(id="withdrawn")).startswith("Withdrawn on 8 December 2026")
    queue = as_(m.chair).get("disputes.panel_queue")
    assert f"D-2026-{dispute:04d}" not in queue.select_one("main").get_text()


DASHBOARD = {"period": "custom", "start": ["1", "11", "2026"], "end": ["30", "11", "2026"]}


def test_the_dashboard_counts_the_withdrawn_dispute_and_lists_it(on_a_monday, app, db,
                                                                 pm_request, dispute,
                                                                 make_dispute):
    make_dispute()
    withdraw_it(pm_request, dispute)
    response = pm_request.get("home.partnership", **DASHBOARD)
    figures = text_of(response.select_one("ul.figures"))
    assert "2 disputes raised" in figures
    assert "1 withdrawn (closed without an outcome; previous period: 0)" in figures
    listed = pm_request.get_url(response.find("a", string="1 withdrawn")["href"])
    assert [text_of(row.select_one("td")) for row in listed.select("tbody tr")] == [
        f"D-2026-{dispute:04d}"]


def test_a_withdrawn_dispute_is_kept_as_a_closed_one_from_the_day_it_was_withdrawn(
        app, db, pm, make_dispute):
    """Withdrawn on 23 November 2026, about a child born in 2000: due six years on, not the day
    before; the manager's typed reason goes with the rest of the case's free text."""
    dispute = make_dispute(child_dob=date(2000, 6, 1))
    with app.app_context():
        withdrawal.withdraw(db.session.get(Dispute, dispute), db.session.get(User, pm.id),
                            REASON, date(2026, 11, 23))
        db.session.commit()
    with app.app_context():
        assert job.run(date(2032, 11, 22)).counts["disputes_anonymised"] == 0
        assert job.run(date(2032, 11, 23)).counts["disputes_anonymised"] == 1
    assert stored(app, db, dispute) == (
        "withdrawn", date(2026, 11, 23),
        "[removed under the retention schedule on 23 November 2032]", pm.id)


def test_a_held_dispute_can_still_be_withdrawn_and_stays_held(app, db, pm, dispute):
    with app.app_context():
        db.session.add(LegalHold(dispute_id=dispute, reason="A review", placed_by_id=pm.id))
        withdrawal.withdraw(db.session.get(Dispute, dispute), db.session.get(User, pm.id),
                            REASON, date(2026, 11, 23))
        db.session.commit()
        assert job.run(date(2047, 1, 1)).counts["held_skipped"] == 1
    assert stored(app, db, dispute)[0] == "withdrawn"
