"""Session dates for a monthly series, moved off bank holidays."""

from datetime import date

import pytest

from moderation.panels.series import describe, monthly_rule, occurrences


def test_second_tuesday_of_each_month():
    rule = monthly_rule(2, "TU")
    assert rule == "RRULE:FREQ=MONTHLY;BYDAY=+2TU"
    assert describe(2, "TU") == "second Tuesday of each month"
    held = [o.held_on for o in occurrences(rule, date(2026, 12, 1), date(2027, 3, 31))]
    assert held == [date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9)]


def test_a_bank_holiday_moves_the_session_to_the_next_working_day_and_says_so():
    # The first Monday of May is the early May bank holiday; the last of August, the summer one.
    sessions = occurrences(monthly_rule(1, "MO"), date(2026, 4, 1), date(2026, 9, 30))
    may = next(o for o in sessions if o.planned_on.month == 5)
    assert (may.planned_on, may.held_on) == (date(2026, 5, 4), date(2026, 5, 5))
    assert may.note == "Moved from 4 May 2026 (a bank holiday) to 5 May 2026"
    assert not next(o for o in sessions if o.planned_on.month == 6).moved


def test_last_monday_of_the_month_skips_spring_and_summer_bank_holidays():
    sessions = occurrences(monthly_rule(-1, "MO"), date(2027, 5, 1), date(2027, 8, 31))
    moved = [(o.planned_on, o.held_on) for o in sessions if o.moved]
    assert moved == [(date(2027, 5, 31), date(2027, 6, 1)), (date(2027, 8, 30), date(2027, 8, 31))]


def test_a_friday_series_moves_good_friday_past_easter_monday():
    sessions = occurrences(monthly_rule(1, "FR"), date(2026, 4, 1), date(2026, 4, 30))
    assert [(o.planned_on, o.held_on) for o in sessions] == [(date(2026, 4, 3), date(2026, 4, 7))]


def test_an_impossible_rule_is_refused():
    with pytest.raises(ValueError, match="Choose which weekday"):
        monthly_rule(5, "TU")
