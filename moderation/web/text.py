"""Rule 19: text input never holds control characters, refused with a clear error.

A control character is one nobody means to type: pasted from another system, or sent on purpose
to break something. PostgreSQL cannot store NUL at all (psycopg raises DataError), XML (so the
dashboard's SVG charts) and PDFs cannot hold most of the others, and all of them are invisible
on a page. Tab, line feed and carriage return are ordinary white space in a text box and stay.

Forms refuse them field by field (`NoControlCharacters`, added to every field by
web/forms.py's `Form`); addresses are refused whole by `refuse_control_characters_in_address`,
a before-request hook, before anyone is signed in.
"""

import re

from flask import request
from wtforms.validators import StopValidation

from moderation.web.errors import render_error

# C0 controls but tab, LF and CR; DEL and the C1 controls; lone surrogates (no UTF-8 encoding
# can hold them); and the Unicode noncharacters (U+FDD0-U+FDEF and the last two code points of
# every plane, U+FFFE and U+FFFF among them, which XML cannot hold either).
_NONCHARACTERS = "".join(chr(plane << 16 | low) for plane in range(17) for low in (0xFFFE, 0xFFFF))
CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + _NONCHARACTERS + "]")


def holds_control(value):
    """True when `value` (a string; anything else is not text) holds a control character."""
    return isinstance(value, str) and CONTROL.search(value) is not None


def without_controls(value):
    """The text with its control characters taken out: for showing or drawing text stored
    before they were refused (an SVG chart cannot hold NUL at all)."""
    return CONTROL.sub("", value) if isinstance(value, str) else value


def message_for(subject):
    return (f"{subject} must not contain hidden control characters (such as NUL): "
            "type it again instead of pasting it")


# Words that open a label asking a question or giving an instruction: such a label cannot name
# the field in "... must not contain ...".
_NOT_A_NAME = {"why", "what", "who", "whose", "how", "when", "where", "which", "is", "are", "do",
               "does", "did", "can", "must", "should", "add", "keep", "enter", "select", "choose",
               "upload", "say", "tell", "give"}
_ASIDE = re.compile(r"\s*\([^)]*\)\s*$")  # "(optional)", "(name or email contains)"
_LENGTH_MESSAGE = re.compile(r"^(?P<subject>.+?) must be \d+ characters or fewer$")


def subject_of(field, labelled=True):
    """What the field is called in its error messages: as its length limit says it, else its
    label when that names it, else "Your answer". `labelled`: False for a field given no label
    (WTForms makes one from its name, such as "Item-12", which the page does not show)."""
    for validator in field.validators:
        found = _LENGTH_MESSAGE.match(str(getattr(validator, "message", None) or ""))
        if found:
            return found.group("subject")
    label = _ASIDE.sub("", field.label.text if labelled and field.label else "").strip()
    words = label.split()
    if not words or label.endswith("?") or words[0].lower() in _NOT_A_NAME:
        return "Your answer"
    return label


class NoControlCharacters:
    """A WTForms validator: the field's error, and no other check of what it holds, when any
    value sent for it holds a control character."""

    def __init__(self, labelled=True):
        self.labelled = labelled

    def __call__(self, form, field):
        if any(holds_control(value) for value in field.raw_data or ()):
            # The clearest message alone ("must be a real date" would only mislead), and no
            # later check gets to read the value.
            field.errors[:] = []
            raise StopValidation(message_for(subject_of(field, self.labelled)))


ADDRESS_PROBLEM = (
    "There is a problem with the web address",
    "The web address holds a hidden control character (such as NUL). If you typed or pasted it, "
    "check it is correct. Otherwise go back and try again.",
)


def refuse_control_characters_in_address():
    """Before-request hook: a 400 page for an address (its path, or any name or value in its
    query string) holding a control character, before anything reads it."""
    parts = [request.path, *(part for pair in request.args.items(multi=True) for part in pair)]
    if any(holds_control(part) for part in parts):
        return render_error(400, *ADDRESS_PROBLEM)
    return None
