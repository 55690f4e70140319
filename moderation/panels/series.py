"""Dates of monthly panel sessions: "second Tuesday of each month at 10:00".

A series is an RFC 5545 recurrence rule (dateutil's rrule). A date that falls on a bank holiday
moves to the next working day, and says so.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from dateutil.rrule import FR, MO, MONTHLY, TH, TU, WE, rrule, rrulestr

from moderation.calendar import DEFAULT_REGION, next_working_day
from moderation.web.formatting import format_date

POSITIONS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
WEEKDAYS = {"MO": ("Monday", MO), "TU": ("Tuesday", TU), "WE": ("Wednesday", WE),
            "TH": ("Thursday", TH), "FR": ("Friday", FR)}


def monthly_rule(position, weekday):
    """The recurrence rule for, e.g., the second (2) Tuesday ("TU") of each month."""
    if position not in POSITIONS or weekday not in WEEKDAYS:
        raise ValueError("Choose which weekday of the month")
    return str(rrule(MONTHLY, byweekday=WEEKDAYS[weekday][1](position))).split("\n")[-1]


def describe(position, weekday):
    return f"{POSITIONS[position]} {WEEKDAYS[weekday][0]} of each month"


@dataclass(frozen=True)
class Occurrence:
    planned_on: date  # the date the rule gives
    held_on: date  # the working day the session is held

    @property
    def moved(self):
        return self.planned_on != self.held_on

    @property
    def note(self):
        if not self.moved:
            return None
        return (f"Moved from {format_date(self.planned_on)} (a bank holiday) "
                f"to {format_date(self.held_on)}")


def occurrences(rule, start, end, region=DEFAULT_REGION):
    """Each session date of the series from `start` to `end` inclusive."""
    recurrence = rrulestr(rule, dtstart=datetime.combine(start, time()))
    planned = recurrence.between(
        datetime.combine(start, time()), datetime.combine(end, time()), inc=True
    )
    return [Occurrence(day.date(), next_working_day(day.date(), region)) for day in planned]
