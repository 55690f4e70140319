"""Find every form a person is shown, as a browser would: sign in, follow the links on each page
(breadth-first, bounded), and read each <form> with its controls and buttons. A form added later
is found (and so tested) without editing the tests that use this.

A found form is filled in as a person would fill it (`Filled`): each control keeps what the page
put in it, or gets a plausible answer (the first option of a question, a date, a few words), so
that changing one control tests that control, not the form's other required answers.

The `world` fixture (import it into a test module) is a world of people with what they are
shown: the demonstration data's roles, or a panel meeting in session.
"""

import io
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict

from moderation import demo
from moderation.extensions import db
from moderation.meeting import voting
from moderation.models import PanelSession, Role, User
from tests.conftest import PASSWORD
from tests.helpers import sign_in

# Downloads are not pages (their own tests read them); ending the session ends the crawl.
DOWNLOADS = re.compile(r"\.(pdf|csv|ics)$")
NOT_FOLLOWED = ("/sign-out",)
# Forms no fuzzing may send: signing out would end the visitor's session.
NOT_SENT = ("/sign-out",)
TEXT_INPUTS = {"text", "email", "password", "search", "url", "tel", "number", None}
CHOICES = {"radio", "checkbox"}


@dataclass(frozen=True)
class Visitor:
    """Someone who uses the service: `email` None for someone not signed in."""

    label: str
    email: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class Control:
    """One control of a form: a box (`text`, `textarea`, `hidden`, `file`), or a question whose
    `options` are its radios, checkboxes or select options."""

    name: str
    kind: str
    id: str | None
    value: str = ""  # what the page put in it (checked or selected values joined by \n)
    options: tuple = ()
    inputmode: str | None = None

    @property
    def typed(self):
        """A box a person types into (a date's day, month and year are three)."""
        return self.kind in ("text", "textarea")


@dataclass(frozen=True)
class Button:
    name: str | None
    value: str
    formaction: str | None


@dataclass(frozen=True)
class FoundForm:
    visitor: Visitor
    page: str
    method: str
    action: str
    controls: tuple
    buttons: tuple  # (button, index of the first control after it)
    tokens: tuple  # the CSRF token inputs' names

    def button_after(self, index):
        """The button a person presses after filling in control `index`: the first after it."""
        following = [button for button, position in self.buttons if position > index]
        if following:
            return following[0]
        return self.buttons[-1][0] if self.buttons else None

    def describe(self):
        return f"{self.method} {self.action} (on {self.page} as {self.visitor.label})"


@dataclass
class Crawl:
    pages: list = field(default_factory=list)  # (visitor, address) of each page seen
    forms: list = field(default_factory=list)  # FoundForm, each kind once


def pattern(address):
    """/disputes/12 and /disputes/13 are the same page with other data."""
    parts = urlsplit(address)
    return re.sub(r"\d+", "N", f"{parts.path}?{parts.query}")


def crawl(client, visitor, found, max_pages=40, per_pattern=2, start="/"):
    """Visit the pages `client` (signed in as `visitor`) reaches from `start`; add each page and
    each form not found before to `found`."""
    queue, seen, patterns = deque([start]), {start}, Counter()
    known = {_form_key(form) for form in found.forms}
    for _ in range(max_pages):
        if not queue:
            break
        address = queue.popleft()
        response = client.get(address, follow_redirects=True)
        assert response.status_code < 500, f"{address} as {visitor.label}: {response.status}"
        if response.mimetype != "text/html":
            continue
        address = response.request.path + (
            f"?{response.request.query_string.decode()}" if response.request.query_string else "")
        found.pages.append((visitor, address))
        soup = BeautifulSoup(response.text, "html.parser")
        for form in forms_on(soup, address, visitor):
            if _form_key(form) not in known:
                known.add(_form_key(form))
                found.forms.append(form)
        for link in _links(soup, address):
            patterns[pattern(link)] += 1
            if link not in seen and patterns[pattern(link)] <= per_pattern:
                seen.add(link)
                queue.append(link)
    return found


def _form_key(form):
    names = sorted({re.sub(r"\d+", "N", control.name) for control in form.controls})
    return form.method, re.sub(r"\d+", "N", urlsplit(form.action).path), tuple(names)


def _links(soup, address):
    for anchor in soup.find_all("a", href=True):
        if anchor.has_attr("download"):
            continue
        link = urljoin(address, anchor["href"]).split("#")[0]
        path = urlsplit(link).path
        if (link.startswith("/") and not link.startswith("//") and not DOWNLOADS.search(path)
                and not path.startswith(NOT_FOLLOWED)):
            yield link


