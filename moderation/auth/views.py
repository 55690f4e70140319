"""Sign in, sign out, change password."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from moderation.auth import passwords, services
from moderation.auth.forms import ChangePasswordForm, SignInForm
from moderation.extensions import limiter, submitted_email
from moderation.web import audit
from moderation.web.access import public, signed_in
from moderation.web.errors import handle_database_error, render_error
from moderation.web.forms import add_error

bp = Blueprint("auth", __name__)
bp.record_once(lambda state: passwords.prepare_dummy_hash(state.app.config))

LOCKED_OUT_MESSAGE = (
    "You have tried to sign in too many times. Wait 15 minutes, then try again."
)
WRONG_DETAILS_MESSAGE = "Enter a correct email address and password"


def _refused(response):
    """Only attempts refused with the form again count towards the sign-in limits: not a
    success (302), and not a failure of ours (an outage must not lock people out)."""
    return response.status_code == 200


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_refused,
    scope="sign-in-address",
)
@limiter.limit(
    lambda: current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"],
    key_func=submitted_email,
    methods=["POST"],
    deduct_when=_refused,
    scope="sign-in-account",
)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            services.sign_in(user)
            return redirect(_safe_next() or url_for("home.index"))
        # The form again (200): the boundary keeps the failed attempt's audit event.
        add_error(form.email, WRONG_DETAILS_MESSAGE)
    return render_template("auth/sign_in.html", form=form)


@bp.app_errorhandler(RateLimitExceeded)
def too_many_requests(error: RateLimitExceeded):
    if request.endpoint != "auth.sign_in":
        return render_error(429)
    # The sign-in form again, with an error that says nothing of whether the account exists.
    # The boundary commits its audit event after this handler, as it does after a view.
    try:
        audit.record("sign_in_blocked", object_type="user", email=request.form.get("email", ""))
        form = SignInForm()
        add_error(form.email, LOCKED_OUT_MESSAGE)
        return render_template("auth/sign_in.html", form=form), 429
    except SQLAlchemyError as database_error:  # an error handler's own error would be a bare 500
        return handle_database_error(database_error)


def _safe_next():
    """Only follow a 'next' that stays on this site."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return None


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out():
    services.sign_out(current_user._get_current_object())
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(user)
    if form.validate_on_submit():
        services.change_password(user, form.new_password.data)
        flash("Your password has been changed.", "success")
        return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form, forced=user.must_change_password)
