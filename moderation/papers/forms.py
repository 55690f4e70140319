"""Forms for the chair's private notes and inviting a guest to an item."""

from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from moderation.papers.guests import PURPOSE_LIMIT
from moderation.papers.notes import NOTES_LIMIT
from moderation.web.forms import Form, choices


class NotesForm(Form):
    text = TextAreaField(
        "Your private notes on this item",
        description="Only you and the deputy chair (or the chair) of this session see these. "
                    "They are never in the papers pack or the minutes.",
        widget=GovTextArea(),
        validators=[Length(max=NOTES_LIMIT,
                           message=f"Your notes must be {NOTES_LIMIT} characters or fewer")],
    )


class GuestForm(Form):
    email = StringField(
        "The guest's email address",
        description="They need an account on this service.",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the guest's email address"),
                    Length(max=320, message="The email address must be 320 characters or fewer")],
    )
    purpose = StringField(
        "Why are they invited?",
        description="For example, to present the referral. Do not name the child.",
        widget=GovTextInput(),
        validators=[DataRequired("Enter why the guest is invited"),
                    Length(max=PURPOSE_LIMIT, message="Why the guest is invited must be "
                                                      f"{PURPOSE_LIMIT} characters or fewer")],
    )


class GuestRegisterForm(Form):
    """The register's guests: `attended-<guest id>`, yes or no, for each guest of the session's
    items. Guests whose answer is not sent are left as they were."""

    guest_ids = ()

    @classmethod
    def for_guests(cls, guests, **kwargs):
        fields = {"guest_ids": tuple(guest.id for guest in guests)}
        data = {}
        for guest in guests:
            fields[f"attended-{guest.id}"] = RadioField(
                choices=choices([("yes", "Came"), ("no", "Did not come")]),
                validate_choice=False)
            data[f"attended-{guest.id}"] = {True: "yes", False: "no"}.get(guest.attended)
        return type("SessionGuestRegisterForm", (cls,), fields)(data=data, **kwargs)

    def attended(self, guest):
        return self[f"attended-{guest.id}"]

    def entries(self):
        """guest id -> the answer sent ("yes", "no" or anything else, which the service
        refuses)."""
        return {guest_id: self[f"attended-{guest_id}"].data for guest_id in self.guest_ids
                if self[f"attended-{guest_id}"].raw_data}