def forms_on(soup, address, visitor):
    """The page's forms with at least one control a person fills in (not the sign-out button,
    nor a button alone)."""
    for element in soup.find_all("form"):
        method = (element.get("method") or "get").lower()
        action = urljoin(address, element.get("action") or address)
        if urlsplit(action).path.startswith(NOT_SENT):
            continue
        controls, buttons, tokens = _read(element)
        if controls:
            yield FoundForm(visitor, address, method, action, tuple(controls), tuple(buttons),
                            tuple(tokens))


def _read(element):
    controls, buttons, tokens, groups = [], [], [], {}
    for tag in element.find_all(["input", "textarea", "select", "button"]):
        kind = tag.get("type", "text") if tag.name == "input" else tag.name
        name = tag.get("name")
        if tag.name == "button" and tag.get("type") in ("button", "reset"):
            continue
        if tag.name == "button" or kind == "submit":
            buttons.append((Button(name, tag.get("value", ""), tag.get("formaction")),
                            len(controls)))
        elif not name or tag.has_attr("disabled"):
            continue
        elif name.endswith("csrf_token"):
            tokens.append(name)
        elif kind in CHOICES:
            groups.setdefault(name, []).append(tag)
            if len(groups[name]) == 1:
                controls.append(name)  # a placeholder, replaced by the group below
        elif tag.name == "select":
            options = tuple(o.get("value", o.get_text()) for o in tag.find_all("option"))
            chosen = [o.get("value", o.get_text()) for o in tag.find_all("option", selected=True)]
            controls.append(Control(name, "select", tag.get("id"), "\n".join(chosen), options))
        elif tag.name == "textarea":
            controls.append(Control(name, "textarea", tag.get("id"), tag.get_text()))
        elif kind in TEXT_INPUTS:
            controls.append(Control(name, "text", tag.get("id"), tag.get("value", ""),
                                    inputmode=tag.get("inputmode") or
                                    ("numeric" if kind == "number" else None)))
        elif kind in ("hidden", "file"):
            controls.append(Control(name, kind, tag.get("id"), tag.get("value", "")))
    controls = [_group(groups[c]) if isinstance(c, str) else c for c in controls]
    return controls, buttons, tokens


def _group(tags):
    checked = [tag.get("value", "on") for tag in tags if tag.has_attr("checked")]
    return Control(tags[0]["name"], tags[0].get("type"), tags[0].get("id"), "\n".join(checked),
                   tuple(tag.get("value", "on") for tag in tags))


# Filling a form in ------------------------------------------------------------------------------

def plausible(control, email):
    """What a person would leave in or put in `control`, as the values it sends (a list: a
    question with checkboxes sends each ticked one). `email`: an address that has an account."""
    if control.kind in ("radio", "checkbox", "select"):
        chosen = [value for value in control.value.split("\n") if value]
        return chosen or [next((o for o in control.options if o), "")][:1]
    if control.kind in ("hidden", "file") or control.value.strip():
        return [control.value]
    name = control.name.lower()
    if control.inputmode == "numeric":
        return [_date_part(control)]
    for words, number in NUMBERS.items():
        if any(word in name for word in words):
            return [number]
    if "email" in name:
        return [email or "someone@example.org"]
    if "link" in name:
        return ["https://meet.example.org/panel"]
    if "time" in name or "starts_at" in name:
        return ["10:00"]
    return ["Plain words about the case"]


# Boxes for a number, known by their names: a number each would accept.
NUMBERS = {("minutes", "duration"): "60", ("capacity",): "8", ("days", "cutoff"): "5"}
# Dates that must not be in the past (a session's); any other is a week ago.
FUTURE_DATES = ("held_on", "first_on")


def _date_part(control):
    """A day, month or year box (GOV.UK's date input): its part of a plausible date."""
    days = 21 if control.name.endswith(FUTURE_DATES) else -7
    chosen = date.today() + timedelta(days=days)
    part = (control.id or "").rpartition("-")[2]
    return str({"day": chosen.day, "month": chosen.month, "year": chosen.year}.get(part, 5))


