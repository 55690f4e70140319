"""The outcome filters (a GET form: no CSRF needed, nothing changes), the learning summary's
form (its vignettes, one pair of fields per decision in the period) and the themes form."""

from datetime import timedelta

from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from moderation.models import ConcernCategory
from moderation.models.dispute_terms import LEVELS_OF_NEED
from moderation.outcomes.figures import PERIODS, Filters, period_for
from moderation.web.forms import Form, GovukDateField, IdField, choices, coerce_id, remembered

LONGEST = timedelta(days=366 * 5)
# The filters are drawn on every view of the dashboard, the same few ways (the agency list is
# long at national scale): each way once. They hold no personal data.
Radios, Select, DateInput = remembered(GovRadioInput), remembered(GovSelect), remembered(
    GovDateInput)


def _level(value):
    """A level of need from the address, or None for all levels (or for any other value)."""
    level = coerce_id(value)
    return level if level in LEVELS_OF_NEED else None


class OutcomeFilterForm(Form):
    class Meta:
        csrf = False

    period = RadioField("Period", widget=Radios(), default="year",
                        choices=choices(PERIODS.items()))
    start = GovukDateField("From", widget=DateInput(),
                           invalid_message="The start date must be a real date")
    end = GovukDateField("To", widget=DateInput(),
                         invalid_message="The end date must be a real date")
    agency = SelectField("Referring agency", widget=Select(), coerce=coerce_id,
                         validate_choice=False)
    category = SelectField("Concern category", widget=Select(), validate_choice=False,
                           choices=choices([("", "All categories"), *ConcernCategory.choices()]))
    level = SelectField("Level of need claimed", widget=Select(), coerce=_level,
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


class Chosen(BooleanField):
    """A vignette's "Include" box: chosen only when it sends "yes", as the page's box does."""

    def process_formdata(self, valuelist):
        self.data = bool(valuelist) and valuelist[0] == "yes"


class SummaryForm(Form):
    """The manager's recommendations and, for each decision the page offers as a vignette,
    `use-<decision id>` (include it) and `text-<decision id>` (its text, as edited)."""

    recommendations = TextAreaField(
        "The manager's recommendations", widget=GovTextArea(),
        validators=[Length(max=8000, message="Recommendations must be 8000 characters or "
                                             "fewer")])

    @classmethod
    def offering(cls, candidates, **kwargs):
        """The form for these candidates: each text starts as the suggested, anonymised one."""

        class Form(cls):
            pass

        for position, candidate in enumerate(candidates, start=1):
            decision_id = candidate["decision_id"]
            setattr(Form, f"use-{decision_id}", Chosen(f"Include vignette {position}"))
            # Named and found as the page numbers them, so an error leads to its box.
            setattr(Form, f"text-{decision_id}",
                    TextAreaField(f"Text of vignette {position}", id=f"vignette-{position}",
                                  default=candidate["text"]))
        form = Form(**kwargs)
        form.candidates = candidates
        return form

    def offered(self, candidate):
        """(include it?, its text) for one candidate, for the page."""
        decision_id = candidate["decision_id"]
        return self[f"use-{decision_id}"].data, self[f"text-{decision_id}"].data

    def chosen_texts(self):
        """The texts, numbered as the page numbers them: None for a vignette not chosen. (Not
        named after a field: a refusal about "vignettes" is the page's, not a field's.)"""
        chosen = (self.offered(candidate) for candidate in self.candidates)
        return [(text or "") if use else None for use, text in chosen]


class ThemesForm(Form):
    """Add a learning theme (`name`), or retire or bring back one (the button pressed sends the
    theme's id as `retire` or `restore`). The rules on names are the service's."""

    name = StringField("Add a learning theme", widget=GovTextInput())
    retire = IdField(invalid_message="Choose a learning theme from the list")
    restore = IdField(invalid_message="Choose a learning theme from the list")

    def pressed(self):
        """Whether a theme's Retire or Bring back button was pressed (whatever it sent)."""
        return any(field.raw_data and field.raw_data[0] for field in (self.retire, self.restore))

    def chosen_theme_id(self):
        return self.retire.data or self.restore.data
