"""Forms to schedule, move and cancel panel sessions, manage the panel and build agendas."""

from datetime import time

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from moderation.models import MemberRole
from moderation.panels.series import POSITIONS, WEEKDAYS
from moderation.web.forms import (
    TIME_PATTERN,
    DateRequired,
    Form,
    GovukDateField,
    GovukIntegerField,
    IdField,
    choices,
    coerce_id,
)


class MeetingForm(Form):
    """When and where a session meets."""

    starts_at = StringField(
        "Start time", description="Use the 24-hour clock, like 10:00", widget=GovTextInput(),
        validators=[DataRequired("Enter the start time")],
    )
    duration_minutes = GovukIntegerField(
        "Length in minutes", widget=GovTextInput(),
        invalid_message="The length must be a whole number of minutes, like 180",
        validators=[InputRequired("Enter the length in minutes"),
                    NumberRange(30, 480, "The length must be between 30 and 480 minutes")],
    )
    place = StringField("Place (optional if online)", widget=GovTextInput(),
                        validators=[Length(max=300, message="The place must be "
                                                             "300 characters or fewer")])
    online_link = StringField(
        "Online meeting link (optional)", widget=GovTextInput(),
        validators=[Optional(), URL(message="Enter the online link in the correct format, "
                                            "like https://meet.example.org/panel"),
                    Length(max=500, message="The link must be 500 characters or fewer")],
    )
    def validate_starts_at(self, field):
        if not TIME_PATTERN.match((field.data or "").strip()):
            raise ValidationError("Enter the start time in the 24-hour clock, like 10:00")

    def validate_place(self, field):
        if not (field.data or "").strip() and not (self.online_link.data or "").strip():
            raise ValidationError("Enter a place or an online link")

    def start_time(self):
        hours, minutes = TIME_PATTERN.match(self.starts_at.data.strip()).groups()
        return time(int(hours), int(minutes))

    def meeting(self):
        return {
            "starts_at": self.start_time(),
            "duration_minutes": self.duration_minutes.data,
            "place": (self.place.data or "").strip() or None,
            "online_link": (self.online_link.data or "").strip() or None,
        }


class SessionTermsForm(MeetingForm):
    capacity = GovukIntegerField(
        "How many cases can it take?", widget=GovTextInput(),
        invalid_message="The number of cases must be a whole number, like 8",
        validators=[InputRequired("Enter how many cases the session can take"),
                    NumberRange(1, 30, "The number of cases must be between 1 and 30")],
    )
    cutoff_working_days = GovukIntegerField(
        "Agenda cut-off, in working days before the session", widget=GovTextInput(),
        invalid_message="The cut-off must be a whole number of working days, like 5",
        validators=[InputRequired("Enter the agenda cut-off in working days"),
                    NumberRange(0, 20, "The cut-off must be between 0 and 20 working days")],
    )

    def terms(self):
        return {**self.meeting(), "capacity": self.capacity.data,
                "cutoff_working_days": self.cutoff_working_days.data}


class SessionForm(SessionTermsForm):
    held_on = GovukDateField("Date", validators=[DateRequired("Enter the session's date")],
                             invalid_message="The session's date must be a real date")
    submit = SubmitField("Schedule session", widget=GovSubmitInput())


class ExtraordinaryForm(MeetingForm):
    """An extraordinary session: only the time and place; its date follows from the time."""

    starts_at = StringField(
        "Start time", widget=GovTextInput(), default="10:00",
        description="Use the 24-hour clock, like 10:00. The session is today if that time is "
                    "still ahead on a working day, otherwise on the next working day",
        validators=[DataRequired("Enter the start time")],
    )
    submit = SubmitField("Call the extraordinary panel", widget=GovSubmitInput())

    def chosen_time(self):
        """The time typed, if it is one; else None (the page then shows no date yet)."""
        valid = TIME_PATTERN.match((self.starts_at.data or "").strip())
        return self.start_time() if valid else None


class SeriesForm(SessionTermsForm):
    position = RadioField(
        "Which week of the month?", widget=GovRadioInput(), coerce=int,
        choices=choices((value, label.capitalize()) for value, label in POSITIONS.items()),
        validators=[InputRequired("Select which week of the month")],
    )
    weekday = RadioField(
        "Which day?", widget=GovRadioInput(),
        choices=choices((code, name) for code, (name, _) in WEEKDAYS.items()),
        validators=[InputRequired("Select which day of the week")],
    )
    first_on = GovukDateField("Starting from", validators=[DateRequired("Enter the first date")],
                              invalid_message="The first date must be a real date")
    submit = SubmitField("Schedule series", widget=GovSubmitInput())


