"""The retention schedule: how long each kind of record is kept, what happens then, and why."""

from sqlalchemy import select

from moderation.extensions import db
from moderation.models import RecordKind, RetentionRule

# What happens at the end of each kind's period, in the words the schedule page shows.
WHAT_HAPPENS = {
    RecordKind.DISPUTES: "Anonymised: the child's details and the free text are removed; the "
                         "record stays for the figures",
    RecordKind.DOCUMENTS: "Deleted when their dispute is anonymised",
    RecordKind.MINUTES: "Kept, with the child's initials only",
    RecordKind.NOTIFICATIONS: "Deleted",
    RecordKind.SIGN_IN_SESSIONS: "Ended, then nothing is kept but the user's current token",
    RecordKind.AUDIT_EVENTS: "Deleted in whole months",
}


def rules():
    """Every kind's rule, in the schedule's order."""
    return db.session.scalars(select(RetentionRule).order_by(RetentionRule.position)).all()


def rule(kind):
    return db.session.get(RetentionRule, RecordKind(kind).value)


def add_years(day, years):
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def dispute_due_on(closed_on, child_dob, disputes_rule):
    """The day a closed dispute is anonymised: its period after closing, or the child's
    birthday at the rule's age, whichever is later."""
    after_closing = add_years(closed_on, disputes_rule.keep_for)
    if child_dob is None or disputes_rule.until_age is None:
        return after_closing
    return max(after_closing, add_years(child_dob, disputes_rule.until_age))
