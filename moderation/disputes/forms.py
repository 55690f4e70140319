"""Forms for raising, answering and escalating disputes, and editing the escalation policy."""

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
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from moderation.disputes.children import ChildName
from moderation.models import (
    Classification,
    ConcernCategory,
    CscOutcome,
    DisputeType,
    Intent,
    NextStep,
    ReferralMethod,
    Role,
    ToldHow,
)
from moderation.models.dispute_terms import LEVELS_OF_NEED
from moderation.web.forms import (
    DateRequired,
    Form,
    GovukDateField,
    GovukIntegerField,
    GovukTimeField,
    choices,
    coerce_id,
)

LONG_TEXT = 5000


def _text(limit, what):
    return Length(max=limit, message=f"{what} must be {limit} characters or fewer")


def _required_text(message, limit, what):
    return [DataRequired(message), _text(limit, what)]


YES_NO = choices([("yes", "Yes"), ("no", "No")])


class RaiseDisputeForm(Form):
    child_name = StringField(
        "Child's full name", widget=GovTextInput(),
        description="For a child not born yet, write Unborn and the family name, for example "
                    "Unborn Carter.",
        validators=[*_required_text("Enter the child's full name", 200, "The child's name"),
                    ChildName()],
    )
    # One date or the other (raising.check_dates): an unborn child has an expected date of
    # delivery instead of a date of birth.
    child_dob = GovukDateField(
        "Child's date of birth",
        description="For example, 27 3 2019. If the child is not born yet, leave this empty and "
                    "enter the expected date of delivery.",
        validators=[DateRequired("Enter the child's date of birth",
                                 unless="child_expected_delivery_date")],
        invalid_message="The child's date of birth must be a real date",
    )
    child_expected_delivery_date = GovukDateField(
        "Expected date of delivery, if the child is not born yet",
        description="For example, 14 6 2027",
        validators=[Optional()],
        invalid_message="The expected date of delivery must be a real date",
    )
    child_case_number = StringField(
        "Local authority case number (optional)",
        description="If you know it. It helps find earlier disputes about the same child.",
        widget=GovTextInput(), validators=[Optional(), _text(50, "The case number")],
    )
    referral_date = GovukDateField(
        "Date you sent the referral",
        validators=[DateRequired("Enter the date you sent the referral")],
        invalid_message="The date you sent the referral must be a real date",
    )
    referral_method = RadioField(
        "How did you send it?", widget=GovRadioInput(), choices=choices(ReferralMethod.choices()),
        validators=[InputRequired("Select how you sent the referral")],
    )
    referrer_intent = RadioField(
        "What were you asking children's social care to do?", widget=GovRadioInput(),
        choices=choices(Intent.choices()),
        validators=[InputRequired("Select what you were asking children's social care to do")],
    )
    concern_categories = SelectMultipleField(
        "What were your concerns?", description="Select all that apply.",
        widget=GovCheckboxesInput(), choices=choices(ConcernCategory.choices()),
        validators=[DataRequired("Select at least one concern")],
    )
    level_of_need = RadioField(
        "What level of need did you believe applied?", widget=GovRadioInput(),
        choices=choices(LEVELS_OF_NEED.items()), coerce=int,
        validators=[InputRequired("Select the level of need you believed applied")],
    )
    referral_summary = TextAreaField(
        "Summary of your referral", widget=GovTextArea(),
        description="What you told children's social care and why you were worried.",
        validators=_required_text("Enter a summary of your referral", LONG_TEXT, "The summary"),
    )
    csc_decision_date = GovukDateField(
        "Date children's social care made the decision",
        validators=[DateRequired("Enter the date CSC made the decision")],
        invalid_message="The date CSC made the decision must be a real date",
    )
    told_recorded_as = RadioField(
        "How were you told CSC recorded it?", widget=GovRadioInput(),
        choices=choices(Classification.choices()),
        validators=[InputRequired("Select whether CSC recorded it as a contact or a referral")],
    )
    told_outcome = RadioField(
        "What did CSC decide?", widget=GovRadioInput(), choices=choices(CscOutcome.choices()),
        validators=[InputRequired("Select what CSC decided")],
    )
    told_decision_maker = StringField(
        "Who made the decision (optional)", widget=GovTextInput(),
        validators=[Optional(), _text(200, "The decision maker")],
    )
    told_reasons = TextAreaField(
        "Reasons CSC gave (optional)", widget=GovTextArea(),
        validators=[Optional(), _text(LONG_TEXT, "The reasons")],
    )
    dispute_type = RadioField(
        "What do you disagree with?", widget=GovRadioInput(),
        choices=choices(DisputeType.choices()),
        validators=[InputRequired("Select what you disagree with")],
    )
    grounds = TextAreaField(
        "Why do you disagree?", widget=GovTextArea(),
        description="Say what you think should have happened, and why.",
        validators=_required_text("Enter why you disagree", LONG_TEXT, "Your reasons"),
    )
    immediate_risk = RadioField(
        "Is the child at immediate risk of significant harm?", widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired(
            "Select yes if the child is at immediate risk of significant harm")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ConfirmDecisionForm(Form):
    """CSC's own record of its decision; its rules are responding.check_csc_record."""

    csc_recorded_as = RadioField(
        "How did CSC record it?", widget=GovRadioInput(), choices=choices(Classification.choices()),
        validators=[InputRequired("Select whether CSC recorded it as a contact or a referral")],
    )
    csc_outcome = RadioField(
        "What did CSC decide?", widget=GovRadioInput(), choices=choices(CscOutcome.choices()),
        validators=[InputRequired("Select what CSC decided")],
    )
    csc_rationale = TextAreaField(
        "CSC's rationale", widget=GovTextArea(),
        description="Why CSC decided as it did, as recorded at the time. The referrer and the "
                    "panel will read this.",
        # Required by the record's rules (responding.check_csc_record), refused with the rest.
        validators=[Optional(), _text(LONG_TEXT, "The rationale")],
    )
    decision_maker_id = SelectField(
        "A CSC manager who uses this service", widget=GovSelect(), validate_choice=False,
        coerce=coerce_id,
    )
    decision_maker_name = StringField(
        "Or their name, if they do not use this service", widget=GovTextInput(),
        validators=[Optional(), _text(200, "The decision maker's name")],
    )
    authorising_manager_id = SelectField(
        "A CSC manager who uses this service", widget=GovSelect(), validate_choice=False,
        coerce=coerce_id,
    )
    authorising_manager_name = StringField(
        "Or their name, if they do not use this service", widget=GovTextInput(),
        validators=[Optional(), _text(200, "The authorising manager's name")],
    )
    told_how = RadioField(
        "How did CSC tell the referrer of its decision?", widget=GovRadioInput(),
        choices=choices(ToldHow.choices()), validate_choice=False,  # the record's rule says it
    )
    told_on = GovukDateField(
        "Date CSC told the referrer", description="Leave empty if the referrer was not told.",
        validators=[Optional()],
        invalid_message="The date CSC told the referrer must be a real date",
    )
    submit = SubmitField("Save CSC's decision", widget=GovSubmitInput())

    def set_managers(self, managers):
        options = choices([("", "Choose a CSC manager")]
                          + [(manager.id, manager.name) for manager in managers])
        self.decision_maker_id.choices = options
        self.authorising_manager_id.choices = list(options)

    def fill_from(self, dispute):
        """The record as CSC last saved it, or the referrer's account where CSC has none."""
        self.csc_recorded_as.data = dispute.effective_recorded_as
        self.csc_outcome.data = dispute.effective_outcome
        self.csc_rationale.data = dispute.csc_rationale
        for person in ("decision_maker", "authorising_manager"):
            getattr(self, f"{person}_id").data = getattr(dispute, f"csc_{person}_id")
            getattr(self, f"{person}_name").data = getattr(dispute, f"csc_{person}_name")
        self.told_how.data = dispute.csc_told_referrer_how
        self.told_on.data = dispute.csc_told_referrer_on


class RespondForm(Form):
    """The answer at a stage, in the voice of whoever handles it (for_stage)."""

    response = TextAreaField(
        "CSC's response", widget=GovTextArea(),
        description="The reasons for this answer. The referrer will read it.",
        validators=_required_text("Enter CSC's response", LONG_TEXT, "The response"),
    )
    next_step = RadioField(
        "Is the dispute settled?", widget=GovRadioInput(),
        # None to offer until for_stage: a dispute with no stage left to answer (a second
        # answer sent after the first settled it) refuses every choice instead of failing.
        choices=[], validators=[InputRequired("Select whether the dispute is settled")],
    )
    settlement_outcome = RadioField(
        "What is CSC's decision now?", widget=GovRadioInput(),
        choices=choices(CscOutcome.choices()), validate_choice=False,
    )
    settlement_note = TextAreaField("What should the referrer be told?", widget=GovTextArea())
    submit = SubmitField("Send response", widget=GovSubmitInput())

    def for_stage(self, stage, unresolved):
        """Speak for whoever answers `stage`; `unresolved`: what "not resolved" leads to."""
        voice = stage.voice
        self.response.label.text = voice.response
        self.response.validators[0].message = voice.enter_response
        self.next_step.choices = choices([
            (NextStep.SETTLE, f"Yes: {voice.revised}"),
            (NextStep.REFERRER_ACCEPTS, f"Yes: the referrer accepts {voice.explanation} (the "
                                        "referrer will be asked to confirm)"),
            (NextStep.UNRESOLVED, f"No: {unresolved}"),
        ])
        return self

    def validate_settlement_outcome(self, field):
        if self.next_step.data in NextStep.SETTLING and field.data not in {
                c.value for c in CscOutcome}:
            raise ValidationError("Select CSC's decision now")

    def validate_settlement_note(self, field):
        if self.next_step.data in NextStep.SETTLING and not (field.data or "").strip():
            raise ValidationError("Enter what the referrer should be told")
        if len(field.data or "") > LONG_TEXT:
            raise ValidationError(f"The note must be {LONG_TEXT} characters or fewer")


class EscalateForm(Form):
    to_position = RadioField(
        "Escalate to", widget=GovRadioInput(), coerce=int,
        validators=[InputRequired("Select the stage to escalate to")],
    )
    skip_reason = TextAreaField(
        "Reason for skipping a stage",
        description="Needed if you skip a stage, unless the child is at immediate risk.",
        widget=GovTextArea(), validators=[Optional(), _text(LONG_TEXT, "The reason")],
    )
    new_information = TextAreaField(
        "New information for the next stage (optional)",
        description="Anything that has happened or come to light since. It is dated and marked "
                    "new in the papers.",
        widget=GovTextArea(), validators=[Optional(), _text(LONG_TEXT, "The new information")],
    )
    referrer_manager_id = SelectField(
        "Your manager (optional)",
        description="They will be able to read this dispute and add information to it.",
        widget=GovSelect(), validate_choice=False, coerce=coerce_id,
    )
    submit = SubmitField("Escalate", widget=GovSubmitInput())

    def for_referrer(self, managers, named_id):
        """The referrer also adds information and names their manager; CSC only escalates."""
        self.referrer_manager_id.choices = choices(
            [("", "Not named")] + [(manager.id, manager.name) for manager in managers])
        if self.referrer_manager_id.data is None and not self.is_submitted():
            self.referrer_manager_id.data = named_id
        return self

    def for_csc(self):
        del self.new_information
        del self.referrer_manager_id
        return self


class AddInformationForm(Form):
    text = TextAreaField(
        "New information", widget=GovTextArea(),
        description="Anything that has happened or come to light since you raised the dispute. "
                    "It is dated and marked new in the papers.",
        validators=_required_text("Enter the new information", LONG_TEXT,
                                  "The new information"),
    )
    submit = SubmitField("Add the information", widget=GovSubmitInput())


class RecordBirthForm(Form):
    """The unborn child has been born; its rules are raising.record_birth."""

    child_name = StringField(
        "Child's full name", widget=GovTextInput(),
        validators=[*_required_text("Enter the child's full name", 200, "The child's name"),
                    ChildName()],
    )
    child_dob = GovukDateField(
        "Date of birth", description="For example, 3 6 2027",
        validators=[DateRequired("Enter the date of birth")],
        invalid_message="The date of birth must be a real date",
    )
    submit = SubmitField("Record the birth", widget=GovSubmitInput())


class PolicyStageForm(Form):
    name = StringField("Stage name", widget=GovTextInput(),
                       validators=_required_text("Enter the stage's name", 200, "The name"))
    who_acts = TextAreaField(
        "Who acts at this stage", widget=GovTextArea(),
        validators=_required_text("Enter who acts at this stage", 2000, "The description"),
    )
    answering_role = RadioField(
        "Which role answers it?", widget=GovRadioInput(),
        choices=choices([(Role.CSC_MANAGER.value, Role.CSC_MANAGER.label)]),
        validators=[InputRequired("Select which role answers this stage")],
    )
    working_days = GovukIntegerField(
        "Time limit in working days", widget=GovTextInput(),
        invalid_message="The time limit must be a whole number of working days, like 5",
        validators=[
            InputRequired("Enter the time limit in working days, like 5"),
            NumberRange(1, 60, "The time limit must be between 1 and 60 working days"),
        ],
    )
    independent = RadioField(
        "Must someone other than the original decision maker answer it?",
        widget=GovRadioInput(), choices=YES_NO,
        validators=[InputRequired("Select yes if the original decision maker may not answer it")],
    )
    submit = SubmitField("Save stage", widget=GovSubmitInput())


class UrgentStageForm(PolicyStageForm):
    """A stage of the urgent route: due the same working day, so no time limit to set; the
    partnership's named senior lead may answer one."""

    working_days = None
    answering_role = RadioField(
        "Which role answers it?", widget=GovRadioInput(),
        choices=choices([
            (Role.CSC_MANAGER.value, Role.CSC_MANAGER.label),
            (Role.PARTNERSHIP_MANAGER.value,
             "The partnership's named senior lead (a partnership manager)"),
        ]),
        validators=[InputRequired("Select which role answers this stage")],
    )


class UrgentContactForm(Form):
    urgent_contact = TextAreaField(
        "Who to contact when a child is at immediate risk", widget=GovTextArea(),
        validators=_required_text("Enter who to contact when a child is at immediate risk",
                                  1000, "The urgent contact"),
    )
    urgent_contact_user_id = RadioField(
        "Who is told at once of every urgent dispute?", widget=GovRadioInput(),
        coerce=coerce_id, validate_choice=False,
        description="As well as every CSC manager. They are told in the app at once and by an "
                    "email marked urgent.",
        validators=[InputRequired("Select the person told at once of every urgent dispute")],
    )
    submit = SubmitField("Save urgent contact", widget=GovSubmitInput())

    def offer(self, people):
        self.urgent_contact_user_id.choices = choices(
            (person.id, f"{person.name}, {person.agency.name}") for person in people)
        return self


class TimeLimitsForm(Form):
    settlement_reply_days = GovukIntegerField(
        "Working days a referrer has to confirm a settlement", widget=GovTextInput(),
        description="When CSC settles on the referrer accepting its explanation. With no answer "
                    "the dispute escalates to its next stage.",
        invalid_message="Enter a whole number of working days, like 5",
        validators=[InputRequired("Enter the working days a referrer has to confirm, like 5"),
                    NumberRange(1, 30, "The working days must be between 1 and 30")],
    )
    csc_action_days = GovukIntegerField(
        "Working days CSC has to act when the panel overturns its decision",
        widget=GovTextInput(), invalid_message="Enter a whole number of working days, like 1",
        validators=[InputRequired("Enter the working days CSC has to act, like 1"),
                    NumberRange(1, 30, "The working days must be between 1 and 30")],
    )
    minutes_comment_days = GovukIntegerField(
        "Working days panel members have to comment on draft minutes", widget=GovTextInput(),
        description="From when the chair circulates the draft to the members present.",
        invalid_message="Enter a whole number of working days, like 5",
        validators=[InputRequired("Enter the working days members have to comment, like 5"),
                    NumberRange(1, 30, "The working days must be between 1 and 30")],
    )
    urgent_due_time = GovukTimeField(
        "The time urgent stages are due each working day",
        description="On the urgent route each stage is answered by this time, on the 24-hour "
                    "clock between 12:00 and 19:00. One not answered by then moves on to its "
                    "next stage within 15 minutes. Office hours are 9:00 to 17:00.",
        invalid_message="Enter the time urgent stages are due in the 24-hour clock, like 17:00",
        validators=[InputRequired("Enter the time urgent stages are due, like 17:00")],
    )
    submit = SubmitField("Save time limits", widget=GovSubmitInput())


class SettlementReplyForm(Form):
    reply = RadioField(
        "Do you accept CSC's explanation and agree the dispute is settled?",
        widget=GovRadioInput(),
        choices=choices([("confirm", "Yes, the dispute is settled"),
                         ("decline", "No, I do not accept it: return the dispute to its stage")]),
        validators=[InputRequired("Select whether you accept the settlement")],
    )
    submit = SubmitField("Send your answer", widget=GovSubmitInput())
