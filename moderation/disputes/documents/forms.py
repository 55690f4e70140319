"""Forms for attaching and withdrawing a dispute's documents."""

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from moderation.models import DocumentType
from moderation.web.forms import Form, choices

REASON_LIMIT = 2000


class AttachDocumentForm(Form):
    document_type = RadioField(
        "What is the document?", widget=GovRadioInput(), choices=choices(DocumentType.choices()),
        validators=[InputRequired("Select what the document is")],
    )
    file = FileField(
        "Upload a file", widget=GovFileInput(),
        description="A PDF, DOCX, ODT, PNG, JPEG or plain text file, smaller than 20 MB.",
        validators=[FileRequired("Select a file")],
    )
    submit = SubmitField("Attach the document", widget=GovSubmitInput())


class WithdrawDocumentForm(Form):
    reason = TextAreaField(
        "Why are you withdrawing it?", widget=GovTextArea(),
        description="The reason is shown to everyone who can see the dispute's documents.",
        validators=[DataRequired("Enter the reason for withdrawing the document"),
                    Length(max=REASON_LIMIT, message=f"The reason must be {REASON_LIMIT} "
                                                     "characters or fewer")],
    )
    submit = SubmitField("Withdraw the document", widget=GovSubmitInput())
