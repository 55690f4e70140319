"""The retention schedule: how long each kind of record is kept, what happens then, and why."""

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from moderation.calendar import add_years
from moderation.extensions import db
from moderation.models import PeriodUnit, RecordKind, RetentionRule, RetentionRun
from moderation.models.types import utcnow
from moderation.web import audit
from moderation.web import text as text_rules
from moderation.web.boundary import Refusal, every_answer
from moderation.web.formatting import format_date
from moderation.web.words import count

# What happens at the end of each kind's period, in the words the schedule page shows.
WHAT_HAPPENS = {
    RecordKind.DISPUTES: "Anonymised: the child's details and the free text are removed; the "
                         "record stays for the figures",
    RecordKind.INACTIVE_DISPUTES: "Listed for the partnership manager, who withdraws each one "
                                  "(it is then kept as a closed dispute is) or holds it",
    RecordKind.DOCUMENTS: "Deleted when their dispute is anonymised",
    RecordKind.MINUTES: "Kept, with the child's initials only",
    RecordKind.NOTIFICATIONS: "Deleted",
    RecordKind.SIGN_IN_SESSIONS: "Ended, then nothing is kept but the user's current token",
    RecordKind.AUDIT_EVENTS: "Deleted in whole months",
}


def rules():
    """Every kind's rule, in the schedule's order."""
    return db.session.scalars(select(RetentionRule).options(joinedload(RetentionRule.updated_by))
                              .order_by(RetentionRule.position)).all()


def rule(kind):
    return db.session.get(RetentionRule, RecordKind(kind).value)


def dispute_due_on(closed_on, child_age_from, disputes_rule):
    """The day a closed dispute is anonymised: its period after closing, or the child's
    birthday at the rule's age, whichever is later. An open dispute has no closing day: it is
    due at that birthday alone (anonymise.py withdraws it first)."""
    after_closing = add_years(closed_on, disputes_rule.keep_for)
    if child_age_from is None or disputes_rule.until_age is None:
        return after_closing
    return max(after_closing, add_years(child_age_from, disputes_rule.until_age))


# Changing a rule -------------------------------------------------------------------------------

# The records of each kind, as the reason's error message names them.
NOUNS = {
    RecordKind.DISPUTES: "disputes",
    RecordKind.INACTIVE_DISPUTES: "open disputes with no activity",
    RecordKind.DOCUMENTS: "documents",
    RecordKind.MINUTES: "minutes",
    RecordKind.NOTIFICATIONS: "notifications",
    RecordKind.SIGN_IN_SESSIONS: "sign-in sessions",
    RecordKind.AUDIT_EVENTS: "audit events",
}
# The longest period anyone could mean: a larger number is a typing mistake.
LONGEST = {PeriodUnit.YEARS: 100, PeriodUnit.MONTHS: 1200}
YOUNGEST_AGE, OLDEST_AGE = 18, 100
REASON_LIMIT = 2000
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def has_period(rule):
    """Whether the partnership sets how long this kind is kept (the others follow another)."""
    return rule.unit is not None


def has_age(rule):
    return rule.record_kind is RecordKind.DISPUTES


def change(rule, actor, *, keep_for=None, until_age=None, reason=None):
    """Set a kind's period (where it has one), the child's age (disputes) and the reason, each
    checked as typed: one refusal names every field to put right and nothing changes. Audited
    with the values before and after. Returns True when records will now go sooner: the next
    nightly retention run applies that to those already past the new period."""
    before = _terms(rule)
    after = every_answer({
        "keep_for": lambda: _period(rule, keep_for) if has_period(rule) else rule.keep_for,
        "until_age": lambda: _age(until_age) if has_age(rule) else rule.until_age,
        "reason": lambda: _reason(rule, reason),
    })
    for name, value in after.items():
        setattr(rule, name, value)
    rule.updated_at, rule.updated_by_id = utcnow(), actor.id
    audit.record("retention_rule_changed", object_type="retention_rule", object_id=rule.kind,
                 actor=actor, before=before, after=after)
    db.session.flush()
    return _shorter(before, after)


def _terms(rule):
    return {"keep_for": rule.keep_for, "until_age": rule.until_age, "reason": rule.reason}


def _shorter(before, after):
    return any(before[name] is not None and after[name] is not None
               and after[name] < before[name] for name in ("keep_for", "until_age"))


def _period(rule, typed):
    what = f"number of {PeriodUnit(rule.unit).label}"
    longest = LONGEST[PeriodUnit(rule.unit)]
    number = _whole_number(typed, "keep_for", f"Enter the {what}",
                           f"The {what} must be a whole number, like {rule.keep_for or 1}")
    if number < 1:
        raise Refusal(f"The {what} must be 1 or more", "keep_for")
    if number > longest:
        raise Refusal(f"The {what} must be {longest:,} or fewer", "keep_for")
    return number


def _age(typed):
    number = _whole_number(typed, "until_age", "Enter the child's age, like 25",
                           "The child's age must be a whole number, like 25")
    if not YOUNGEST_AGE <= number <= OLDEST_AGE:
        raise Refusal(f"The child's age must be between {YOUNGEST_AGE} and {OLDEST_AGE}",
                      "until_age")
    return number


def _whole_number(typed, field, empty, invalid):
    text = "" if typed is None else str(typed).strip()
    if not text:
        raise Refusal(empty, field)
    if not WHOLE_NUMBER.fullmatch(text):
        raise Refusal(invalid, field)
    return int(text)


