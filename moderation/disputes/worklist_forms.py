"""The CSC work list's filters: a GET form that changes nothing, so it has no CSRF token; bad
input is the field's GOV.UK error and the list is shown unfiltered beside it."""

import re

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import Optional, ValidationError

from moderation.models import DisputeStatus
from moderation.web.forms import Form, GovukDateField, choices, remembered

# A dispute's reference as the service writes it: D-2026-0042 (the number grows past 4 digits).
REFERENCE = re.compile(r"^D-\d{4}-\d{4,9}$")
OPEN = "open"
ANY = "any"
STATUSES = [(OPEN, "Open (not yet settled, decided or withdrawn)"), (ANY, "Any status"),
            *DisputeStatus.choices()]


# The filters are drawn on every view of the list, the same few ways: each way once.
TextInput, Select, CheckboxInput, SubmitInput, DateInput = (
    remembered(GovTextInput), remembered(GovSelect), remembered(GovCheckboxInput),
    remembered(GovSubmitInput), remembered(GovDateInput))


class WorklistForm(Form):
    class Meta:
        csrf = False  # a GET filter that changes nothing

    reference = StringField("Reference", widget=TextInput(), validators=[Optional()],
                            description="For example, D-2026-0042")
    status = SelectField("Status", widget=Select(), choices=choices(STATUSES), default=OPEN,
                         validate_choice=False)
    waiting = BooleanField("Waiting for CSC to answer", widget=CheckboxInput())
    urgent = BooleanField("Immediate risk", widget=CheckboxInput())
    overdue = BooleanField("A stage is overdue", widget=CheckboxInput())
    received_from = GovukDateField(
        "Received from", validators=[Optional()], widget=DateInput(),
        invalid_message="'Received from' must be a real date, for example 2 11 2026")
    received_to = GovukDateField(
        "Received to", validators=[Optional()], widget=DateInput(),
        invalid_message="'Received to' must be a real date, for example 30 11 2026")
    submit = SubmitField("Filter the list", widget=SubmitInput())

    def validate_reference(self, field):
        if self.typed_reference() and not REFERENCE.match(self.typed_reference()):
            raise ValidationError("Enter a reference like D-2026-0042")

    def typed_reference(self):
        """The reference as the service writes it, however it was typed ("d-2026-0042 ")."""
        return (self.reference.data or "").strip().upper()

    def validate_status(self, field):
        if field.data not in {value for value, _ in STATUSES}:
            raise ValidationError("Select a status from the list")

    def validate_received_to(self, field):
        if field.data and self.received_from.data and field.data < self.received_from.data:
            raise ValidationError("'Received to' must be the same as or after 'Received from'")