class CancelForm(Form):
    reason = TextAreaField("Why is the session cancelled?", widget=GovTextArea(),
                           validators=[DataRequired("Enter why the session is cancelled"),
                                       Length(max=1000, message="The reason must be 1000 "
                                                                "characters or fewer")])
    submit = SubmitField("Cancel session", widget=GovSubmitInput())


class MoveForm(Form):
    held_on = GovukDateField("New date", validators=[DateRequired("Enter the new date")],
                             invalid_message="The new date must be a real date")
    reason = TextAreaField("Why is the session moving?", widget=GovTextArea(),
                           validators=[DataRequired("Enter why the session is moving"),
                                       Length(max=1000, message="The reason must be 1000 "
                                                                "characters or fewer")])
    submit = SubmitField("Move session", widget=GovSubmitInput())


class AddMemberForm(Form):
    user_id = SelectField("Who is joining?", widget=GovSelect(), coerce=coerce_id,
                          validate_choice=False,
                          validators=[InputRequired("Select who is joining the panel")])
    role = RadioField("Their part on the panel", widget=GovRadioInput(),
                      choices=choices(MemberRole.choices()),
                      validators=[InputRequired("Select their part on the panel")])
    agency_id = SelectField("Agency they represent", widget=GovSelect(), coerce=coerce_id,
                            validate_choice=False,
                            validators=[InputRequired("Select the agency they represent")])
    deputy_for_id = SelectField("Deputy for (optional)", widget=GovSelect(),
                                coerce=coerce_id, validate_choice=False)
    submit = SubmitField("Add to the panel", widget=GovSubmitInput())

    def set_choices(self, candidates, agencies, principals):
        self.user_id.choices = choices([("", "Select a person")]
                                       + [(u.id, f"{u.name}, {u.agency.name}") for u in candidates])
        self.agency_id.choices = choices([("", "Select an agency")]
                                         + [(a.id, a.name) for a in agencies])
        self.deputy_for_id.choices = choices(
            [("", "Not a deputy")]
            + [(m.id, f"{m.user.name} ({m.agency.name})") for m in principals])

    def validate_user_id(self, field):
        if field.data is None:
            raise ValidationError("Select who is joining the panel")

    def validate_agency_id(self, field):
        if field.data not in {int(c.value) for c in field.choices if c.value}:
            raise ValidationError("Select the agency they represent")


# The agenda builder ----------------------------------------------------------------------------

AGENDA_BUTTONS = ("fill", "add", "freeze")  # for the whole agenda
ITEM_BUTTONS = ("up", "down", "remove", "minutes")  # for one item: "minutes:12"
WHOLE_MINUTES = "Enter the time as a whole number of minutes"


class AgendaForm(Form):
    """The agenda builder: one form with a button for each change. `action` is the button
    pressed; only what that button sends is checked."""

    action = StringField()
    dispute_id = IdField("Add a dispute from the queue",
                         invalid_message="Select a dispute waiting for the panel")

    @classmethod
    def for_agenda(cls, panel_session):
        """The form with a time box for each item on the session's agenda."""
        boxes = {
            minutes_field(item): GovukIntegerField(
                f"Minutes for {item.dispute.reference}", default=item.minutes,
                invalid_message=WHOLE_MINUTES, validators=[InputRequired(WHOLE_MINUTES)])
            for item in panel_session.agenda
        }
        return type(cls)(cls.__name__, (cls,), boxes)()

    def pressed(self, panel_session):
        """The button pressed and the item it is for (None for the whole agenda), or None when
        the page never offered such a button."""
        button, _, item_id = (self.action.data or "").partition(":")
        if button in AGENDA_BUTTONS and not item_id:
            return button, None
        item = next((i for i in panel_session.agenda if str(i.id) == item_id), None)
        if button in ITEM_BUTTONS and item is not None:
            return button, item
        return None

    def minutes(self, item):
        return self[minutes_field(item)]

    def validate(self, extra_validators=None):
        super().validate(extra_validators)
        button, _, item_id = (self.action.data or "").partition(":")
        sent = {"csrf_token", "action"}
        sent |= {"dispute_id"} if button == "add" else set()
        sent |= {f"minutes-{item_id}"} if button == "minutes" else set()
        for name, field in self._fields.items():
            if name not in sent:  # another item's box: whatever was typed there is not saved
                field.errors = []
        return not self.errors


def minutes_field(item):
    return f"minutes-{item.id}"


class UrgentItemForm(Form):
    """An urgent dispute onto a session's agenda, beyond its capacity."""

    urgent_dispute_id = IdField("Add an urgent dispute",
                                invalid_message="Select a dispute about a child at immediate risk")
