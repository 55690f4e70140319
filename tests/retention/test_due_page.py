"""What the retention job would do now: the partnership manager (or the data protection
officer) reads it on a page before the night's run, with nothing changed."""

from datetime import date

from moderation.models import Dispute, LegalHold
from tests.conftest import client_for, heading, page, url
from tests.retention.conftest import DUE, frozen


def _due_page(app, person):
    """The page as `person` reads it on the day the default dispute's child turns 25 (signed
    in that day too: a sign-in lasts hours, not years)."""
    with frozen(DUE):
        return client_for(app, person).get(url(app, "retention.due"))


def test_the_page_counts_what_tonights_run_would_do_and_names_the_disputes(
        app, db, settled_dispute, make_user, whole_database, audited):
    manager = make_user("partnership_manager")
    due, held = settled_dispute(), settled_dispute(child_name="Isla Brown")
    settled_dispute(child_dob=date(2022, 1, 1))  # not yet 25
    with app.app_context():
        db.session.add(LegalHold(dispute_id=held, reason="A review", placed_by_id=manager.id))
        db.session.commit()
        reference = db.session.get(Dispute, due).reference
    with frozen(DUE):
        client = client_for(app, manager)
        before = whole_database.rows(leave_out={"audit_event"})
        response = client.get(url(app, "retention.due"))
    assert heading(response) == "What the retention job would do now"
    html = page(response)
    counts = [li.get_text(" ", strip=True) for li in html.select("#due-counts li")]
    assert counts[:2] == ["1 dispute anonymised", "1 dispute due but on legal hold, so kept"]
    assert [li.get_text(strip=True) for li in html.select("#due-disputes li")] == [reference]
    assert whole_database.rows(leave_out={"audit_event"}) == before
    assert audited("retention_due_viewed") == [(None, {"due": 1, "listed": 1})]


def test_a_long_list_names_the_first_disputes_and_counts_the_rest(app, settled_dispute,
                                                                  make_user, monkeypatch):
    from moderation.retention import views

    monkeypatch.setattr(views, "DUE_LISTED", 2)
    for _ in range(3):
        settled_dispute()
    response = _due_page(app, make_user("data_protection_officer"))
    html = page(response)
    assert len(html.select("#due-disputes li")) == 2
    assert "And 1 more." in html.get_text(" ", strip=True)


def test_with_nothing_due_the_page_says_so(app, make_user):
    response = _due_page(app, make_user("partnership_manager"))
    assert "None: no dispute is due that is not on legal hold." in page(response).get_text()


def test_the_runs_report_links_to_it(app, make_user):
    manager = client_for(app, make_user("partnership_manager"))
    links = [a["href"] for a in page(manager.get(url(app, "retention.runs"))).select("main a")]
    assert url(app, "retention.due") in links
