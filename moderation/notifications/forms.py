"""The email settings form."""

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput
from wtforms import SelectMultipleField, SubmitField

from moderation.web.forms import Form, choices


class EmailSettingsForm(Form):
    """Which optional emails the user wants; the ones policy requires are not offered."""

    email = SelectMultipleField(
        "Email me when", widget=GovCheckboxesInput(), validate_choice=False,  # unknown: ignored
    )
    submit = SubmitField("Save email settings", widget=GovSubmitInput())

    def offer(self, kinds):
        """Offer the optional kinds among those the user's roles receive."""
        self.email.choices = choices((kind, spec.label) for kind, spec in kinds.items()
                                     if not spec.required)
        return self
