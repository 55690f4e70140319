"""The outcome filters (a GET form: no CSRF needed, nothing changes) and the summary form."""

from datetime import timedelta

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextArea
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import Length, ValidationError

from moderation.models import ConcernCategory
from moderation.models.disputes import LEVELS_OF_NEED
from moderation.outcomes.figures import PERIODS, Filters, period_for
from moderation.web.forms import GovukDateField, choices, coerce_id

LONGEST = timedelta(days=366 * 5)


def _level(value):
    """A level of need from the address, or None for all levels (or for any other value)."""
    level = coerce_id(value)
    return level if level in LEVELS_OF_NEED else None


class OutcomeFilterForm(FlaskForm):
    class Meta:
        csrf = False

    period = RadioField("Period", widget=GovRadioInput(), default="year",
                        choices=choices(PERIODS.items()))
    start = GovukDateField("From", invalid_message="The start date must be a real date")
    end = GovukDateField("To", invalid_message="The end date must be a real date")
    agency = SelectField("Referring agency", widget=GovSelect(), coerce=coerce_id,
                         validate_choice=False)
    category = SelectField("Concern category", widget=GovSelect(), validate_choice=False,
                           choices=choices([("", "All categories"), *ConcernCategory.choices()]))
    level = SelectField("Level of need claimed", widget=GovSelect(), coerce=_level,
                        validate_choice=False,
                        choices=choices([("", "All levels"), *LEVELS_OF_NEED.items()]))

    def validate_period(self, field):
        if field.data not in PERIODS:
            raise ValidationError("Select a period")

    def validate_start(self, field):
        if self.period.data == "custom" and field.data is None and not field.errors:
            raise ValidationError("Enter the start date")

    def validate_end(self, field):
        if self.period.data != "custom" or field.errors:
            return
        if field.data is None:
            raise ValidationError("Enter the end date")
        if self.start.data and field.data < self.start.data:
            raise ValidationError("The end date must be the same as or after the start date")
        if self.start.data and field.data - self.start.data > LONGEST:
            raise ValidationError("The period must be five years or shorter")

    def validate_category(self, field):
        if field.data and not ConcernCategory.has(field.data):
            raise ValidationError("Select a concern category from the list")

    def chosen(self):
        return (period_for(self.period.data or "year", self.start.data, self.end.data),
                Filters(self.agency.data, self.category.data or None, self.level.data))


class SummaryForm(FlaskForm):
    recommendations = TextAreaField(
        "The manager's recommendations", widget=GovTextArea(),
        validators=[Length(max=8000, message="Recommendations must be 8000 characters or "
                                             "fewer")])
