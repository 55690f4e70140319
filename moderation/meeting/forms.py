"""Forms for the meeting: the register, the start, votes, conflicts, deferral, decisions and
the minutes."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from moderation.models import AttendanceStatus, PanelOutcome
from moderation.web.forms import Form, IdField, choices, coerce_id


def _text(message, limit=4000, name="The text"):
    return [DataRequired(message),
            Length(max=limit, message=f"{name} must be {limit} characters or fewer")]


class VoteForm(Form):
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


class ConflictForm(Form):
    # Blank: the signed-in member's own conflict; the chair may choose any member.
    member_id = IdField("Whose conflict is it?",
                        invalid_message="Select whose conflict of interest it is")
    nature = TextAreaField("What is the conflict of interest?", widget=GovTextArea(),
                           validators=_text("Describe the conflict of interest", 1000,
                                            "The description"))
    submit = SubmitField("Declare conflict of interest", widget=GovSubmitInput())


class DeferForm(Form):
    reason = TextAreaField("Why is the item deferred?", widget=GovTextArea(),
                           validators=_text("Enter why the item is deferred", 1000,
                                            "The reason"))
    submit = SubmitField("Defer to the next session", widget=GovSubmitInput())


class DecisionForm(Form):
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


# The register and the start of the meeting --------------------------------------------------


class YesField(BooleanField):
    """A checkbox whose value is "yes": ticked only when "yes" is sent."""

    def process_formdata(self, valuelist):
        self.data = valuelist[:1] == ["yes"]


class RegisterForm(Form):
    """The chair's register: for each member sitting on the panel, `status-<member id>`
    (present, apologies or absent) and `acknowledged-<member id>` (accepted the confidentiality
    statement in the room). Members whose status is not sent are left as they were."""

    member_ids = ()

    @classmethod
    def for_register(cls, register, **kwargs):
        """The form for this register (the service's (member, attendance) pairs), filled in as it
        was recorded."""
        fields = {"member_ids": tuple(member.id for member, _ in register)}
        data = {}
        for member, row in register:
            fields[f"status-{member.id}"] = RadioField(
                choices=choices(AttendanceStatus.choices()), validate_choice=False)
            fields[f"acknowledged-{member.id}"] = YesField()
            data[f"status-{member.id}"] = row.status if row else None
            data[f"acknowledged-{member.id}"] = bool(row and row.confidentiality_acknowledged_at)
        return type("SessionRegisterForm", (cls,), fields)(data=data, **kwargs)

    def status(self, member):
        return self[f"status-{member.id}"]

    def acknowledged(self, member):
        return self[f"acknowledged-{member.id}"]

    def entries(self):
        """member id -> (status, acknowledged) for each member whose status was sent; the
        service refuses a status that is not one of the three."""
        sent = {}
        for member_id in self.member_ids:
            status = self[f"status-{member_id}"]
            if status.raw_data and status.data:
                sent[member_id] = (status.data, self[f"acknowledged-{member_id}"].data)
        return sent


class StartMeetingForm(Form):
    # Needed only before the session's date: the service says so, on this field.
    early_reason = TextAreaField("Why must the meeting start early?")


# The minutes ---------------------------------------------------------------------------------


class MinutesForm(Form):
    """The chair's text in the draft minutes: the opening remarks, a summary of each item
    (`item-<item id>`) and any other business. The limits and rule 13 are the service's."""

    opening = TextAreaField("Opening remarks (optional)")
    closing = TextAreaField("Any other business (optional)")
    item_keys = ()

    @classmethod
    def for_draft(cls, version, **kwargs):
        """The form for this version's parts, filled in with its text."""
        texts = version.texts or {}
        keys = tuple(texts.get("items", {}))
        fields = {f"item-{key}": TextAreaField("Summary of the item") for key in keys}
        form_class = type("DraftMinutesForm", (cls,), {"item_keys": keys, **fields})
        data = {"opening": texts.get("opening"), "closing": texts.get("closing"),
                **{f"item-{key}": text for key, text in texts.get("items", {}).items()}}
        return form_class(data=data, **kwargs)

    def item(self, key):
        return self[f"item-{key}"]

    def texts(self):
        return {"opening": self.opening.data, "closing": self.closing.data,
                "items": {key: self.item(key).data for key in self.item_keys}}


class CorrectionForm(Form):
    change_note = TextAreaField("What does the correction change?")


class CommentForm(Form):
    """A member's comment on the draft minutes; the service checks it (when, who, rule 13)."""

    text = TextAreaField("Your comment on the draft", widget=GovTextArea())
    submit = SubmitField("Add comment", widget=GovSubmitInput())


class ApproveForm(Form):
    """The confirmation step before approving: the button sends confirm=yes."""

    confirm = YesField()
