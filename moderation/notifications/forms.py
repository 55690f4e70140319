"""The email settings form."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput
from wtforms import SelectMultipleField, SubmitField

from moderation.notifications.kinds import KINDS
from moderation.web.forms import choices


class EmailSettingsForm(FlaskForm):
    """Which optional emails the user wants; the ones policy requires are not offered."""

    email = SelectMultipleField(
        "Email me when", widget=GovCheckboxesInput(), validate_choice=False,  # unknown: ignored
        choices=choices((kind, spec.label) for kind, spec in KINDS.items() if not spec.required),
    )
    submit = SubmitField("Save email settings", widget=GovSubmitInput())
