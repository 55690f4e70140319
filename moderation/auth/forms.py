"""Sign-in and password forms, with GOV.UK error messages."""

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from moderation.auth import passwords
from moderation.web.forms import Form


class SignInForm(Form):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired("Enter your email address")],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter your password")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


def _new_password_length(form, field):
    if len(field.data or "") < passwords.MINIMUM_LENGTH:
        raise ValidationError(
            f"Your new password must be {passwords.MINIMUM_LENGTH} characters or more"
        )
    if len(field.data) > passwords.MAXIMUM_LENGTH:
        raise ValidationError(
            f"Your new password must be {passwords.MAXIMUM_LENGTH} characters or fewer"
        )


class ChangePasswordForm(Form):
    current_password = PasswordField(
        "Current password",
        description="If you were given a temporary password, enter it here.",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter your current password")],
    )
    new_password = PasswordField(
        "New password",
        description=f"Use {passwords.MINIMUM_LENGTH} characters or more. "
        "A few unrelated words together make a strong password you can remember.",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter a new password"), _new_password_length],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired("Enter your new password again"),
            EqualTo("new_password", "The passwords you entered do not match"),
            Length(max=passwords.MAXIMUM_LENGTH),
        ],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current_password(self, field):
        if not passwords.verify_password(self.user.password_hash or "", field.data or ""):
            raise ValidationError("Your current password is not correct")

    def validate_new_password(self, field):
        if field.data and field.data == self.current_password.data:
            raise ValidationError("Your new password must be different from your current one")
        if field.data and field.data.strip().lower() == self.user.email.lower():
            raise ValidationError("Your new password must not be your email address")
