"""A child's details as a referrer types them: the one home of the rules a child's name, date of
birth and expected date of delivery keep (#25). The forms' validators and the services both ask
these functions, so a page and a service refuse the same thing with the same words.

A dispute is about a child: born within the last 18 years and not in the future, or unborn, due
within about a pregnancy's length from today. A name needs two letters at least: one letter
identifies no one, and a name of punctuation alone ("<<") is no name. When the birth is
recorded, the date of birth must be near the expected date: from 20 weeks before it (a very
premature birth) to 6 weeks after it (a pregnancy runs to 42 weeks at most), and not in the
future.
"""

from datetime import timedelta

from wtforms.validators import StopValidation

from moderation.calendar import add_years
from moderation.web.formatting import format_date

ADULT_AGE = 18
# An expected date already passed by more than this is a child who has probably been born; one
# further ahead than a whole pregnancy is a mistyped year.
DUE_PASSED = timedelta(weeks=4)
DUE_AHEAD = timedelta(weeks=42)
BORN_EARLY = timedelta(weeks=20)
BORN_LATE = timedelta(weeks=6)
FEWEST_LETTERS = 2


def name_problem(name, label="The child's full name"):
    """The error for a name with fewer than two letters, or None."""
    if sum(c.isalpha() for c in name or "") < FEWEST_LETTERS:
        return f"{label} must have at least {FEWEST_LETTERS} letters"
    return None


def dob_problem(dob, on, label="The child's date of birth"):
    """The error for a date of birth in the future, or of someone 18 or over on `on`."""
    if dob > on:
        return f"{label} must be today or in the past"
    adult_if_born_by = add_years(on, -ADULT_AGE)
    if dob <= adult_if_born_by:
        return (f"{label} must be after {format_date(adult_if_born_by)}: this service is for "
                "children under 18")
    return None


def due_problem(due, on):
    """The error for an expected date of delivery long passed or too far ahead, or None."""
    earliest, latest = on - DUE_PASSED, on + DUE_AHEAD
    if due < earliest:
        return (f"The expected date of delivery must be after {format_date(earliest)}. If the "
                "child has been born, enter their date of birth instead")
    if due > latest:
        return f"The expected date of delivery must be before {format_date(latest)}"
    return None


def birth_problem(dob, due, on):
    """The error for a recorded birth: in the future, or too far from the expected date."""
    if dob > on:
        return "The date of birth must be today or in the past"
    earliest, latest = due - BORN_EARLY, min(due + BORN_LATE, on)
    if not earliest <= dob <= latest:
        return (f"The date of birth must be between {format_date(earliest)} and "
                f"{format_date(latest)}, near the expected date of delivery "
                f"({format_date(due)})")
    return None


class ChildName:
    """The form's validator for a child's name: two letters at least (name_problem)."""

    def __init__(self, label="The child's full name"):
        self.label = label

    def __call__(self, form, field):
        problem = name_problem(field.data, self.label) if (field.data or "").strip() else None
        if problem:
            raise StopValidation(problem)


def born_or_due(dob, due):
    """How a page or paper reads the child's date: "12 March 2019", or, unborn, "Unborn, due
    14 June 2027"; empty when neither is held (anonymised)."""
    if due is not None:
        return f"Unborn, due {format_date(due)}"
    return format_date(dob) if dob is not None else ""
