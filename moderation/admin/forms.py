"""Forms to manage agencies and users, with GOV.UK error messages."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from moderation.models import AgencyKind, Role
from moderation.models.people import AGENCY_KIND_LABELS, ROLE_LABELS
from moderation.web.forms import Form, GovukDateField, choices, coerce_id


class AgencyForm(Form):
    name = StringField(
        "Agency name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the agency's name"),
            Length(max=200, message="Agency name must be 200 characters or fewer"),
        ],
    )
    kind = RadioField(
        "What kind of agency is it?",
        widget=GovRadioInput(),
        choices=choices((kind.value, AGENCY_KIND_LABELS[kind]) for kind in AgencyKind),
        validators=[InputRequired("Select what kind of agency it is")],
    )
    is_core = BooleanField(
        "Core agency: quorum needs a representative of this agency",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save agency", widget=GovSubmitInput())


class UserForm(Form):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the user's full name"),
            Length(max=200, message="Full name must be 200 characters or fewer"),
        ],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the user's email address"),
            Email(
                "Enter an email address in the correct format, like name@example.org",
                check_deliverability=False,
            ),
            Length(max=320, message="Email address must be 320 characters or fewer"),
        ],
    )
    agency_id = SelectField(
        "Agency",
        widget=GovSelect(),
        coerce=coerce_id,
        validate_choice=False,
        validators=[InputRequired("Select the user's agency")],
    )
    roles = SelectMultipleField(
        "Roles",
        description="Select all that apply.",
        widget=GovCheckboxesInput(),
        choices=choices((role.value, ROLE_LABELS[role]) for role in Role),
        validators=[DataRequired("Select at least one role")],
    )
    active = BooleanField("Account is active (the user can sign in)", widget=GovCheckboxInput())
    submit = SubmitField("Save user", widget=GovSubmitInput())

    def set_agency_choices(self, agencies):
        options = [("", "Select an agency")] + [(agency.id, agency.name) for agency in agencies]
        self.agency_id.choices = choices(options)

    def validate_agency_id(self, field):
        if field.data not in {int(c.value) for c in field.choices if c.value}:
            raise ValidationError("Select the user's agency")


class ResetPasswordForm(Form):
    submit = SubmitField("Reset password", widget=GovSubmitInput())


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET filter that changes nothing

    action = SelectField("Action", widget=GovSelect(), validate_choice=False)
    actor = StringField(
        "Who (name or email contains)", widget=GovTextInput(), validators=[Optional()]
    )
    object_type = SelectField("Record type", widget=GovSelect(), validate_choice=False)
    date_from = GovukDateField(
        "From", validators=[Optional()], invalid_message="'From' must be a real date"
    )
    date_to = GovukDateField(
        "To", validators=[Optional()], invalid_message="'To' must be a real date"
    )

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("'To' must be the same as or after 'From'")
    submit = SubmitField("Filter", widget=GovSubmitInput())