@dataclass
class Filled:
    """A found form filled in plausibly, with some controls' values changed: `changes` maps a
    control's index to the value it sends instead; `button` is the button pressed."""

    form: FoundForm
    email: str | None
    changes: dict = field(default_factory=dict)
    button: Button | None = None

    def pairs(self):
        pairs = []
        for index, control in enumerate(self.form.controls):
            if index in self.changes:
                value = self.changes[index]
                pairs.append((control.name, _file(value) if control.kind == "file" else value))
            elif control.kind == "file":
                continue  # no file chosen
            else:
                pairs += [(control.name, value) for value in plausible(control, self.email)]
        if self.button is not None and self.button.name:
            pairs.append((self.button.name, self.button.value))
        return pairs

    def send(self, client, token):
        """Submit it as the browser would; the response, not followed."""
        action = (self.button.formaction if self.button and self.button.formaction
                  else self.form.action)
        pairs = self.pairs()
        if self.form.method == "get":
            return client.get(urlsplit(action).path, query_string=MultiDict(pairs))
        pairs += [(name, token) for name in self.form.tokens]
        return client.post(action, data=MultiDict(pairs))


def _file(name):
    return io.BytesIO(b"Notes from the home visit.\n"), name


def token_on(response):
    """The CSRF token a page's forms carry, if any."""
    found = BeautifulSoup(response.text, "html.parser").find(
        "input", {"name": re.compile(r"csrf_token$")})
    return found["value"] if found else None


# The people who crawl, and what they are shown: the `world` fixture -------------------------------

DEMO_ROLES = [Role.REFERRER, Role.CSC_MANAGER, Role.PANEL_MEMBER, Role.CHAIR,
              Role.PARTNERSHIP_MANAGER, Role.ADMIN, Role.DATA_PROTECTION_OFFICER]


def _demo_world(app, request):
    with app.app_context():
        demo.load()
        db.session.commit()
    people = [next(user for user in demo.DEMO_USERS if user.role == role) for role in DEMO_ROLES]
    visitors = [Visitor("someone not signed in")] + [
        Visitor(person.role.value, person.email, demo.DEMO_PASSWORD) for person in people]
    return visitors, "police.referrer@demo.example.org"


def _meeting_world(app, request):
    """A meeting in session: voting open on its first item; its second voted on and closed,
    waiting for the chair's decision; its third untouched."""
    meeting = request.getfixturevalue("panel_meeting")(disputes=({}, {}, {}))
    with app.app_context():
        session = db.session.get(PanelSession, meeting.session_id)
        chair = db.session.get(User, meeting.chair.id)
        first, second = session.agenda[0], session.agenda[1]
        voting.open_voting(first, chair)
        voting.open_voting(second, chair)
        for rep in meeting.reps.values():
            voting.cast_vote(second, db.session.get(User, rep.id), "upheld", "Reason given.")
        voting.close_voting(second, chair)
        db.session.commit()
    people = [("chair", meeting.chair), ("deputy", meeting.deputy),
              ("referrer", meeting.referrer)] + list(meeting.reps.items())
    return [Visitor(label, person.email, PASSWORD) for label, person in people], (
        meeting.referrer.email)


WORLDS = {"demo": _demo_world, "meeting": _meeting_world}
# A world has the same addresses in every fresh database of a kind: crawled once per kind.
_CRAWLS = {}


@dataclass(frozen=True)
class World:
    name: str
    found: Crawl  # what its people are shown
    clients: dict  # a signed-in browser for each of them
    someone: str  # the email address of someone with an account, not on any panel

    def filled(self, form, changes=None, button=None):
        return Filled(form, self.someone, changes or {}, button)


@pytest.fixture(params=sorted(WORLDS))
def world(request, app, database_url):
    visitors, someone = WORLDS[request.param](app, request)
    clients = Clients(app)
    key = (request.param, sa.engine.make_url(database_url).get_backend_name())
    if key not in _CRAWLS:
        found = Crawl()
        for visitor in visitors:
            crawl(clients[visitor], visitor, found)
        _CRAWLS[key] = found
    return World(request.param, _CRAWLS[key], clients, someone)


class Clients(dict):
    """A browser of each visitor's own, signed in on first use."""

    def __init__(self, app):
        super().__init__()
        self.app = app

    def __missing__(self, visitor):
        client = self.app.test_client()
        if visitor.email:
            assert sign_in(client, visitor).status_code == 302, visitor
        self[visitor] = client
        return client


def opened(clients, form):
    """The visitor's client with the form's page open again (its CSRF token, as it stands)."""
    client = clients[form.visitor]
    return client, token_on(client.get(form.page))
