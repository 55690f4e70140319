"""Rule 19: text input never holds control characters (NUL and the like), refused with a clear
error; and text stored before the rule does not break the pages that draw it."""

import importlib
import pkgutil
import xml.etree.ElementTree as ET  # noqa: S405 - parses the app's own SVG

import pytest
import sqlalchemy as sa
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

import moderation
from moderation.admin.forms import AgencyForm, UserForm
from moderation.disputes.forms import (
    ConfirmDecisionForm,
    PolicyStageForm,
    RaiseDisputeForm,
    UrgentStageForm,
)
from moderation.models import (
    Agency,
    AuditEvent,
    Dispute,
    DisputeStage,
    ItemGuest,
    LearningTheme,
    PanelSeries,
    PanelSession,
    PolicyStage,
    User,
)
from moderation.outcomes.charts import bar_chart
from moderation.panels.forms import MeetingForm
from moderation.papers.forms import GuestForm
from moderation.web.forms import Form, GovukDateField
from moderation.web.text import holds_control, subject_of, without_controls
from tests.conftest import csrf_token, error_summary, heading, page, post, sign_in, url
from tests.helpers import NOVEMBER_DECEMBER_FORM, RAISE_FORM

CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f", "\x7f", "\x80",
            "\x85", "\x9f", "\ud800", "\udfff", "\ufdd0", "\ufffe", "\uffff", "\U0001fffe",
            "\U0010ffff"]
# What people really type or paste: none of it is a control character.
ORDINARY = ["Amelia Jones", "tab\tseparated", "two\nlines", "windows\r\nlines", "Zoë", "e\u0301",
            "\u200b", "\u200d", "\u200f", "\u202e", "\ufeff", "\ufffd", "עברית", "العربية", "中文",
            "\U0001f600", "\U0001f469\u200d\U0001f4bb", "\U0001d518", "\U00010348", "İß", ""]
ADDRESS_REFUSED = "There is a problem with the web address"


# What a control character is ------------------------------------------------------------------


