"""Rule 13: typed text for learning summaries and minutes must not identify a child.

A pure check over text and the identifiers of the children in scope (the caller decides which
children those are): a child's full name or surname, on word boundaries and in any case; their
date of birth in any common format; or their case number. No database here but in
`refuse_on_agenda`, which reads the children of a session's agenda, so the rule is tested on its
own.
"""

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from moderation.extensions import db
from moderation.models import AgendaItem, Dispute
from moderation.web.boundary import Refusal

MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(\d{4}|\d{2})"
_GAP = r"[\s./-]+"
# Each pattern's groups, in order, name the day (d), month (m) and year (y) it captures.
DATE_PATTERNS = [
    (re.compile(rf"\b{_DAY}(?:\s+of)?{_GAP}{_MONTH},?{_GAP}{_YEAR}\b", re.I), "dmy"),
    (re.compile(rf"\b{_MONTH}{_GAP}{_DAY},?{_GAP}{_YEAR}\b", re.I), "mdy"),
    (re.compile(r"\b(\d{4})([./-])(\d{1,2})\2(\d{1,2})\b"), "y_md"),
    # 05/06/2015 is 5 June in the UK; it is refused if either reading is the birthday.
    (re.compile(r"\b(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})\b"), "d_my"),
]
SHORTEST_CASE_NUMBER = 4  # shorter ones ("12") would refuse every text holding that number


@dataclass(frozen=True)
class Child:
    name: str | None  # None once anonymised
    dob: date | None = None
    case_number: str | None = None


def message(label):
    """The GOV.UK error for a refused text, e.g. 'Vignette 2 must not contain…'."""
    return f"{label} must not contain a child's name, date of birth or case number"


class ChildIdentifiers:
    """The identifiers of the children in scope, ready to look for in any number of texts."""

    def __init__(self, children):
        self.names = set()
        self.case_numbers = set()
        self.birthdays = set()
        for child in children:
            self._add(child)

    def _add(self, child):
        # An anonymised child has no details left to look for: every field is None.
        words = (child.name or "").split()
        for name in (" ".join(words), words[-1] if words else ""):
            tokens = _letters(name)
            if sum(map(len, tokens)) > 1:  # an initial alone identifies no one
                self.names.add(tokens)
        number = _alphanumerics(child.case_number or "")
        if len("".join(number)) >= SHORTEST_CASE_NUMBER:
            self.case_numbers.update({number, ("".join(number),)})
        if child.dob:
            self.birthdays.add((child.dob.day, child.dob.month, child.dob.year))

    def found_in(self, text):
        """True if the text holds a child's name, date of birth or case number."""
        text = text or ""
        return (_holds(_letters(text), self.names)
                or _holds(_alphanumerics(text), self.case_numbers)
                or any(self._is_birthday(*found) for found in _dates(text)))

    def _is_birthday(self, day, month, year):
        return any((day, month) == (d, m) and (year == y or (year < 100 and year == y % 100))
                   for d, m, y in self.birthdays)


def first_refused(keyed_texts, identifiers):
    """The key of the first text that identifies a child, or None.

    `keyed_texts`: (key, text) pairs in the order the page shows them."""
    return next((key for key, text in keyed_texts if identifiers.found_in(text)), None)


def refusal(fields, identifiers):
    """(message, field id) for the first field whose text identifies a child, or None.

    `fields`: (label, field id, text) for each field, in the order the page shows them."""
    refused = first_refused((((label, field), text) for label, field, text in fields),
                            identifiers)
    return (message(refused[0]), refused[1]) if refused else None


def refuse_on_agenda(session, fields):
    """Rule 13 for everything that goes into a panel session's minutes (vote reasons, conflicts,
    deferrals, decisions, actions, the chair's text): refuse the first of `fields` ((label, field
    id, text), in the order the page shows them) that identifies a child on its agenda."""
    children = db.session.execute(
        select(Dispute.child_name, Dispute.child_dob, Dispute.child_case_number)
        .join(AgendaItem, AgendaItem.dispute_id == Dispute.id)
        .where(AgendaItem.session_id == session.id, Dispute.anonymised_on.is_(None)))
    refused = refusal(fields, ChildIdentifiers(Child(*row) for row in children))
    if refused:
        raise Refusal(*refused)


def _letters(text):
    # Names compare word by word, ignoring case, apostrophes and hyphens: "O'Brien" is
    # ("o", "brien"), and "Example's" holds the word "example".
    return tuple(re.findall(r"[^\W\d_]+", text.casefold()))


def _alphanumerics(text):
    return tuple(re.findall(r"[^\W_]+", text.casefold()))


def _holds(words, phrases):
    """True if any phrase (a tuple of words) occurs in `words` as consecutive words."""
    if not phrases:
        return False
    longest = max(map(len, phrases))
    return any(words[start:start + size] in phrases
               for start in range(len(words)) for size in range(1, longest + 1))


def _dates(text):
    """(day, month, year) for every date written in the text; both readings of 05/06/2015."""
    for pattern, order in DATE_PATTERNS:
        for match in pattern.finditer(text):
            groups = match.groups()
            if order == "dmy":
                yield int(groups[0]), MONTHS[groups[1].lower()], int(groups[2])
            elif order == "mdy":
                yield int(groups[1]), MONTHS[groups[0].lower()], int(groups[2])
            elif order == "y_md":
                yield int(groups[3]), int(groups[2]), int(groups[0])
            else:
                first, second, year = int(groups[0]), int(groups[2]), int(groups[3])
                yield first, second, year
                yield second, first, year
