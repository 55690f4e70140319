"""The urgent route on the partnership manager's outcomes (rule 14): how many immediate-risk
disputes were raised and where they stand, and how long each urgent stage took, in working days
and in office hours (09:00 to 17:00 UK time on working days)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from moderation.models import Dispute, DisputeStage, DisputeStatus, StageOutcome
from moderation.outcomes import figures as outcomes
from moderation.outcomes.figures import Filters, Period
from tests.conftest import heading, page, sign_in, url

LONDON = ZoneInfo("Europe/London")
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
NOVEMBER_FORM = {"period": "custom", "start": ["1", "11", "2026"], "end": ["30", "11", "2026"]}
MANAGER, HEAD, LEAD = "CSC team manager", "Head of service", "Partnership's senior lead"
# Every dispute here was referred and decided by CSC before the earliest is raised.
EARLY = {"referral_date": date(2026, 10, 1), "csc_decision_date": date(2026, 10, 2)}


def _uk(*parts):
    return datetime(*parts, tzinfo=LONDON)


@pytest.fixture
def run_stages(app, db, make_dispute):
    """Raise a dispute on `raised_on` and give it the stages (position, name, opened, closed,
    outcome) and the status given: the times are what the figures measure, set as the urgent
    route would have recorded them (or None, as on stages closed before times were kept)."""

    def make(raised_on, status, stages, urgent=True, **answers):
        ident = make_dispute(on=raised_on, immediate_risk=urgent, **{**EARLY, **answers})
        with app.app_context():
            dispute = db.session.get(Dispute, ident)
            dispute.stages.clear()
            db.session.flush()
            for position, name, opened, closed, outcome in stages:
                opened_on = opened.date() if isinstance(opened, datetime) else opened
                closed_on = closed.date() if isinstance(closed, datetime) else closed
                dispute.stages.append(DisputeStage(
                    position=position, name=name, answering_role="csc_manager", working_days=0,
                    opened_on=opened_on, due_on=opened_on, closed_on=closed_on,
                    opened_at=opened if isinstance(opened, datetime) else None,
                    closed_at=closed if isinstance(closed, datetime) else None,
                    outcome=outcome))
            dispute.status = status
            db.session.commit()
        return ident

    return make


@pytest.fixture
def urgent_november(run_stages):
    """Urgent disputes and their stages around November 2026 (times UK; GMT, so UTC too)."""
    # Raised Monday 23rd, settled at stage 1 after 3.5 office hours.
    run_stages(date(2026, 11, 23), DisputeStatus.SETTLED, [
        (1, MANAGER, _uk(2026, 11, 23, 10), _uk(2026, 11, 23, 13, 30), StageOutcome.SETTLED)])
    # Raised Monday 23rd, every stage unresolved, now waiting for the panel: stage 1 over the
    # night (2 hours, 1 working day), stage 2 the same afternoon (5 hours, 0 days), stage 3
    # from Tuesday 15:00 to Friday 16:00 (2 + 8 + 8 + 7 = 25 hours, 3 working days).
    run_stages(date(2026, 11, 23), DisputeStatus.QUEUED, [
        (1, MANAGER, _uk(2026, 11, 23, 16), _uk(2026, 11, 24, 10), StageOutcome.UNRESOLVED),
        (2, HEAD, _uk(2026, 11, 24, 10), _uk(2026, 11, 24, 15), StageOutcome.UNRESOLVED),
        (3, LEAD, _uk(2026, 11, 24, 15), _uk(2026, 11, 27, 16), StageOutcome.UNRESOLVED)],
        level_of_need=4)
    # Raised Friday 27th, still escalating: stage 1 over the weekend (1 + 2 = 3 hours, 1 working
    # day); stage 2 still open.
    run_stages(date(2026, 11, 27), DisputeStatus.ESCALATING, [
        (1, MANAGER, _uk(2026, 11, 27, 16), _uk(2026, 11, 30, 11), StageOutcome.UNRESOLVED),
        (2, HEAD, _uk(2026, 11, 30, 11), None, None)])
    # Raised Friday 20th and since decided by the panel, its stage 1 closed the same day before
    # times of day were kept (days known, hours not); its stage 2 skipped.
    run_stages(date(2026, 11, 20), DisputeStatus.DECIDED, [
        (1, MANAGER, date(2026, 11, 20), date(2026, 11, 20), StageOutcome.UNRESOLVED),
        (2, HEAD, date(2026, 11, 20), date(2026, 11, 20), StageOutcome.SKIPPED)])
    # Raised in October (not counted as raised), its stage 1 closed on Monday 2 November
    # (counted): Friday 16:30 to Monday 09:30, 1 office hour, 1 working day.
    run_stages(date(2026, 10, 30), DisputeStatus.ESCALATING, [
        (1, MANAGER, _uk(2026, 10, 30, 16, 30), _uk(2026, 11, 2, 9, 30),
         StageOutcome.UNRESOLVED)])
    # Outside the figures: a stage closed in December, and a dispute that is not urgent.
    run_stages(date(2026, 11, 30), DisputeStatus.ESCALATING, [
        (1, MANAGER, _uk(2026, 11, 30, 16), _uk(2026, 12, 1, 12), StageOutcome.UNRESOLVED)])
    run_stages(date(2026, 11, 23), DisputeStatus.SETTLED, [
        (1, "Team manager review", _uk(2026, 11, 23, 10), _uk(2026, 11, 25, 10),
         StageOutcome.SETTLED)], urgent=False)


def _stage(figures, position):
    return next(s for s in figures.urgent_route["stages"] if s["position"] == position)


def test_urgent_disputes_raised_and_where_they_stand(app, urgent_november):
    with app.app_context():
        u = outcomes.figures(NOVEMBER).urgent_route
    # The one waiting for its panel is still open: only a panel's decision ends it (rule 17).
    assert (u["raised"], u["settled"], u["panel"], u["open"], u["waiting"]) == (5, 1, 1, 3, 1)


def test_each_urgent_stage_in_working_days_and_hours(app, urgent_november):
    with app.app_context():
        f = outcomes.figures(NOVEMBER)
    assert [(s["position"], s["name"], s["closed"]) for s in f.urgent_route["stages"]] == [
        (1, MANAGER, 5), (2, HEAD, 1), (3, LEAD, 1)]
    first = _stage(f, 1)
    assert first["days"] == {"median": 1, "longest": 1, "n": 5}  # 0, 0, 1, 1, 1
    assert first["hours"] == {"median": 2.5, "longest": 3.5, "n": 4}  # 1, 2, 3, 3.5
    assert _stage(f, 2)["days"] == {"median": 0, "longest": 0, "n": 1}
    assert _stage(f, 2)["hours"] == {"median": 5, "longest": 5, "n": 1}
    assert _stage(f, 3)["days"] == {"median": 3, "longest": 3, "n": 1}
    assert _stage(f, 3)["hours"] == {"median": 25, "longest": 25, "n": 1}
    assert f.urgent_route["untimed"] == 1


def test_stored_utc_times_are_counted_in_uk_office_hours(app, run_stages):
    # 08:00 to 12:00 UTC on Monday 6 July 2026 is 09:00 to 13:00 BST: four office hours.
    run_stages(date(2026, 7, 6), DisputeStatus.SETTLED, [
        (1, MANAGER, datetime(2026, 7, 6, 8, tzinfo=UTC), datetime(2026, 7, 6, 12, tzinfo=UTC),
         StageOutcome.SETTLED)], referral_date=date(2026, 7, 1), csc_decision_date=date(2026, 7, 2))
    with app.app_context():
        f = outcomes.figures(Period(date(2026, 7, 1), date(2026, 7, 31)))
    assert _stage(f, 1)["hours"] == {"median": 4, "longest": 4, "n": 1}


def test_the_dashboard_filters_narrow_the_urgent_route(app, urgent_november):
    with app.app_context():
        u = outcomes.figures(NOVEMBER, Filters(level=4)).urgent_route
    assert (u["raised"], u["settled"], u["panel"], u["open"], u["waiting"]) == (1, 0, 0, 1, 1)
    assert [(s["position"], s["closed"]) for s in u["stages"]] == [(1, 1), (2, 1), (3, 1)]


def test_a_period_without_urgent_disputes(app, db):
    with app.app_context():
        u = outcomes.figures(NOVEMBER).urgent_route
    assert u == {"raised": 0, "settled": 0, "panel": 0, "open": 0, "waiting": 0, "withdrawn": 0,
                 "stages": [], "untimed": 0}


def test_the_urgent_figures_survive_the_trip_through_the_cache(app, urgent_november):
    import json

    with app.app_context():
        counted = outcomes.figures(NOVEMBER)
    assert outcomes.Figures.from_data(json.loads(json.dumps(counted.as_data()))) == counted


# The page ---------------------------------------------------------------------------------------


def _section(response):
    return page(response).find("section", class_="app-urgent-route")


def test_the_partnership_manager_reads_the_urgent_route(app, client, signed_in,
                                                        urgent_november):
    signed_in("partnership_manager")
    response = client.get(url(app, "home.partnership", **NOVEMBER_FORM))
    section = _section(response)
    assert section.find("h2").get_text(strip=True) == "Urgent route"
    standing = {row.find("dt").get_text(strip=True): row.find("dd").get_text(strip=True)
                for row in section.select(".govuk-summary-list__row")}
    assert standing == {"Urgent disputes raised": "5", "Settled on the urgent route": "1",
                        "Decided by a panel": "1", "Withdrawn": "0",
                        "Still open": "3 (1 waiting for its panel)"}
    table = section.find("table")
    assert table.find("caption").get_text(" ", strip=True) == (
        "Time each urgent stage took, for stages closed from 1 November 2026 to 30 November 2026")
    assert [th.get_text(" ", strip=True) for th in table.select("thead th")] == [
        "Stage", "Working days", "Working hours"]
    rows = {row.find("th").get_text(" ", strip=True):
            [td.get_text(" ", strip=True) for td in row.find_all("td")]
            for row in table.select("tbody tr")}
    assert rows == {
        f"Stage 1: {MANAGER} 5 closed": ["Median 1 Longest 1", "Median 2.5 Longest 3.5"],
        f"Stage 2: {HEAD} 1 closed": ["Median 0 Longest 0", "Median 5 Longest 5"],
        f"Stage 3: {LEAD} 1 closed": ["Median 3 Longest 3", "Median 25 Longest 25"],
    }
    notes = section.select_one(".urgent-notes").get_text(" ", strip=True)
    assert "only office hours, 9am to 5pm on working days" in notes
    assert ("1 stage closed before the times of day were recorded: it is counted in the "
            "working days but left out of the working hours") in notes


def test_a_period_without_urgent_stages_says_so(app, client, signed_in):
    signed_in("partnership_manager")
    section = _section(client.get(url(app, "home.partnership", **NOVEMBER_FORM)))
    assert "Urgent disputes raised 0" in section.get_text(" ", strip=True)
    assert section.find("table") is None
    assert section.select_one(".urgent-stages-none").get_text(strip=True) == (
        "No urgent stages closed in this period.")



def test_a_stage_whose_times_were_never_kept_has_its_hours_not_known(app, client, signed_in,
                                                                        run_stages):
    run_stages(date(2026, 11, 20), DisputeStatus.DECIDED, [
        (1, MANAGER, date(2026, 11, 20), date(2026, 11, 23), StageOutcome.UNRESOLVED),
        (2, HEAD, date(2026, 11, 23), date(2026, 11, 24), StageOutcome.UNRESOLVED)])
    signed_in("partnership_manager")
    section = _section(client.get(url(app, "home.partnership", **NOVEMBER_FORM)))
    cells = [[td.get_text(" ", strip=True) for td in row.find_all("td")]
             for row in section.select("table tbody tr")]
    assert cells == [["Median 1 Longest 1", "Not known"], ["Median 1 Longest 1", "Not known"]]
    assert "2 stages closed before the times of day were recorded: they are counted" in (
        section.select_one(".urgent-notes").get_text(" ", strip=True))

@pytest.mark.parametrize("role", ["csc_manager", "chair", "panel_member", "referrer", "admin"])
def test_only_the_partnership_manager_reads_the_figures(app, client, make_user, urgent_november,
                                                        role):
    # A CSC manager answers urgent stages and a chair takes urgent items to panel: neither
    # holds the role that reads the partnership's figures.
    sign_in(client, make_user(role))
    response = client.get(url(app, "home.partnership", **NOVEMBER_FORM))
    assert response.status_code == 403
    assert heading(response) == "You do not have access to this page"
    assert "Urgent route" not in response.text
