"""Helpers shared by every form."""

import re
from datetime import time
from functools import lru_cache

from flask import render_template
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.routing import IntegerConverter
from wtforms import DateField, Field, IntegerField, StringField, SubmitField
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation
from wtforms.widgets import HiddenInput

from moderation.web.text import NoControlCharacters


class Form(FlaskForm):
    """Every form of the application: FlaskForm (CSRF), and rule 19 in one place: whatever is
    sent for any of its fields is refused, with the field's GOV.UK error, when it holds a control
    character (web/text.py)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if not isinstance(field, UNCHECKED_FIELDS):
                # Last of the field's own validators, before the form's validate_<field>
                # methods: none of those reads a value that holds one.
                labelled = bool(unbound_field.args) or "label" in unbound_field.kwargs
                field.validators = [*field.validators, NoControlCharacters(labelled)]
            return field


# A button's value says only which was pressed, and a file is bytes (its name is cleaned where
# it is stored); the CSRF token has its own check. Every other field is checked, not only
# text boxes: radios, selects, dates and numbers can be sent anything, too.
UNCHECKED_FIELDS = (SubmitField, FileField, CSRFTokenField)


# Every record id is a 32-bit integer on PostgreSQL: a larger number from a form or an address
# is no record, and handing it to the database fails (OverflowError, or "integer out of range").
ID_MAX = 2**31 - 1


def coerce_id(value):
    """A record id typed into a form or address: a whole number from 1 to ID_MAX, else None.

    Only ASCII digits: str.isdigit() accepts "²", which int() then refuses.
    """
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(ID_MAX)):
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


def id_from(values, name):
    """The record id in request.form or request.args under `name`, or None."""
    return coerce_id(values.get(name))


class IdConverter(IntegerConverter):
    """Flask's `int` URL converter, bounded to the ids a record can have: every <int:...> route
    answers 404 for 0 or for a number too large for the database."""

    def __init__(self, map, fixed_digits=0, min=1, max=ID_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class IdField(Field):
    """A record id chosen on a page (a select or a hidden field): None when left blank; a value
    that is no possible id is the field's GOV.UK error, never a number sent to the database."""

    widget = HiddenInput()

    def __init__(self, label=None, validators=None, *, invalid_message, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        typed = str(valuelist[0]).strip() if valuelist else ""
        self.data = coerce_id(typed)
        if typed and self.data is None:
            raise ValueError(self.invalid_message)

    def _value(self):
        return "" if self.data is None else str(self.data)


def add_error(field, message):
    """Attach an error found outside the field's own validators (e.g. by a service)."""
    field.errors = [*field.errors, message]


def error_summary(form):
    """Parameters for govukErrorSummary: each field's first error, linked to the field."""
    items = []
    for field in form:
        if field.errors:
            items.append({"text": field.errors[0], "href": f"#{_first_control_id(field)}"})
    return {"titleText": "There is a problem", "errorList": items}


@pass_context
def page_errors(context):
    """The one GOV.UK error summary of the page being rendered: each error of every form in its
    context (not only the one called `form`: the minutes' `comment_form`, an item's
    `conflict_form`), then each of a refusal's `problems` no form shows already (a refusal put
    on a form's field is in both; the form's link leads to its control)."""
    return _errors_of(context)


@pass_context
def page_has_errors(context):
    """True when the page shows an error summary: the base template starts its title with
    "Error: " from the same errors."""
    return bool(_errors_of(context))


def _errors_of(context):
    forms = []
    for value in context.get_all().values():
        if isinstance(value, FlaskForm) and value.errors and all(value is not f for f in forms):
            forms.append(value)
    errors = [item for form in forms for item in error_summary(form)["errorList"]]
    shown = {item["text"] for item in errors}
    return errors + [problem for problem in context.get("problems") or ()
                     if problem["text"] not in shown]


def _first_control_id(field):
    # A GOV.UK date input is three boxes; the summary links to the day.
    return f"{field.id}-day" if isinstance(field.widget, GovDateInput) else field.id


class GovukDateField(DateField):
    """A day-month-year date from GOV.UK's three boxes, with a message people can act on."""

    def __init__(self, label=None, validators=None, invalid_message=None, **kwargs):
        kwargs.setdefault("widget", GovDateInput())
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.invalid_message = invalid_message or f"{label} must be a real date"

    def process_formdata(self, valuelist):
        # The GOV.UK widget redisplays exactly three boxes: day, month, year.
        self.raw_data = (list(valuelist) + ["", "", ""])[:3] if valuelist else None
        valuelist = self.raw_data
        if not valuelist or not any(part.strip() for part in valuelist):
            self.data = None
            return
        try:
            super().process_formdata([" ".join(part.strip() for part in valuelist)])
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_message) from None


