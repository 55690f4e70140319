"""Working days and hours: the only home of working-time arithmetic in the application.

Working days skip Saturdays, Sundays and bank holidays, substitute days included, taken from the
`holidays` package. Every function works on `datetime.date`, needs no application context, and
takes an optional `region` (England and Wales by default; Scotland and Northern Ireland have
different bank holidays). The app passes its configured region. The app's clock (`today()`)
and region (`region()`) live here too, so every clock in the application reads the same day.
Working hours (`working_hours_between`) take aware datetimes and count office hours, UK time;
`urgent_due_at` is the moment an urgent stage is due.
"""

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

ENGLAND_AND_WALES = "england-and-wales"
SCOTLAND = "scotland"
NORTHERN_IRELAND = "northern-ireland"
REGIONS = {ENGLAND_AND_WALES: "ENG", SCOTLAND: "SCT", NORTHERN_IRELAND: "NIR"}
DEFAULT_REGION = ENGLAND_AND_WALES

_ONE_DAY = timedelta(days=1)
UK = ZoneInfo("Europe/London")
# Office hours, UK wall-clock time, in which the urgent route's stages are answered: out of hours
# the emergency duty team acts on a child at immediate risk, not the route's managers, so those
# hours are not counted against a stage.
OFFICE_OPENS = time(9, 0)
OFFICE_CLOSES = time(17, 0)
_OFFICE_DAY_SECONDS = (datetime.combine(date.min, OFFICE_CLOSES)
                       - datetime.combine(date.min, OFFICE_OPENS)).total_seconds()


def today():
    """Today's date in the UK, where the working-day clocks run."""
    return datetime.now(UK).date()


def add_years(day, years):
    """The same day `years` later (earlier, if negative); 29 February becomes 28 February in a
    common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def region():
    """The bank-holiday region the app is configured for."""
    from flask import current_app

    return current_app.config["BANK_HOLIDAY_REGION"]


@lru_cache(maxsize=256)
def _weekday_holidays(region, year):
    """The bank holidays of one year that fall Monday to Friday, sorted."""
    if region not in REGIONS:
        raise ValueError(f"Unknown bank holiday region {region!r}: use one of {', '.join(REGIONS)}")
    calendar = holidays.country_holidays("GB", subdiv=REGIONS[region], years=year)
    return tuple(sorted(day for day in calendar if day.weekday() < 5))


def bank_holidays(year, region=DEFAULT_REGION):
    """The year's bank holidays that fall on weekdays (substitute days included)."""
    return _weekday_holidays(region, year)


def is_working_day(day, region=DEFAULT_REGION):
    return day.weekday() < 5 and day not in _weekday_holidays(region, day.year)


def next_working_day(day, region=DEFAULT_REGION):
    """`day` itself if it is a working day, otherwise the first working day after it."""
    while not is_working_day(day, region):
        day += _ONE_DAY
    return day


def add_working_days(start, n, region=DEFAULT_REGION):
    """The date `n` working days after `start` (before it, if `n` is negative).

    `start` itself is not counted, so a stage opened on Friday with 2 working days is due on the
    Tuesday after; `n` of 0 gives `start` unchanged.
    """
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    day, remaining = start, abs(n)
    while remaining:
        day += step
        if is_working_day(day, region):
            remaining -= 1
    return day


def working_days_between(start, end, region=DEFAULT_REGION):
    """The number of working days after `start` up to and including `end`.

    Negative when `end` is before `start`, so the result reads as "days remaining" one way and
    "days overdue" the other.
    """
    if end < start:
        return -working_days_between(end, start, region)
    weekdays = _weekdays_up_to(end) - _weekdays_up_to(start)
    return weekdays - _holidays_after_up_to(start, end, region)


def working_hours_between(start, end, region=DEFAULT_REGION):
    """Office hours (OFFICE_OPENS to OFFICE_CLOSES, UK time) on working days from `start` to
    `end`, two aware datetimes, in hours to two decimal places (under a minute); 0 when `end`
    is not after `start`. Wall-clock office hours, so a day of a clock change still has
    eight of them."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("Working hours need aware datetimes")
    if end <= start:
        return 0.0
    start, end = start.astimezone(UK), end.astimezone(UK)
    first, last = start.date(), end.date()
    if first == last:
        seconds = _office_seconds(first, start, end, region)
    else:
        whole_days = working_days_between(first, last - _ONE_DAY, region)
        seconds = (_office_seconds(first, start, None, region)
                   + whole_days * _OFFICE_DAY_SECONDS
                   + _office_seconds(last, None, end, region))
    return round(seconds / 3600, 2)


def urgent_due_at(opened_at, due_time, region=DEFAULT_REGION):
    """When an urgent stage opened at `opened_at` (aware) is due: `due_time` (UK wall clock, the
    end of the office day) on the day it opened, if that is a working day and the time has not
    passed; else `due_time` on the next working day. So a stage never opens already due, and one
    that runs out at the end of the day opens its successor due the next working day."""
    local = opened_at.astimezone(UK)
    day = local.date()
    if not is_working_day(day, region) or local.time() >= due_time:
        day = next_working_day(day + _ONE_DAY, region)
    return datetime.combine(day, due_time, tzinfo=UK)


def _office_seconds(day, start, end, region):
    """Seconds of `day`'s office hours between `start` and `end` (None: the whole day)."""
    if not is_working_day(day, region):
        return 0
    opens = datetime.combine(day, OFFICE_OPENS, tzinfo=UK)
    closes = datetime.combine(day, OFFICE_CLOSES, tzinfo=UK)
    # Aware datetimes in one zone subtract by wall clock: subtract in UTC to be exact.
    later = max(opens, start) if start else opens
    earlier = min(closes, end) if end else closes
    return max(0.0, (earlier.astimezone(UTC) - later.astimezone(UTC)).total_seconds())


def _weekdays_up_to(day):
    # Day 1 of the proleptic Gregorian calendar (1 January 1 AD) was a Monday.
    weeks, days = divmod(day.toordinal(), 7)
    return weeks * 5 + min(days, 5)


def _holidays_after_up_to(start, end, region):
    count = 0
    for year in range(start.year, end.year + 1):
        days = _weekday_holidays(region, year)
        count += bisect_right(days, end) - bisect_left(days, start + _ONE_DAY)
    return count


__all__ = [
    "DEFAULT_REGION",
    "ENGLAND_AND_WALES",
    "NORTHERN_IRELAND",
    "OFFICE_CLOSES",
    "OFFICE_OPENS",
    "REGIONS",
    "SCOTLAND",
    "add_working_days",
    "bank_holidays",
    "is_working_day",
    "next_working_day",
    "urgent_due_at",
    "working_days_between",
    "working_hours_between",
]