@pytest.mark.parametrize("character", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_a_control_character_anywhere_in_text_is_one(character):
    for text in (character, f"Amelia{character}Jones", f"Amelia Jones{character}"):
        assert holds_control(text)
        assert without_controls(text) == text.replace(character, "")


@pytest.mark.parametrize("text", ORDINARY)
def test_white_space_and_every_script_and_symbol_are_ordinary_text(text):
    assert not holds_control(text)
    assert without_controls(text) == text


def test_only_text_can_hold_one():
    assert not holds_control(None) and not holds_control(5) and not holds_control(b"\x00")
    assert without_controls(None) is None


# The error on a form's field ------------------------------------------------------------------


class Answers(Form):
    class Meta:
        csrf = False

    name = StringField("Full name (optional)")
    reason = TextAreaField(
        "Why do you disagree?",
        validators=[Length(max=50, message="Your reasons must be 50 characters or fewer")])
    question = StringField("What happened next?")
    born = GovukDateField("Child's date of birth")


def _answers(app, **sent):
    with app.test_request_context(method="POST"):
        form = Answers(MultiDict(sent))
        form.validate()
        return {name: list(field.errors) for name, field in form._fields.items()}


def test_each_field_with_a_control_character_says_so_naming_the_field(app):
    errors = _answers(app, name="Amelia\x00", reason="Because\x1b", question="\x7f",
                      born=["1\x00", "2", "2020"])
    tail = "must not contain hidden control characters (such as NUL): type it again instead of " \
           "pasting it"
    assert errors == {
        "name": [f"Full name {tail}"],  # the label names it, "(optional)" aside
        "reason": [f"Your reasons {tail}"],  # as its length limit names it
        "question": [f"Your answer {tail}"],  # a question names nothing
        # Only this: "must be a real date" would send the person looking for the wrong mistake.
        "born": [f"Child's date of birth {tail}"],
    }


def test_ordinary_text_in_every_script_is_accepted(app):
    for text in ORDINARY:
        assert _answers(app, name=text, question=text) == {
            "name": [], "reason": [], "question": [], "born": []}, repr(text)


def test_a_field_given_no_label_is_not_named_by_the_label_made_from_its_name(app):
    class Bare(Form):
        class Meta:
            csrf = False

        item_12 = TextAreaField()
        password = StringField("Password")

    with app.test_request_context(method="POST"):
        form = Bare(MultiDict({"item_12": "\x00", "password": "\x00"}))
        form.validate()
        assert form.item_12.errors[0].startswith("Your answer must not")
        assert form.password.errors[0].startswith("Password must not")
    assert subject_of(form.password) == "Password"


def _every_module():
    for module in pkgutil.walk_packages(moderation.__path__, "moderation."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_of_the_app_refuses_control_characters_in_one_place():
    """Every form derives from web/forms.py's Form, whose fields all carry the check: a form
    added on FlaskForm directly would not."""
    _every_module()
    forms = {cls for cls in _subclasses(FlaskForm) if cls.__module__.startswith("moderation.")}
    assert len(forms) > 40
    assert [cls for cls in forms if not issubclass(cls, Form)] == []


# Signing in, and addresses, before anyone is signed in ----------------------------------------


def test_signing_in_with_a_control_character_says_so(app, db, client, make_user):
    user = make_user("referrer")
    response = post(client, url(client, "auth.sign_in"),
                    {"email": f"{user.email}\x00", "password": f"{user.password}\x00"})
    assert response.status_code == 200
    assert heading(response) == "Sign in to Threshold moderation"
    assert error_summary(response) == [
        "Email address must not contain hidden control characters (such as NUL): type it again "
        "instead of pasting it",
        "Password must not contain hidden control characters (such as NUL): type it again "
        "instead of pasting it"]
    with app.app_context():  # refused before anything looked for the account
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_a_sign_in_sent_as_broken_utf8_is_an_ordinary_failure(app, client, make_user):
    user = make_user("referrer")
    body = (f"csrf_token={csrf_token(client)}&email=%ED%A0%80%FF{user.email}"
            f"&password={user.password}")
    response = client.post(url(client, "auth.sign_in"), data=body,
                           content_type="application/x-www-form-urlencoded")
    assert error_summary(response) == ["Enter a correct email address and password"]


@pytest.mark.parametrize("address", [
    "/sign-in?next=%00", "/sign-in?next=/disputes%0B", "/sign-in?%00=1", "/disputes/1?x=%7F",
    "/feed/token%00.ics", "/no-such-page%00", "/retention/%1B",
])
def test_an_address_with_a_control_character_is_refused_before_signing_in(client, address):
    response = client.get(address)
    assert (response.status_code, heading(response)) == (400, ADDRESS_REFUSED)
    assert "hidden control character" in page(response).select_one("main").get_text()


def test_an_address_with_ordinary_odd_text_is_not_refused(client, signed_in):
    signed_in("admin")
    response = client.get(url(client, "admin.users", search="Zoë\u200b\u202e\U0001f600\tx"))
    assert (response.status_code, heading(response)) == (200, "Users")


# Text stored before the rule -----------------------------------------------------------------


@pytest.fixture
def names_stored_with_controls(app, db, history, database_url):
    """Every agency and learning theme renamed in the database as if typed before rule 19:
    control characters PostgreSQL can hold, and on SQLite NUL too."""
    nul = "\x00" if database_url.startswith("sqlite") else ""
    with app.app_context():
        for record in [*db.session.scalars(sa.select(Agency)),
                       *db.session.scalars(sa.select(LearningTheme))]:
            record.name = f"{record.name[:3]}\x0b{nul}\x1b{record.name[3:]} $\\frac$"
        db.session.commit()


def test_the_dashboard_draws_names_stored_with_control_characters(
        app, make_user, names_stored_with_controls, client):
    sign_in(client, make_user("partnership_manager"))
    response = client.get(url(app, "home.partnership", **NOVEMBER_DECEMBER_FORM))
    assert (response.status_code, heading(response)) == (200, "Partnership overview")
    charts = page(response).select("figure.chart svg")
    assert len(charts) >= 3
    drawn = " ".join(chart.get_text(" ") for chart in charts)
    assert "Threshold interpretation $\\frac$" in drawn  # a learning theme, as text
    for chart in charts:
        assert not holds_control(str(chart))
        ET.fromstring(str(chart))  # noqa: S314 - XML that holds no control character


def test_a_chart_label_with_dollar_signs_is_text_not_mathtext():
    chart = bar_chart("Costs", [("Between $5 and $\\frac", 2), ("$x^$", 1)])
    assert "Between $5 and $\\frac" in chart.svg and "$x^$" in chart.svg


def test_signing_in_again_and_again_with_a_control_character_locks_out_as_usual(
        app, db, client, make_user):
    user = make_user("referrer")
    for _ in range(5):
        response = post(client, url(client, "auth.sign_in"),
                        {"email": f"{user.email}\x00", "password": "wrong"})
        assert response.status_code == 200
    response = post(client, url(client, "auth.sign_in"),
                    {"email": f"{user.email}\x00", "password": "wrong"})
    assert response.status_code == 429
    assert error_summary(response) == [
        "You have tried to sign in too many times. Wait 15 minutes, then try again."]
    with app.app_context():
        blocked = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert blocked == ["sign_in_blocked"]
    admin = app.test_client()
    sign_in(admin, make_user("admin"))
    audit_log = admin.get(url(app, "admin.audit_log"))
    assert (audit_log.status_code, heading(audit_log)) == (200, "Audit log")


def test_answers_carried_on_the_check_page_are_checked_again_when_sent(
        app, db, client, signed_in, on_a_monday):
    signed_in("referrer")
    check = post(client, url(client, "disputes.raise_dispute"), RAISE_FORM)
    assert heading(check) == "Check your answers before you submit"
    carried = [(field["name"], field["value"])  # its CSRF token too
               for field in page(check).select("main form input[type=hidden]")]
    assert ("grounds", RAISE_FORM["grounds"]) in carried
    tampered = [(name, f"{value}\x00" if name == "grounds" else value)
                for name, value in carried]
    response = client.post(url(client, "disputes.raise_dispute"),
                           data=MultiDict([*tampered, ("action", "submit")]))
    assert error_summary(response) == [
        "Your reasons must not contain hidden control characters (such as NUL): type it again "
        "instead of pasting it"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Dispute.id))) == 0


