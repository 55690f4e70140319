"""The subject access search: a child's name and date of birth, or a case number."""

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import HiddenField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Length

from moderation.web.forms import Form, GovukDateField


def _limit(limit, what):
    return Length(max=limit, message=f"{what} must be {limit} characters or fewer")


class SearchForm(Form):
    """Which fields must be filled, and together, is the service's rule (subject_access.find):
    the form only reads what was typed."""

    child_name = StringField("Child's full name", widget=GovTextInput(),
                             validators=[_limit(200, "The child's name")])
    child_dob = GovukDateField("Child's date of birth",
                               description="For example, 27 3 2019. For a child not born yet, "
                                           "the expected date of delivery.",
                               invalid_message="The child's date of birth must be a real date")
    case_number = StringField(
        "Or a local authority case number",
        description="Search by a case number alone, or by the name and date of birth.",
        widget=GovTextInput(), validators=[_limit(50, "The case number")])
    submit = SubmitField("Search", widget=GovSubmitInput())


class ExportForm(SearchForm):
    """The same search again, carried in hidden fields, the disputes ticked and the file's
    format. Which ticked ids count is the service's rule (subject_access.Found.chosen)."""

    format = HiddenField()
    chosen = SelectMultipleField("Records to export", validate_choice=False)
