"""Rule 19, and "no page answers 500 to anything a user can type or send", for every form.

The forms are found as the people who use them meet them (tests/web/form_crawl.py): each role
of the demonstration data, someone not signed in, and the chair, representatives and referrer
of a panel meeting in session (an item open for voting, one voted on and waiting for its
decision). A form added later is found, and so tested, without editing this file.

- A control character typed into any box of any form is refused with that box's GOV.UK error,
  and nothing is kept.
- Whatever is sent to any control of any form (control characters, 10,000 characters and more,
  combining marks, right-to-left text, zero-width characters, emoji, the astral planes), no
  page fails, and no control character is ever stored.
- An address holding a control character is refused on every page, with a page that says so.
"""

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.web.text import holds_control
from tests.conftest import heading, page
from tests.web.form_crawl import (
    opened,
    pattern,
)

REFUSED = "must not contain hidden control characters"
ADDRESS_REFUSED = "There is a problem with the web address"
# Reading a page writes its audit event and may fill the shared cache: not a change anyone made.
UNWATCHED = ("audit_event", "cache_entry")

# Hypothesis: a few examples of each form (FUZZ_EXAMPLES=50 for a deeper look), the same on every
# run (CI reproduces a failure), with no time limit (a page can take a while on a busy machine)
# and no example database on disk.
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 6)), deadline=None,
                derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Text nobody should be able to break a page with: alone, strung together and repeated.
ODD_PIECES = [
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f", "\t", "\r\n", "\n",
    "e\u0301", "\u0301\u0302\u0303", "\u200b", "\u200d", "\u200e", "\u200f", "\u202e", "\u2066",
    "\ufeff", "\ufffd", "\ufffe", "\uffff", "\U0001f600", "\U0001f469\u200d\U0001f4bb",
    "\U0001f1ec\U0001f1e7", "\U0001d518", "\U00010348", "\U0010fffd", "עברית", "العربية", "中文",
    "ß", "İ", "ǅ", "'", '"', "<b>bold</b>", "&amp;", "%00", "=SUM(A1)", "$\\frac$", "{{ 7*7 }}",
    " ", "1", "-1", "99999999999999999999", "2026-02-30",
]
ODD_TEXT = st.one_of(
    st.text(max_size=30),  # any code point a browser can send (not a lone surrogate)
    st.lists(st.sampled_from(ODD_PIECES) | st.text(max_size=3), max_size=10).map("".join),
    st.tuples(st.sampled_from(["a", "ß", "e\u0301", "\U0001f600", "\x00", "\u202e"]),
              st.integers(10_001, 12_000)).map(lambda pair: pair[0] * pair[1]),
)
FILE_NAME = ODD_TEXT.map(lambda name: f"{name}.txt")


# At least this many forms are found in each world (the crawl must not quietly find none).
FEWEST_FORMS = {"demo": 35, "meeting": 8}


# A control character in any box ---------------------------------------------------------------


def test_a_control_character_typed_into_any_box_is_refused_on_its_form(world, whole_database):
    checked = set()
    before = whole_database.rows(leave_out=UNWATCHED)
    for form in world.found.forms:
        client, token = opened(world.clients, form)
        for index, control in enumerate(form.controls):
            if not control.typed:
                continue
            filled = world.filled(form, {index: "Amelia\x00Jones\x1b"}, form.button_after(index))
            response = filled.send(client, token)
            where = f"{form.describe()}, box {control.name}"
            if form.method == "get":
                assert (response.status_code, heading(response)) == (400, ADDRESS_REFUSED), where
            else:
                assert _refused_on(response, control), (where, _summary(response))
            checked.add((form.action, form.method))
    after = whole_database.rows(leave_out=UNWATCHED)
    assert [table for table in before if after[table] != before[table]] == []
    assert len(checked) >= FEWEST_FORMS[world.name], sorted(checked)


