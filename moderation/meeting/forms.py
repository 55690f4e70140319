"""Forms for the meeting: votes, conflicts, deferral, decisions and actions."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from moderation.models import ActionStatus, PanelOutcome
from moderation.web.forms import GovukIntegerField, IdField, choices, coerce_id


def _text(message, limit=4000, name="The text"):
    return [DataRequired(message),
            Length(max=limit, message=f"{name} must be {limit} characters or fewer")]


class VoteForm(FlaskForm):
    outcome = RadioField("How do you vote?", widget=GovRadioInput(),
                         choices=choices(PanelOutcome.choices()),
                         validators=[InputRequired("Select how you vote")])
    reason = TextAreaField("Your reason", widget=GovTextArea(),
                           validators=_text("Enter the reason for your vote", 2000,
                                            "The reason"))
    submit = SubmitField("Cast vote", widget=GovSubmitInput())


class InRoomVoteForm(VoteForm):
    """The chair records a vote a representative gives in the room."""

    member_id = SelectField("Whose vote is this?", widget=GovSelect(), coerce=coerce_id,
                            validate_choice=False,
                            validators=[InputRequired("Select whose vote this is")])
    submit = SubmitField("Record in-room vote", widget=GovSubmitInput())

    def set_voters(self, members):
        self.member_id.choices = choices(
            [("", "Select a representative")]
            + [(m.id, f"{m.user.name}, {m.agency.name}") for m in members])

    def validate_member_id(self, field):
        if field.data not in {int(c.value) for c in field.choices if c.value}:
            raise ValidationError("Select a present representative without a conflict")


class ConflictForm(FlaskForm):
    # Blank: the signed-in member's own conflict; the chair may choose any member.
    member_id = IdField("Whose conflict is it?",
                        invalid_message="Select whose conflict of interest it is")
    nature = TextAreaField("What is the conflict of interest?", widget=GovTextArea(),
                           validators=_text("Describe the conflict of interest", 1000,
                                            "The description"))
    submit = SubmitField("Declare conflict of interest", widget=GovSubmitInput())


class DeferForm(FlaskForm):
    reason = TextAreaField("Why is the item deferred?", widget=GovTextArea(),
                           validators=_text("Enter why the item is deferred", 1000,
                                            "The reason"))
    submit = SubmitField("Defer to the next session", widget=GovSubmitInput())


class DecisionForm(FlaskForm):
    casting_vote = RadioField("The chair's casting vote", widget=GovRadioInput(),
                              validate_choice=False, choices=[])
    rationale = TextAreaField("The panel's rationale", widget=GovTextArea(),
                              validators=_text("Enter the panel's rationale"))
    dissent = TextAreaField("Dissenting views (optional)", widget=GovTextArea(),
                            validators=[Length(max=4000, message="Dissenting views must be "
                                                                 "4000 characters or fewer")])
    themes = SelectMultipleField("Learning themes", widget=GovCheckboxesInput(),
                                 coerce=coerce_id, validate_choice=False,
                                 description="Select all that apply")
    feedback = TextAreaField(
        "Feedback to the referrer", widget=GovTextArea(),
        description="In plain words: what the panel decided and why. The referrer reads this.",
        validators=_text("Enter the feedback to the referrer"))
    submit = SubmitField("Record decision", widget=GovSubmitInput())

    def set_options(self, tied, themes):
        self.casting_vote.choices = choices((o, PanelOutcome(o).label) for o in tied)
        self.themes.choices = choices((t.id, t.name) for t in themes)

    def validate_casting_vote(self, field):
        if self.casting_vote.choices and not field.data:
            raise ValidationError("The vote is tied: select the chair's casting vote")

    def validate_themes(self, field):
        # A blank value is no choice; any other value that is no possible id is refused.
        if any(value.strip() and coerce_id(value) is None for value in field.raw_data or []):
            raise ValidationError("Select learning themes from the list")
        if not [t for t in field.data or [] if t]:
            raise ValidationError("Select at least one learning theme")


class ActionForm(FlaskForm):
    description = TextAreaField("What needs to be done?", widget=GovTextArea(),
                                validators=_text("Enter what needs to be done", 1000,
                                                 "The action"))
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


class ActionStatusForm(FlaskForm):
    status = RadioField("Status", widget=GovRadioInput(), choices=choices(ActionStatus.choices()),
                        validators=[InputRequired("Select the action's status")])
    note = TextAreaField("Note (needed unless the action is open or done)", widget=GovTextArea(),
                         validators=[Length(max=2000, message="The note must be 2000 characters "
                                                              "or fewer")])
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_note(self, field):
        if self.status.data in ("not_possible", "not_done") and not (field.data or "").strip():
            raise ValidationError("Say why the action was not done")
