"""The session page and the schedule read what a member needs: how many cases are on the
agenda, and why a cancelled session was cancelled."""

from moderation.models import PanelSession
from tests.conftest import page, post, url
from tests.helpers import client_for


def _rows(response, caption):
    table = next(t for t in page(response).select("table")
                 if caption in t.caption.get_text())
    return [[cell.get_text(" ", strip=True) for cell in row.select("td")]
            for row in table.select("tbody tr")]


def test_the_cases_column_counts_the_agenda_against_the_capacity(app, db, panel_meeting,
                                                                 make_session):
    m = panel_meeting(disputes=({}, {}, {}), started=False)
    with app.app_context():
        db.session.get(PanelSession, m.session_id).capacity = 6
        db.session.commit()
    chair = client_for(app, m.chair)
    rows = _rows(chair.get(url(app, "panels.schedule")), "Coming up")
    assert [row[3] for row in rows] == ["3 of 6"]
    summary = page(chair.get(url(app, "panels.show", session_id=m.session_id)))
    facts = {row.dt.get_text(strip=True): row.dd.get_text(strip=True)
             for row in summary.select(".govuk-summary-list__row")}
    assert facts["Cases"] == "3 of 6"


def test_a_cancelled_session_says_why_and_never_none(client, signed_in, make_session):
    signed_in("chair", seat="chair")
    session = make_session()
    post(client, url(client, "panels.cancel", session_id=session),
         {"reason": "Not enough cases this month."})
    shown = page(client.get(url(client, "panels.show", session_id=session)))
    facts = {row.dt.get_text(strip=True): row.dd.get_text(strip=True)
             for row in shown.select(".govuk-summary-list__row")}
    assert facts["Status"] == "Cancelled"
    assert facts["Why it was cancelled"] == "Not enough cases this month."
    assert "None" not in shown.select_one("main").get_text(" ")