def _summary(response):
    return [(link.get("href"), link.get_text(strip=True))
            for link in page(response).select(".govuk-error-summary__list a")]


def _refused_on(response, control):
    """The page again, its error summary saying so with a link that leads to the box."""
    soup = page(response)
    for href, text in _summary(response):
        target = soup.find(id=(href or "#").removeprefix("#"))
        # The box itself, its question (a date's first box), or what holds the box.
        leads_there = target is not None and (
            target.get("id") == control.id or target.get("name") == control.name
            or target.find(id=control.id) is not None)
        if REFUSED in text and leads_there:
            return True
    return False


# A long answer in any box ----------------------------------------------------------------------

LIMIT = re.compile(r"must be (\d+) characters or fewer")


def test_a_long_answer_in_any_box_is_refused_or_kept_never_a_failure(world):
    """10,001 characters in each box in turn, the rest of the form filled in as a person would:
    refused with the box's error, or kept, never "Sorry, there is a problem". Where the box says
    how long an answer may be, exactly that long, in characters that grow when lowercased or
    take four bytes, is not a failure either."""
    for form in world.found.forms:
        client, token = opened(world.clients, form)
        for index, control in enumerate(form.controls):
            if not control.typed:
                continue
            button = form.button_after(index)
            response = world.filled(form, {index: "a" * 10_001}, button).send(client, token)
            where = f"{form.describe()}, box {control.name}"
            assert response.status_code < 500, where
            limits = {int(found) for _, text in _summary(response) for found in LIMIT.findall(text)}
            for limit in limits:
                for letter in ("İ", "\U0001f600"):  # longer lowercased; four bytes
                    response = world.filled(form, {index: letter * limit}, button).send(
                        client, token)
                    assert response.status_code < 500, (where, limit, letter)


# Anything at all in any control ----------------------------------------------------------------


def test_nothing_sent_to_any_form_breaks_a_page_or_is_stored_with_a_control_character(
        world, whole_database):
    for form in world.found.forms:
        client, token = opened(world.clients, form)
        _fuzz(world, form, client, token)
    stored = {(table, cell) for table, rows in whole_database.rows(leave_out=UNWATCHED).items()
              for row in rows for cell in row if holds_control(cell)}
    assert not stored


def _fuzz(world, form, client, token):
    values = {index: FILE_NAME if control.kind == "file" else ODD_TEXT
              for index, control in enumerate(form.controls)}
    buttons = [button for button, _ in form.buttons] or [None]

    @FUZZ
    @given(changes=st.fixed_dictionaries({}, optional=values), button=st.sampled_from(buttons))
    def send(changes, button):
        response = world.filled(form, changes, button).send(client, token)
        assert response.status_code < 500, form.describe()
        sent_control = any(holds_control(value) for value in changes.values())
        if form.method == "get" and sent_control:
            assert response.status_code == 400, form.describe()

    send()


# A control character in any address -----------------------------------------------------------


def test_a_control_character_in_any_address_is_refused(world):
    seen = set()
    for visitor, address in world.found.pages:
        if pattern(address) in seen:
            continue
        seen.add(pattern(address))
        client = world.clients[visitor]
        joined = "&" if "?" in address else "?"
        path, _, query = address.partition("?")
        bad = [f"{address}{joined}search=Amelia%00Jones", f"{address}{joined}%1B=1",
               f"{path}%00"]
        # Each parameter the page already has, with a control character added to its value.
        bad += [f"{path}?{query.replace(part, part + '%7F', 1)}"
                for part in query.split("&") if "=" in part]
        for address_sent in bad:
            response = client.get(address_sent)
            assert (response.status_code, heading(response)) == (400, ADDRESS_REFUSED), (
                visitor.label, address_sent)
        odd = client.get(f"{address}{joined}search=%E2%80%8B%E2%80%AE%F0%9F%98%80e%CC%81")
        assert odd.status_code < 500, (visitor.label, address)
    assert len(seen) >= 10