# A box never takes more than its column holds -------------------------------------------------

# Each box whose answer is stored in a column of limited length: PostgreSQL refuses a longer
# value (DataError), so the form must refuse it first, with the box's GOV.UK error.
STORED_IN = [
    (RaiseDisputeForm.child_name, Dispute.child_name),
    (RaiseDisputeForm.child_case_number, Dispute.child_case_number),
    (RaiseDisputeForm.told_decision_maker, Dispute.told_decision_maker),
    (ConfirmDecisionForm.decision_maker_name, Dispute.csc_decision_maker_name),
    (ConfirmDecisionForm.authorising_manager_name, Dispute.csc_authorising_manager_name),
    (PolicyStageForm.name, PolicyStage.name),
    (PolicyStageForm.name, DisputeStage.name),  # each dispute's copy of its stages
    (UrgentStageForm.name, PolicyStage.name),
    (AgencyForm.name, Agency.name),
    (UserForm.name, User.name),
    (UserForm.email, User.email),
    (MeetingForm.place, PanelSession.place),
    (MeetingForm.online_link, PanelSession.online_link),
    (MeetingForm.place, PanelSeries.place),
    (GuestForm.purpose, ItemGuest.purpose),
]


@pytest.mark.parametrize(("box", "column"), STORED_IN, ids=lambda x: getattr(x, "key", ""))
def test_a_box_stored_in_a_limited_column_refuses_more_than_it_holds(box, column):
    limits = [v.max for v in box.kwargs.get("validators", ()) if isinstance(v, Length)]
    assert limits, f"{column} holds {column.type.length} characters: the box has no limit"
    assert max(limits) <= column.type.length
