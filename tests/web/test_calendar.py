"""Working days around Christmas, New Year, Easter and substitute days, in several years."""

from datetime import date, timedelta

import pytest

from moderation.calendar import (
    NORTHERN_IRELAND,
    SCOTLAND,
    add_working_days,
    bank_holidays,
    is_working_day,
    next_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (date(2026, 11, 23), 2, date(2026, 11, 25)),   # Monday + 2: Wednesday
        (date(2026, 11, 27), 2, date(2026, 12, 1)),    # Friday + 2: skips the weekend
        (date(2026, 11, 28), 2, date(2026, 12, 1)),    # raised on a Saturday
        (date(2026, 12, 24), 1, date(2026, 12, 29)),   # Boxing Day on Saturday: Monday 28th off
        (date(2027, 12, 24), 1, date(2027, 12, 29)),   # Christmas at a weekend: 27th, 28th off
        (date(2021, 12, 31), 1, date(2022, 1, 4)),     # New Year's Day on Saturday: 3 Jan off
        (date(2026, 4, 2), 1, date(2026, 4, 7)),       # Good Friday and Easter Monday 2026
        (date(2025, 4, 17), 2, date(2025, 4, 23)),     # Easter 2025
        (date(2022, 9, 16), 1, date(2022, 9, 20)),     # the Queen's state funeral, 19 Sept 2022
        (date(2023, 5, 5), 1, date(2023, 5, 9)),       # the Coronation bank holiday, 8 May 2023
        (date(2020, 5, 7), 1, date(2020, 5, 11)),      # early May holiday moved to VE Day, 2020
        (date(2026, 11, 23), 0, date(2026, 11, 23)),
    ],
)
def test_add_working_days(start, n, due):
    assert add_working_days(start, n) == due


def test_add_negative_working_days_counts_back():
    assert add_working_days(date(2026, 12, 29), -1) == date(2026, 12, 24)
    assert add_working_days(date(2026, 11, 30), -5) == date(2026, 11, 23)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 23)),   # a working Monday is itself
        (date(2026, 11, 28), date(2026, 11, 30)),   # Saturday
        (date(2026, 12, 25), date(2026, 12, 29)),   # Christmas, Saturday, substitute Monday
        (date(2027, 1, 1), date(2027, 1, 4)),       # New Year's Day on a Friday
        (date(2026, 4, 3), date(2026, 4, 7)),       # Good Friday to after Easter Monday
    ],
)
def test_next_working_day(day, expected):
    assert next_working_day(day) == expected


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (date(2026, 11, 23), date(2026, 11, 23), 0),
        (date(2026, 11, 23), date(2026, 11, 24), 1),
        (date(2026, 11, 20), date(2026, 11, 23), 1),    # Friday to Monday
        (date(2026, 12, 24), date(2027, 1, 4), 4),      # 29th, 30th, 31st; 1 Jan off; then 4th
        (date(2026, 4, 2), date(2026, 4, 7), 1),        # Easter
        (date(2026, 1, 1), date(2026, 12, 31), 253),    # 260 weekdays after 1 Jan - 7 holidays
        (date(2026, 11, 25), date(2026, 11, 23), -2),   # overdue reads negative
    ],
)
def test_working_days_between(start, end, count):
    assert working_days_between(start, end) == count


def test_counting_agrees_with_stepping_over_several_years():
    start = date(2019, 12, 20)
    for offset in range(0, 2000, 37):
        end = start + timedelta(days=offset)
        stepped = sum(
            is_working_day(start + timedelta(days=i)) for i in range(1, offset + 1)
        )
        assert working_days_between(start, end) == stepped, end


def test_adding_then_counting_round_trips():
    start = date(2026, 12, 18)
    for n in range(0, 40):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_scotland_and_northern_ireland_have_their_own_holidays():
    assert is_working_day(date(2026, 1, 2))                       # England and Wales
    assert not is_working_day(date(2026, 1, 2), region=SCOTLAND)
    assert is_working_day(date(2026, 4, 6), region=SCOTLAND)       # no Easter Monday there
    assert not is_working_day(date(2026, 3, 17), region=NORTHERN_IRELAND)
    assert not is_working_day(date(2026, 7, 13), region=NORTHERN_IRELAND)  # Twelfth, substitute


def test_bank_holidays_of_england_and_wales_2026():
    assert bank_holidays(2026) == (
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
        date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
    )


def test_an_unknown_region_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown bank holiday region 'wales-only'"):
        add_working_days(date(2026, 1, 5), 1, region="wales-only")