def _reason(rule, typed):
    if rule.record_kind is RecordKind.INACTIVE_DISPUTES:
        return typed_reason(typed, "Enter why an open dispute is listed after this long with no "
                                   "activity")
    return typed_reason(typed, f"Enter why the partnership keeps {NOUNS[rule.record_kind]} "
                               "this long")


def typed_reason(typed, empty):
    """A reason as typed, trimmed: refused on the "reason" field with `empty` when there is
    none, when it is too long, and when it holds a control character (rule 19). (A rule's
    reason, a hold's, a release's and a withdrawal's.)"""
    text = (typed or "").strip()
    if not text:
        raise Refusal(empty, "reason")
    if len(text) > REASON_LIMIT:
        raise Refusal(f"The reason must be {REASON_LIMIT:,} characters or fewer", "reason")
    if text_rules.holds_control(text):  # rule 19, for reasons typed outside a form too
        raise Refusal(text_rules.message_for("The reason"), "reason")
    return text


def shorter_means(rule):
    """What a shorter period does, as the change page warns and its banner says."""
    if rule.record_kind is RecordKind.INACTIVE_DISPUTES:
        return "the open disputes already past it are listed for review at once"
    return "the next nightly retention run applies it to records already past it"


def shorter_warning(rule):
    """The change page's warning about a shorter period."""
    if rule.record_kind is RecordKind.INACTIVE_DISPUTES:
        return ("A shorter period lists at once the open disputes already past it, for you to "
                "withdraw or hold.")
    return ("A shorter period applies at the next nightly retention run: records already past "
            "it are then anonymised or deleted, and cannot be restored.")


# The schedule in words -------------------------------------------------------------------------


def period_in_words(number, unit):
    """'1 year', '6 years', '12 months'."""
    word = PeriodUnit(unit).label
    return count(number, word.removesuffix("s"))


def kept_for(rule, session_lifetime):
    """How long a kind is kept, as the schedule page says it. Sign-in sessions last as long as
    the app's `session_lifetime` (a timedelta) says, not as the rule says."""
    kind = rule.record_kind
    if kind is RecordKind.DISPUTES:
        after = f"{period_in_words(rule.keep_for, rule.unit)} after the dispute closed"
        return f"{after}, or until the child is {rule.until_age} if later" if rule.until_age \
            else after
    if kind is RecordKind.INACTIVE_DISPUTES:
        return (f"Open until the partnership manager withdraws it: listed for them after "
                f"{period_in_words(rule.keep_for, rule.unit)} with no activity")
    if kind is RecordKind.SIGN_IN_SESSIONS:
        return f"{_hours(session_lifetime)} after the last page viewed"
    if has_period(rule):
        return period_in_words(rule.keep_for, rule.unit)
    return KEPT_WITHOUT_A_PERIOD[kind]


KEPT_WITHOUT_A_PERIOD = {
    RecordKind.DOCUMENTS: "Until their dispute is anonymised",
    RecordKind.MINUTES: "Permanently: they are the partnership's record of the panel's decisions",
}


def _hours(lifetime):
    hours = int(lifetime.total_seconds() // 3600)
    if hours < 1:
        minutes = int(lifetime.total_seconds() // 60)
        return count(minutes, "minute")
    return count(hours, "hour")


# The retention job's runs ----------------------------------------------------------------------

# What a run's counts say, in the order the report lists them: (key, one, many).
RUN_COUNTS = [
    ("disputes_anonymised", "dispute anonymised", "disputes anonymised"),
    ("open_withdrawn", "of them an open dispute, withdrawn first: the child is past the "
                       "schedule's age",
     "of them open disputes, withdrawn first: the children are past the schedule's age"),
    ("held_skipped", "dispute due but on legal hold, so kept",
     "disputes due but on legal hold, so kept"),
    ("panel_waiting", "open dispute due but on the agenda of a panel still to meet, so kept "
                      "until it has met",
     "open disputes due but on the agenda of a panel still to meet, so kept until it has met"),
    ("documents_deleted", "document deleted", "documents deleted"),
    ("notifications_deleted", "notification deleted", "notifications deleted"),
    ("emails_deleted", "email deleted from the outbox", "emails deleted from the outbox"),
    ("audit_events_deleted", "audit event deleted", "audit events deleted"),
]


def runs_page(page, per_page):
    """A page of the retention job's runs, newest first, with who ran each."""
    query = (select(RetentionRun).options(joinedload(RetentionRun.run_by))
             .order_by(RetentionRun.started_at.desc(), RetentionRun.id.desc()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


# Said only when there are some: most runs withdraw nothing and wait for no panel.
SAID_WHEN_SOME = {"open_withdrawn", "panel_waiting"}


def counts_in_words(counts):
    """What a run did, or would do, a line per count (a count not reported is 0)."""
    counts = counts or {}
    lines = []
    for key, one, many in RUN_COUNTS:
        number = _count(counts.get(key))
        if number or key not in SAID_WHEN_SOME:
            lines.append(count(number, one, many))
    before = _day(counts.get("audit_deleted_before"))
    if before and _count(counts.get("audit_events_deleted")):
        lines[-1] += f", all from before {format_date(before)}"
    return lines


def _count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _day(value):
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
