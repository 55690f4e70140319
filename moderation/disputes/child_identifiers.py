"""Rule 13: typed text the product keeps must not identify a child.

Two checks, both here. The pure one looks for the identifiers of the children in scope (the
caller says which: an agenda's, a period's, a held dispute's): a child's full name or surname,
on word boundaries and in any case; their date of birth in any common format; or their case
number. The other, `refuse`, also looks for the full name (first name and surname, either order,
any case, accents or not) and the case number of every child whose dispute the writer may read,
by one indexed query on the keys each dispute keeps (`name_pair`, `case_key`). It refuses only
what the writer could read (rule 12): refusing a child they could not read would tell them that
child's records are held.

Its cost: the text's candidate keys (each pair of words one or two apart, each run of one to
three words holding a digit) are looked up in the two indexes in one statement, so it grows with
the length of the text, not the number of disputes (bench/child_names.py measures it at 720,000).
"""

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, any_, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY

from moderation.extensions import db
from moderation.models import AgendaItem, Dispute
from moderation.web.boundary import Refusal
from moderation.web.permissions import can

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
    # The date of birth, or for an unborn child the expected date of delivery: written in a
    # text, either identifies the child (Dispute.child_age_from; child_date() in SQL).
    dob: date | None = None
    case_number: str | None = None


def child_date():
    """Dispute.child_age_from as a column: the date of birth, else the expected date."""
    return func.coalesce(Dispute.child_dob, Dispute.child_expected_delivery_date)


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


def refuse_on_agenda(panel_session, fields, writer):
    """Rule 13 for everything that goes into a panel session's minutes (vote reasons, conflicts,
    deferrals, decisions, actions, the chair's text): refuse the first of `fields` ((label, field
    id, text), in the order the page shows them) that identifies a child on its agenda, or names
    a child whose dispute the writer may read."""
    children = db.session.execute(
        select(Dispute.child_name, child_date(), Dispute.child_case_number)
        .join(AgendaItem, AgendaItem.dispute_id == Dispute.id)
        .where(AgendaItem.session_id == panel_session.id, Dispute.anonymised_on.is_(None)))
    refuse(fields, writer, [Child(*row) for row in children])


def refuse(fields, writer, children=(), about=None):
    """Refuse (raise `Refusal` on) the first of `fields` ((label, field id, text), in the order
    the page shows them) that identifies one of `children` (the pure check), or holds the full
    name or case number of a child whose dispute `writer` may read. Without a writer (a command
    line run), only `children` are looked for. `about`: the dispute the text belongs to and
    goes with when it is anonymised (the chair's private notes on its item), whose own child it
    may name."""
    own = ChildIdentifiers(children)
    keys = {field: candidate_keys(text) for _, field, text in fields}
    readable = readable_keys(set().union(*keys.values()), writer) if writer else set()
    if about is not None:
        readable -= {about.child_name_pair, about.child_case_key}
    for label, field, text in fields:
        if own.found_in(text) or keys[field] & readable:
            raise Refusal(message(label), field)


# The keys a child is found by ------------------------------------------------------------------
#
# A name is keyed on its first and last words, each folded (lower case, accents and apostrophes
# and hyphens gone: "O'Brien-Kelly" is "obrienkelly"), sorted and joined by a space: "Leo
# Carter", "CARTER, Leo" and "Léo Carter" all key as "carter leo". A middle name is left out of
# the key ("Mary Jane Smith" is "mary smith"), and text is searched for the first and last
# words either side by side or with one word between them, so the full name written out is found
# as well as the first name and surname alone. A name of one word has no key: a first name
# alone identifies no one. A case number keys as its letters and digits in lower case: "NS-40211",
# "ns 40211" and "(NS/40211)" all key as "ns40211".

# Folding can lengthen a name ("ß" is "ss", "İ" is two characters): a key is cut to its
# column's length, the same cut for a dispute's key and for the text looked in.
NAME_PAIR_LENGTH = Dispute.__table__.c.child_name_pair.type.length
CASE_KEY_LENGTH = Dispute.__table__.c.child_case_key.type.length
CASE_WORDS = 3  # a case number typed with spaces: "NS 402 11" is three words
NAME_GAP = 2  # first name and surname side by side (1) or with a middle name between (2)


