"""The in-app notifications list and the email settings."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from moderation.notifications import services
from moderation.notifications.forms import EmailSettingsForm
from moderation.notifications.kinds import offered_to
from moderation.web import navigation
from moderation.web.access import signed_in

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
# The menu says how many notifications are unread (web's navigation imports no feature).
bp.record_once(lambda state: navigation.count_beside(state.app, "notifications.index",
                                                     services.unread_count))


@bp.route("/")
@signed_in
def index():
    return render_template("notifications/index.html",
                           notifications=services.for_user(current_user))


@bp.route("/read", methods=["POST"])
@signed_in
def mark_read():
    services.mark_all_read(current_user)
    flash("All notifications are marked as read.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
@signed_in
def settings():
    chosen = services.preferences(current_user)
    kinds = offered_to(current_user)
    form = EmailSettingsForm(email=[kind for kind, wanted in chosen.items() if wanted])
    form.offer(kinds)
    if form.validate_on_submit():
        services.set_preferences(current_user, set(form.email.data))
        flash("Your email choices have been saved.", "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form, kinds=kinds)