def remembered(widget_class):
    """`widget_class`, rendering each distinct set of its GOV.UK macro's params once per process
    (the last few hundred): the macro sees nothing but its params, so the HTML is the same, and
    a GOV.UK macro costs about a millisecond a field, a filter form ten, each time it is drawn.
    Only for fields that never hold personal data (a list's filters): the HTML is kept."""

    class Remembered(widget_class):
        def render(self, params):
            return _rendered(self.template, _frozen(params))

    Remembered.__name__ = f"Remembered{widget_class.__name__}"
    return Remembered


@lru_cache(maxsize=512)
def _rendered(template, frozen_params):
    # The macro's own output, as the widget itself marks it.
    return Markup(render_template(template, params=_thawed(frozen_params)))  # noqa: S704


def _frozen(value):
    """Params as a hashable key that tells Markup from text (which the macro escapes)."""
    if isinstance(value, dict):
        # In their order: the macro writes attributes in the order it is given them.
        return ("dict", tuple((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return ("list", tuple(_frozen(item) for item in value))
    if isinstance(value, Markup):
        return ("markup", str(value))
    if value is None or isinstance(value, str | int | float | bool):
        return (type(value).__name__, value)
    raise TypeError(f"Cannot remember a widget's param {value!r}")


def _thawed(frozen):
    kind, value = frozen
    if kind == "dict":
        return {key: _thawed(item) for key, item in value}
    if kind == "list":
        return [_thawed(item) for item in value]
    if kind == "markup":
        return Markup(value)  # noqa: S704 - it was Markup when frozen
    return value


def choices(pairs):
    """WTForms 3.3 choices from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class GovukIntegerField(IntegerField):
    """A whole number, with a message people can act on when it is not one."""

    def __init__(self, label=None, validators=None, invalid_message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message or f"{label} must be a whole number"

    def process_formdata(self, valuelist):
        try:
            super().process_formdata([value.strip() for value in valuelist])
        except ValueError:
            raise ValueError(self.invalid_message) from None


# A time of day on the 24-hour clock, as people type it: 17:00, 9:30 or 17.00.
TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class GovukTimeField(StringField):
    """A time of day typed on the 24-hour clock, read as a `datetime.time`; anything else is the
    field's GOV.UK error."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, invalid_message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message or f"Enter {label} in the 24-hour clock, like 17:00"

    def process_formdata(self, valuelist):
        self.raw_data = list(valuelist)
        typed = str(valuelist[0]).strip() if valuelist else ""
        self.data = None
        if typed:
            found = TIME_PATTERN.match(typed)
            if not found:
                raise ValueError(self.invalid_message)
            self.data = time(int(found.group(1)), int(found.group(2)))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%H:%M") if self.data else ""


class DateRequired:
    """Like DataRequired for GOV.UK dates, but keeps 'must be a real date' when boxes are filled.

    WTForms' DataRequired clears earlier errors, which would replace "must be a real date" with
    "Enter the date" whenever a typed date does not exist.
    """

    field_flags = {"required": True}

    def __init__(self, message, unless=None):
        self.message = message
        self.unless = unless  # another field whose answer makes this one optional

    def __call__(self, form, field):
        if not _typed(field):
            field.errors[:] = []
            if self.unless and _typed(form[self.unless]):
                raise StopValidation()
            raise StopValidation(self.message)


def _typed(field):
    return any((part or "").strip() for part in (field.raw_data or []))