def fold(text):
    """Lower case without accents: "Zoë" is "zoe", "Siobhán" is "siobhan"."""
    text = (text or "").casefold()
    if text.isascii():  # most text: nothing to decompose
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_pair(name):
    """The key of a child's name (first and last words, folded and sorted), or None."""
    words = [word for word in _name_words(name) if word]
    return _pair(words[0], words[-1]) if len(words) >= 2 else None


def case_key(number):
    """The key of a case number: its letters and digits, lower case; None if it has none."""
    return re.sub(r"[\W_]+", "", fold(number))[:CASE_KEY_LENGTH] or None


def candidate_keys(text):
    """Every name or case key the text could hold: pairs of words one or two apart, and runs of
    one to three words that hold a digit and are long enough to be a case number."""
    folded = fold(text)
    words = _name_words(folded)
    pairs = {_pair(first, second) for i, first in enumerate(words)
             for second in words[i + 1:i + 1 + NAME_GAP] if first and second}
    return pairs | _case_numbers_in(folded)


def _case_numbers_in(folded):
    """Each run of one to three words holding a digit, run together: "ns 402 11" gives "ns402",
    "ns40211", "402", "40211", "11"..., kept if long enough to be a case number."""
    parts = [part for part in map(_alphanumeric, folded.split()) if part]
    numbers = {"".join(parts[start:end])
               for i, part in enumerate(parts) if not part.isalpha()
               for start in range(max(0, i - CASE_WORDS + 1), i + 1)
               for end in range(i + 1, min(len(parts), start + CASE_WORDS) + 1)}
    return {key for key in numbers if len(key) >= SHORTEST_CASE_NUMBER}


def readable_keys(keys, writer):
    """Those of `keys` that are the name or case key of a child whose dispute (not anonymised)
    `writer` may read: one indexed query, then the permission asked of each dispute found."""
    if not keys:
        return set()
    # An anonymised dispute has no keys left, so it is never found; it is not asked in SQL
    # too, which could lead a planner to the anonymised_on index instead of the keys'.
    found = db.session.scalars(select(Dispute).where(or_(
        one_of_keys(Dispute.child_name_pair, keys), one_of_keys(Dispute.child_case_key, keys))))
    readable = set()
    for dispute in found:
        held = {dispute.child_name_pair, dispute.child_case_key} & keys
        if not dispute.anonymised and not held <= readable and \
                can(writer, "dispute.read", dispute):
            readable |= held
    return readable


def one_of_keys(column, keys):
    """`column IN keys` with the keys as one parameter (a text may hold thousands): an array on
    PostgreSQL, a JSON list on SQLite. Both look each key up in the column's index."""
    keys = sorted(keys)
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(keys, ARRAY(String)))
    listed = func.json_each(json.dumps(keys)).table_valued("value")
    return column.in_(select(listed.c.value))


_POSSESSIVE = re.compile(r"['’]s(?![\w'’-])")  # "Carter's" is "Carter"
_JOINERS = re.compile(r"['’-]")  # "O'Brien-Kelly" is one word, "obrienkelly"
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


def _name_words(text):
    """The text's words as name words: folded, "Carter's" as "carter", and "" for a word that
    holds no letter, which still counts as a word between two others ("Leo 12 visits Carter"
    holds no name). Whole-text passes, as a long text has thousands of words."""
    words = re.findall(r"\w+", _JOINERS.sub("", _POSSESSIVE.sub("", fold(text))))  # idempotent
    return [word if word.isalpha() else _letters_only(word) for word in words]


def _alphanumeric(word):
    return word if word.isalnum() else _NOT_ALPHANUMERIC.sub("", word)


def _letters_only(word):
    return "".join(c for c in word if c.isalpha())


def _pair(first, second):
    pair = f"{first} {second}" if first <= second else f"{second} {first}"
    return pair[:NAME_PAIR_LENGTH]


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
