"""Panel sessions: the schedule, one-off sessions and series, moving and cancelling."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from moderation.admin.services import agencies
from moderation.disputes import services as dispute_services
from moderation.extensions import db
from moderation.meeting import register as meeting
from moderation.models import PanelMember, PanelSession, Role
from moderation.panels import agenda, membership, services
from moderation.panels.forms import AddMemberForm, CancelForm, MoveForm, SeriesForm, SessionForm
from moderation.panels.ical import session_calendar
from moderation.panels.permissions import require, session_access
from moderation.web import audit
from moderation.web.access import public, roles_required
from moderation.web.forms import add_error, id_from
from moderation.web.permissions import can

bp = Blueprint("panels", __name__, url_prefix="/sessions")

SCHEDULE_READERS = (Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER)


def _session(session_id, *options):
    session = db.session.get(PanelSession, session_id, options=options)
    if session is None:
        abort(404)
    return session


@bp.app_template_global("session_access")
def _session_access_for_template(session):
    """What the signed-in user may do with a session, for links in shared templates."""
    return session_access(current_user, session)


@bp.route("/")
@roles_required(*SCHEDULE_READERS)
def schedule():
    return render_template("panels/schedule.html", sessions=services.upcoming_sessions(),
                           past=services.past_sessions())


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
    session = _session(session_id, *services.AGENDA_ONLY)
    access = session_access(current_user, session)
    if access.case_detail and access.opened:
        audit.record("agenda_viewed", session, page="session")
        db.session.commit()
    return render_template("panels/session.html", session=session, access=access)


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


# Membership and calendar feeds ----------------------------------------------------------------

MEMBERSHIP_MANAGERS = (Role.CHAIR, Role.PARTNERSHIP_MANAGER)


@bp.route("/members", methods=["GET", "POST"])
@roles_required(*MEMBERSHIP_MANAGERS)
def members():
    form = AddMemberForm()
    current = membership.members()
    form.set_choices(membership.candidates(), agencies(),
                     [m for m in current if m.deputy_for_id is None])
    if form.validate_on_submit():
        try:
            member = membership.add_member(current_user, form.user_id.data, form.role.data,
                                           form.agency_id.data, form.deputy_for_id.data)
        except services.SchedulingError as error:
            db.session.rollback()
            add_error(getattr(form, error.field or "user_id"), str(error))
        else:
            db.session.commit()
            flash(f"{member.user.name} has joined the panel.", "success")
            return redirect(url_for("panels.members"))
    return render_template("panels/members.html", form=form, members=current)


@bp.route("/members/<int:member_id>/remove", methods=["POST"])
@roles_required(*MEMBERSHIP_MANAGERS)
def remove_member(member_id):
    member = db.session.get(PanelMember, member_id)
    if member is None:
        abort(404)
    name = member.user.name
    membership.remove_member(current_user, member)
    db.session.commit()
    flash(f"{name} has left the panel.", "success")
    return redirect(url_for("panels.members"))


@bp.route("/calendar-feed", methods=["GET", "POST"])
@roles_required(Role.CHAIR, Role.PANEL_MEMBER)
def calendar_feed():
    member = membership.membership_of(current_user)
    if member is not None and request.method == "POST":
        membership.new_calendar_token(member)
        db.session.commit()
        flash("You have a new calendar address. The old one no longer works.", "success")
        return redirect(url_for("panels.calendar_feed"))
    return render_template("panels/calendar_feed.html", member=member)


@bp.route("/feed/<token>.ics")
@public  # the unguessable token is the credential, so calendar apps can subscribe
def feed(token):
    sessions = membership.feed_sessions(token)
    if sessions is None:
        abort(404)
    body = session_calendar(sessions, current_app.config["PARTNERSHIP_NAME"],
                            lambda s: url_for("panels.show", session_id=s.id, _external=True))
    return Response(body, mimetype="text/calendar")


# The agenda ------------------------------------------------------------------------------------


@bp.route("/<int:session_id>/agenda", methods=["GET", "POST"])
@roles_required(Role.CHAIR)
def agenda_builder(session_id):
    session = _session(session_id)
    # Building from the queue is any chair's; a frozen agenda is case detail (rule 12).
    access = session_access(current_user, session)
    require(not access.opened or access.case_detail)
    problems = []
    if request.method == "POST":
        try:
            message = _agenda_action(session, request.form)
        except services.SchedulingError as error:
            db.session.rollback()
            session = _session(session_id)
            problems.append({"text": str(error), "href": f"#{error.field or 'agenda'}"})
        except (ValueError, LookupError):
            abort(400)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("panels.agenda_builder", session_id=session.id))
    audit.record("agenda_viewed", session)
    db.session.commit()
    return render_template("panels/agenda.html", session=session, problems=problems,
                           waiting=agenda.waiting(), room=agenda.room(session),
                           planned_minutes=agenda.planned_minutes(session))


def _agenda_action(session, form):
    """One button press on the agenda builder; returns the message to show."""
    action, _, item_id = form.get("action", "").partition(":")
    item = next((i for i in session.agenda if str(i.id) == item_id), None)
    if action == "fill":
        added = agenda.fill_from_queue(session, current_user)
        return f"{len(added)} {'dispute' if len(added) == 1 else 'disputes'} added from the queue."
    if action == "add":
        agenda.add_item(session, current_user, id_from(form, "dispute_id") or 0)
        return "The dispute has been added to the agenda."
    if action == "freeze":
        agenda.freeze(session, current_user)
        return "The agenda is frozen. Members can now read the papers."
    if item is None:
        raise LookupError(item_id)
    if action in ("up", "down"):
        agenda.move_item(session, item, -1 if action == "up" else 1)
        return "The agenda has been reordered."
    if action == "remove":
        agenda.remove_item(session, current_user, item)
        return "The dispute has been taken off the agenda."
    if action == "minutes":
        minutes = form.get(f"minutes-{item.id}", "").strip()
        if not minutes.isdigit():
            raise services.SchedulingError("Enter the time as a whole number of minutes",
                                           f"minutes-{item.id}")
        agenda.set_minutes(session, item, int(minutes))
        return "The time has been saved."
    raise LookupError(action)


@bp.route("/<int:session_id>/papers/<int:item_id>")
@roles_required(Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER)
def papers(session_id, item_id):
    session = _session(session_id)
    access = session_access(current_user, session)
    if not access.opened:
        abort(404)  # no papers until the agenda is frozen
    require(access.case_detail)
    item = next((i for i in session.agenda if i.id == item_id), None)
    if item is None or not can(current_user, "dispute.read", item.dispute):
        abort(404)
    audit.record("dispute_viewed", item.dispute, page="papers", session=session.id)
    db.session.commit()
    return render_template("panels/papers.html", session=session, item=item,
                           dispute=item.dispute, clock=dispute_services.clock,
                           repeat_visible=False, access=access,
                           conflicted=meeting.conflicted(item, current_user))
