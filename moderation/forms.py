"""Helpers shared by every form."""

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField, IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation


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


class DateRequired:
    """Like DataRequired for GOV.UK dates, but keeps 'must be a real date' when boxes are filled.

    WTForms' DataRequired clears earlier errors, which would replace "must be a real date" with
    "Enter the date" whenever a typed date does not exist.
    """

    field_flags = {"required": True}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if not any((part or "").strip() for part in (field.raw_data or [])):
            field.errors[:] = []
            raise StopValidation(self.message)
