"""A decided or anonymised dispute's page drops what no longer applies, a list shows an
anonymised dispute's child as "Anonymised" rather than a blank, and check your answers keeps
the line breaks typed (issue #25, point 8)."""

from datetime import date

from moderation.extensions import db as _db
from moderation.retention import anonymise
from tests.conftest import client_for, page, post, url
from tests.helpers import RAISE_FORM


def _text(response):
    return " ".join(page(response).select_one("main").get_text(" ", strip=True).split())


def test_a_decided_disputes_page_drops_the_instructions_that_no_longer_apply(app, history):
    """The first of `history`'s disputes: a referral CSC logged as a contact, decided by the
    panel, CSC never having recorded its own account."""
    dispute = history.dispute_ids[0]
    referrer = client_for(app, history.referrer)
    shown = _text(referrer.get(url(app, "disputes.show", dispute_id=dispute)))
    assert "You made a referral; CSC recorded it as a contact" in shown
    assert "say so in your grounds" not in shown
    assert "CSC has not recorded its decision yet" not in shown
    assert "CSC did not record its decision here before the dispute closed." in shown


def test_an_open_dispute_still_says_what_to_do(app, make_dispute, make_user):
    referrer = make_user("referrer")
    dispute = make_dispute(referrer)
    shown = _text(client_for(app, referrer).get(url(app, "disputes.show", dispute_id=dispute)))
    assert "If you believe the child needs an assessment, say so in your grounds" in shown
    assert "CSC has not recorded its decision yet." in shown


def test_an_anonymised_dispute_reads_anonymised_in_a_list_and_on_the_agenda(app, history):
    with app.app_context():
        anonymise.anonymise(history.dispute_ids, date(2033, 1, 10))
        _db.session.commit()
    dispute = history.dispute_ids[0]
    referrer = client_for(app, history.referrer)
    listed = page(referrer.get(url(app, "home.index"), follow_redirects=True))
    cells = [[cell.get_text(" ", strip=True) for cell in row.select("td")]
             for row in listed.select("main table tbody tr")]
    assert cells and all(row[1] == "Anonymised" for row in cells), cells
    shown = _text(referrer.get(url(app, "disputes.show", dispute_id=dispute)))
    assert "say so in your grounds" not in shown
    chair = client_for(app, history.chair)
    session = _text(chair.get(url(app, "panels.show", session_id=history.session_id)))
    assert "()" not in session and "(Anonymised)" in session


def test_check_your_answers_keeps_the_line_breaks_typed(app, client, signed_in):
    signed_in("referrer")
    grounds = "Three visits.\nNo improvement.\n\nThe threshold is met."
    check = post(client, url(client, "disputes.raise_dispute"), {**RAISE_FORM, "grounds": grounds})
    rows = {row.select_one("dt").get_text(strip=True): row.select_one("dd")
            for row in page(check).select(".govuk-summary-list__row")}
    # The answer's lines as typed, in an element that keeps its line breaks (white-space:
    # pre-line, which also drops the spaces the summary list's markup indents them with).
    shown = rows["Why"].select_one(".app-prose").get_text()
    assert [line.strip() for line in shown.split("\n")] == grounds.split("\n")
