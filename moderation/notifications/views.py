"""The in-app notifications list."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from moderation.extensions import db
from moderation.notifications import services
from moderation.web.access import signed_in

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/")
@signed_in
def index():
    return render_template("notifications/index.html",
                           notifications=services.for_user(current_user))


@bp.route("/read", methods=["POST"])
@signed_in
def mark_read():
    services.mark_all_read(current_user)
    db.session.commit()
    flash("All notifications are marked as read.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
@signed_in
def settings():
    from flask import request

    from moderation.notifications.kinds import KINDS

    if request.method == "POST":
        wanted = {kind for kind in KINDS if request.form.get(f"email-{kind}") == "yes"}
        services.set_preferences(current_user, wanted)
        db.session.commit()
        flash("Your email choices have been saved.", "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", kinds=KINDS,
                           chosen=services.preferences(current_user))
