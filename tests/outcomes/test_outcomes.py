"""Outcome figures computed from known disputes, settlements and panel decisions."""

from datetime import date

from moderation.outcomes import figures as outcomes
from moderation.outcomes.figures import Filters, Period
from tests.helpers import NOVEMBER_DECEMBER


def test_headline_figures(app, history):
    with app.app_context():
        f = outcomes.figures(NOVEMBER_DECEMBER)
    assert (f.raised, f.decided, f.settled) == (4, 3, 1)
    assert f.outcomes == {"Uphold CSC's decision": 1,
                          "Overturn: refer for a child and family assessment (s17)": 1,
                          "Step down to early help": 1}
    assert (f.upheld, f.changed, f.overturn_rate) == (1, 2, 67)
    assert f.mismatches == 4  # three referrals logged as contacts, one information as referral
    assert f.urgent == 0
    assert f.repeats == 2  # the panel's three disputes are about the same child
    assert list(f.settled_by_stage.values()) == [1]
    assert list(f.settled_by_stage)[0].startswith("Stage 1:")


def test_working_days_from_csc_decision_to_settlement_and_decision(app, history):
    with app.app_context():
        f = outcomes.figures(NOVEMBER_DECEMBER)
    # 4 November to 25 November 2026: 15 working days; to 8 December: 24.
    assert f.to_settlement == {"median": 15, "p90": 15, "n": 1}
    assert f.to_decision == {"median": 24, "p90": 24, "n": 3}


def test_overturn_rates_by_agency_category_and_level(app, history):
    with app.app_context():
        f = outcomes.figures(NOVEMBER_DECEMBER)
    [(agency, decided, changed, rate)] = f.by_agency
    assert (decided, changed, rate) == (3, 2, 67)
    assert ("Sexual abuse", 1, 0, 0) in f.by_category
    assert ("Neglect", 2, 2, 100) in f.by_category
    assert ("Level 4: statutory or specialist", 1, 1, 100) in f.by_level
    assert f.themes[0] == ("Threshold interpretation", 3)


def test_filters_narrow_every_figure(app, history):
    with app.app_context():
        f = outcomes.figures(NOVEMBER_DECEMBER, Filters(category="sexual_abuse"))
        assert (f.raised, f.decided, f.upheld, f.changed, f.settled) == (1, 1, 1, 0, 0)
        f = outcomes.figures(NOVEMBER_DECEMBER, Filters(level=4))
        assert (f.raised, f.decided, f.changed) == (1, 1, 1)


def test_the_previous_period_of_the_same_length_is_compared(app, history):
    with app.app_context():
        f = outcomes.figures(Period(date(2026, 12, 1), date(2026, 12, 31)))
    assert f.previous["period"] == Period(date(2026, 10, 31), date(2026, 11, 30))
    assert (f.decided, f.previous["raised"], f.previous["decided"]) == (3, 4, 0)


def test_a_period_with_nothing_in_it(app, db):
    with app.app_context():
        f = outcomes.figures(Period(date(2020, 1, 1), date(2020, 3, 31)))
    assert (f.raised, f.decided, f.overturn_rate, f.to_decision["median"]) == (0, 0, None, None)
