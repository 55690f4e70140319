"""Forms for actions: the chair sets one at the meeting; its owner updates its status."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from moderation.models import ActionStatus
from moderation.web.forms import Form, GovukIntegerField, choices, coerce_id


class ActionForm(Form):
    description = TextAreaField(
        "What needs to be done?", widget=GovTextArea(),
        validators=[DataRequired("Enter what needs to be done"),
                    Length(max=1000, message="The action must be 1000 characters or fewer")])
    owner_id = SelectField("Who owns it?", widget=GovSelect(), coerce=coerce_id,
                           validate_choice=False,
                           validators=[InputRequired("Select who owns the action")])
    working_days = GovukIntegerField(
        "Due in how many working days after the session?", widget=GovTextInput(),
        invalid_message="The due date must be a whole number of working days, like 10",
        validators=[InputRequired("Enter how many working days the owner has"),
                    NumberRange(1, 130, "The action must be due in between 1 and 130 "
                                        "working days")])
    submit = SubmitField("Add action", widget=GovSubmitInput())

    def set_owners(self, users):
        self.owner_id.choices = choices([("", "Select a person")]
                                        + [(u.id, f"{u.name}, {u.agency.name}") for u in users])

    def validate_owner_id(self, field):
        if field.data is None:
            raise ValidationError("Select who owns the action")


class ActionStatusForm(Form):
    status = RadioField("Status", widget=GovRadioInput(), choices=choices(ActionStatus.choices()),
                        validators=[InputRequired("Select the action's status")])
    note = TextAreaField("Note (needed unless the action is open or done)", widget=GovTextArea(),
                         validators=[Length(max=2000, message="The note must be 2000 characters "
                                                              "or fewer")])
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_note(self, field):
        if self.status.data in ("not_possible", "not_done") and not (field.data or "").strip():
            raise ValidationError("Say why the action was not done")
