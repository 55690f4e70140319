"""Panel sessions: the schedule, one-off sessions and series, moving and cancelling."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from moderation.access import roles_required
from moderation.extensions import db
from moderation.forms import add_error
from moderation.models import PanelSession, Role
from moderation.panels import services
from moderation.panels.forms import CancelForm, MoveForm, SeriesForm, SessionForm
from moderation.panels.ical import session_calendar

bp = Blueprint("panels", __name__, url_prefix="/sessions")

SCHEDULE_READERS = (Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER)


def _session(session_id):
    session = db.session.get(PanelSession, session_id)
    if session is None:
        abort(404)
    return session


@bp.route("/")
@roles_required(*SCHEDULE_READERS)
def schedule():
    return render_template("panels/schedule.html", sessions=services.upcoming_sessions())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.CHAIR)
def new_session():
    form = SessionForm()
    if form.validate_on_submit():
        try:
            session = services.schedule_session(current_user, form.held_on.data, **form.terms())
        except services.SchedulingError as error:
            add_error(getattr(form, error.field or "held_on"), str(error))
        else:
            db.session.commit()
            flash("The session has been scheduled.", "success")
            return redirect(url_for("panels.show", session_id=session.id))
    return render_template("panels/session_form.html", form=form)


@bp.route("/series/new", methods=["GET", "POST"])
@roles_required(Role.CHAIR)
def new_series():
    form = SeriesForm()
    if form.validate_on_submit():
        series = services.create_series(current_user, form.position.data, form.weekday.data,
                                        form.first_on.data, **form.terms())
        db.session.commit()
        flash(f"Sessions on the {series.description} are scheduled for the next six months.",
              "success")
        return redirect(url_for("panels.schedule"))
    return render_template("panels/series_form.html", form=form)


@bp.route("/<int:session_id>")
@roles_required(*SCHEDULE_READERS)
def show(session_id):
    return render_template("panels/session.html", session=_session(session_id))


@bp.route("/<int:session_id>/calendar.ics")
@roles_required(*SCHEDULE_READERS)
def calendar_file(session_id):
    session = _session(session_id)
    body = session_calendar([session], current_app.config["PARTNERSHIP_NAME"],
                            lambda s: url_for("panels.show", session_id=s.id, _external=True))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f"attachment; filename=panel-session-{session.held_on}.ics"})


@bp.route("/<int:session_id>/move", methods=["GET", "POST"])
@roles_required(Role.CHAIR)
def move(session_id):
    session = _session(session_id)
    form = MoveForm()
    if form.validate_on_submit():
        return _change(session, form, lambda: services.move_session(
            session, current_user, form.held_on.data, form.reason.data),
            "The session has been moved.", "held_on")
    return render_template("panels/change.html", session=session, form=form, action="Move")


@bp.route("/<int:session_id>/cancel", methods=["GET", "POST"])
@roles_required(Role.CHAIR)
def cancel(session_id):
    session = _session(session_id)
    form = CancelForm()
    if form.validate_on_submit():
        return _change(session, form, lambda: services.cancel_session(
            session, current_user, form.reason.data), "The session has been cancelled.", "reason")
    return render_template("panels/change.html", session=session, form=form, action="Cancel")


def _change(session, form, action, message, field):
    try:
        action()
    except services.SchedulingError as error:
        db.session.rollback()
        add_error(getattr(form, error.field or field, getattr(form, field)), str(error))
        verb = "Move" if isinstance(form, MoveForm) else "Cancel"
        return render_template("panels/change.html", session=_session(session.id), form=form,
                               action=verb)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("panels.show", session_id=session.id))
