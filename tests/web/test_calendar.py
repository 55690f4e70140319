"""Working days around Christmas, New Year, Easter and substitute days, in several years; and
the urgent route's working hours (09:00 to 17:00 UK time on working days)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from moderation.calendar import (
    NORTHERN_IRELAND,
    SCOTLAND,
    add_working_days,
    bank_holidays,
    is_working_day,
    next_working_day,
    working_days_between,
    working_hours_between,
)

LONDON = ZoneInfo("Europe/London")


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


def _uk(*parts):
    return datetime(*parts, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        # The same day, inside office hours.
        (_uk(2026, 11, 23, 9, 30), _uk(2026, 11, 23, 13, 15), 3.75),
        # Across a night: 16:00 to 17:00 Monday, then 09:00 to 10:30 Tuesday.
        (_uk(2026, 11, 23, 16, 0), _uk(2026, 11, 24, 10, 30), 2.5),
        # Across a weekend: Friday 15:00 to Monday 11:00 counts Friday's 2 and Monday's 2.
        (_uk(2026, 11, 27, 15, 0), _uk(2026, 11, 30, 11, 0), 4),
        # Across a bank holiday: Friday 1 May 16:00 to Tuesday 09:30; Monday 4 May 2026 is off.
        (_uk(2026, 5, 1, 16, 0), _uk(2026, 5, 5, 9, 30), 1.5),
        # Across Good Friday and Easter Monday 2026: Thursday 16:00 to Tuesday 10:00.
        (_uk(2026, 4, 2, 16, 0), _uk(2026, 4, 7, 10, 0), 2),
        # Whole working days in between count eight hours each (Tuesday and Wednesday).
        (_uk(2026, 11, 23, 16, 0), _uk(2026, 11, 26, 10, 0), 18),
        # Raised at night, answered next morning: only the office hours count.
        (_uk(2026, 11, 23, 20, 0), _uk(2026, 11, 24, 10, 30), 1.5),
        # Raised before the office opens, answered the same morning.
        (_uk(2026, 11, 23, 6, 0), _uk(2026, 11, 23, 9, 45), 0.75),
        # Raised on a Saturday, answered on Monday.
        (_uk(2026, 11, 28, 11, 0), _uk(2026, 11, 30, 12, 0), 3),
        # Wholly outside office hours: none.
        (_uk(2026, 11, 23, 17, 30), _uk(2026, 11, 24, 8, 59), 0),
        (_uk(2026, 11, 28, 10, 0), _uk(2026, 11, 29, 16, 0), 0),
        # Twenty minutes: two decimal places.
        (_uk(2026, 11, 23, 10, 0), _uk(2026, 11, 23, 10, 20), 0.33),
    ],
)
def test_working_hours_between(start, end, hours):
    assert working_hours_between(start, end) == hours


def test_working_hours_run_on_uk_office_hours_whatever_the_zone_given():
    # 10:00 UTC in July is 11:00 BST: the office has been open two hours, not one.
    assert working_hours_between(datetime(2026, 7, 6, 8, 0, tzinfo=UTC),
                                 datetime(2026, 7, 6, 10, 0, tzinfo=UTC)) == 2
    # In January UTC is UK time.
    assert working_hours_between(datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
                                 datetime(2026, 1, 5, 10, 0, tzinfo=UTC)) == 1


def test_working_hours_across_the_change_from_gmt_to_bst_and_back():
    # Clocks go forward at 01:00 GMT on Sunday 29 March 2026: Friday 16:00 GMT to Monday
    # 10:00 BST is one hour on Friday and one on Monday, though 65 hours pass in all.
    friday, monday = _uk(2026, 3, 27, 16, 0), _uk(2026, 3, 30, 10, 0)
    assert (monday - friday).total_seconds() != (monday.astimezone(UTC)
                                                 - friday.astimezone(UTC)).total_seconds()
    assert working_hours_between(friday, monday) == 2
    # Back at 02:00 BST on Sunday 25 October 2026, given in UTC as stored.
    assert working_hours_between(datetime(2026, 10, 23, 15, 0, tzinfo=UTC),   # 16:00 BST
                                 datetime(2026, 10, 26, 10, 0, tzinfo=UTC)) == 2  # 10:00 GMT
    # A whole office day either side of a change is eight hours.
    assert working_hours_between(_uk(2026, 3, 27, 9, 0), _uk(2026, 3, 30, 17, 0)) == 16


def test_working_hours_are_none_when_the_end_is_not_after_the_start():
    moment = _uk(2026, 11, 23, 10, 0)
    assert working_hours_between(moment, moment) == 0
    assert working_hours_between(moment, moment - timedelta(hours=3)) == 0


def test_working_hours_follow_the_region_s_bank_holidays():
    # 2 January 2026 is a bank holiday in Scotland only.
    start, end = _uk(2026, 1, 1, 12, 0), _uk(2026, 1, 5, 10, 0)
    assert working_hours_between(start, end) == 9   # Friday 2nd, then 1 on Monday
    assert working_hours_between(start, end, region=SCOTLAND) == 1


def test_working_hours_need_aware_datetimes():
    with pytest.raises(ValueError, match="aware"):
        working_hours_between(datetime(2026, 11, 23, 9), _uk(2026, 11, 23, 10))


def test_working_hours_agree_with_counting_minute_by_minute():
    start = _uk(2026, 3, 26, 7, 10).astimezone(UTC)  # real minutes, across the clock change
    for offset in range(0, 7 * 24 * 60, 97):
        end = start + timedelta(minutes=offset)
        counted = sum(_in_office(start + timedelta(minutes=m)) for m in range(offset))
        assert working_hours_between(start, end) == round(counted / 60, 2), end


def _in_office(moment):
    local = moment.astimezone(LONDON)
    return is_working_day(local.date()) and 9 <= local.hour < 17
