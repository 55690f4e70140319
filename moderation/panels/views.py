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
from sqlalchemy.orm import joinedload, selectinload

from moderation.admin.services import agencies
from moderation.models import AgendaItem, Dispute, ItemGuest, PanelMember, PanelSession
from moderation.panels import agenda, membership, permissions, services  # noqa: F401 (its rules)
from moderation.panels.forms import (
    AddMemberForm,
    AgendaForm,
    CancelForm,
    ExtraordinaryForm,
    MoveForm,
    SeriesForm,
    SessionForm,
    UrgentItemForm,
)
from moderation.panels.ical import session_calendar
from moderation.web import audit
from moderation.web.access import permits, public
from moderation.web.boundary import on_refusal
from moderation.web.formatting import format_date
from moderation.web.forms import error_summary, id_from
from moderation.web.permissions import can, record_or_404
from moderation.web.words import count

bp = Blueprint("panels", __name__, url_prefix="/sessions")

# The session page and the agenda builder list the agenda's disputes by reference.
AGENDA = (selectinload(PanelSession.agenda).joinedload(AgendaItem.dispute),)
# The session page adds each item's guests.
SESSION_PAGE = (selectinload(PanelSession.agenda).options(
    joinedload(AgendaItem.dispute), selectinload(AgendaItem.guests).joinedload(ItemGuest.user)),)


@bp.route("/")
@permits("session.read")
def schedule():
    # Each person sees the sessions of their own panel (rule 12); partnership managers, all.
    sessions = services.upcoming_sessions(current_user)
    return render_template("panels/schedule.html", sessions=sessions,
                           counts=services.agenda_counts(sessions),
                           past=services.past_sessions(current_user),
                           seat=membership.membership_of(current_user))


@bp.route("/new", methods=["GET", "POST"])
@permits("session.schedule")
def new_session():
    form = SessionForm()
    on_refusal(lambda problems: render_template("panels/session_form.html", form=form), form,
               field="held_on")
    if form.validate_on_submit():
        panel_session = services.schedule_session(current_user, form.held_on.data, **form.terms())
        flash("The session has been scheduled.", "success")
        return redirect(url_for("panels.show", session_id=panel_session.id))
    return render_template("panels/session_form.html", form=form)


@bp.route("/series/new", methods=["GET", "POST"])
@permits("session.schedule")
def new_series():
    form = SeriesForm()
    if form.validate_on_submit():
        series = services.create_series(current_user, form.position.data, form.weekday.data,
                                        form.first_on.data, **form.terms())
        flash(f"Sessions on the {series.description} are scheduled for the next six months.",
              "success")
        return redirect(url_for("panels.schedule"))
    return render_template("panels/series_form.html", form=form)


@bp.route("/extraordinary/new", methods=["GET", "POST"])
@permits("session.call_extraordinary")
def new_extraordinary():
    # Only for a queued urgent dispute on no agenda: any other is "Page not found".
    dispute_id = id_from(request.args, "dispute_id")
    if dispute_id is None:
        abort(404)
    dispute = record_or_404(Dispute, dispute_id, "session.call_extraordinary",
                            joinedload(Dispute.referring_agency))
    audit.record("dispute_viewed", dispute, page="extraordinary_session")
    form = ExtraordinaryForm(duration_minutes=60)
    page = lambda problems=(): _extraordinary_page(dispute, form)  # noqa: E731
    on_refusal(page, form, field="starts_at")
    if not form.validate_on_submit():
        return page()
    panel_session = services.schedule_extraordinary(current_user, dispute.id, **form.meeting())
    flash(f"The extraordinary session is called for {format_date(panel_session.held_on)} at "
          f"{panel_session.starts_at:%H:%M}. Its agenda is frozen and the panel's members have "
          "been told.", "success")
    return redirect(url_for("panels.show", session_id=panel_session.id))


def _extraordinary_page(dispute, form):
    starts_at = form.chosen_time()
    held_on = services.extraordinary_date(starts_at) if starts_at else None
    return render_template("panels/extraordinary.html", dispute=dispute, form=form,
                           held_on=held_on, starts_at=starts_at)


@bp.route("/<int:session_id>")
@permits("session.read")
def show(session_id):
    panel_session = record_or_404(PanelSession, session_id, "session.read", *SESSION_PAGE)
    if can(current_user, "papers.read", panel_session):
        audit.record("agenda_viewed", panel_session, page="session")
    return render_template("panels/session.html", session=panel_session)


@bp.route("/<int:session_id>/calendar.ics")
@permits("session.read")
def calendar_file(session_id):
    panel_session = record_or_404(PanelSession, session_id, "session.read")
    body = session_calendar([panel_session], current_app.config["PARTNERSHIP_NAME"],
                            lambda s: url_for("panels.show", session_id=s.id, _external=True))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f"attachment; filename=panel-session-{panel_session.held_on}.ics"})


# Moving and cancelling: the page of the session's chair or deputy chair now, while it is only
# scheduled; anyone else is told "Page not found".


@bp.route("/<int:session_id>/move", methods=["GET", "POST"])
@permits("session.change")
def move(session_id):
    panel_session = record_or_404(PanelSession, session_id, "session.change")
    form = MoveForm()
    on_refusal(lambda problems: _change_page(panel_session, form, "Move"), form, field="held_on")
    if not form.validate_on_submit():
        return _change_page(panel_session, form, "Move")
    services.move_session(panel_session, current_user, form.held_on.data, form.reason.data)
    flash("The session has been moved.", "success")
    return redirect(url_for("panels.show", session_id=panel_session.id))


@bp.route("/<int:session_id>/cancel", methods=["GET", "POST"])
@permits("session.change")
def cancel(session_id):
    panel_session = record_or_404(PanelSession, session_id, "session.change")
    form = CancelForm()
    on_refusal(lambda problems: _change_page(panel_session, form, "Cancel"), form, field="reason")
    if not form.validate_on_submit():
        return _change_page(panel_session, form, "Cancel")
    services.cancel_session(panel_session, current_user, form.reason.data)
    flash("The session has been cancelled.", "success")
    return redirect(url_for("panels.show", session_id=panel_session.id))


def _change_page(panel_session, form, verb):
    return render_template("panels/change.html", session=panel_session, form=form, action=verb)


# Membership and calendar feeds ----------------------------------------------------------------


@bp.route("/members", methods=["GET", "POST"])
@permits("members.manage")
def members():
    form = AddMemberForm()
    current = membership.members()
    form.set_choices(membership.candidates(), agencies(),
                     [m for m in current if m.deputy_for_id is None])
    on_refusal(lambda problems: _members_page(form, current), form, field="user_id")
    if not form.validate_on_submit():
        return _members_page(form, current)
    member = membership.add_member(current_user, form.user_id.data, form.role.data,
                                   form.agency_id.data, form.deputy_for_id.data)
    flash(f"{member.user.name} has joined the panel.", "success")
    return redirect(url_for("panels.members"))


def _members_page(form, current):
    return render_template("panels/members.html", form=form, members=current)


@bp.route("/members/<int:member_id>/remove", methods=["POST"])
@permits("members.manage")
def remove_member(member_id):
    member = record_or_404(PanelMember, member_id, "members.manage")
    name = member.user.name
    membership.remove_member(current_user, member)
    flash(f"{name} has left the panel.", "success")
    return redirect(url_for("panels.members"))


@bp.route("/calendar-feed", methods=["GET", "POST"])
@permits("calendar.subscribe")
def calendar_feed():
    member = membership.membership_of(current_user)
    if member is not None and request.method == "POST":
        membership.new_calendar_token(member)
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
@permits("agenda.build")
def agenda_builder(session_id):
    # Building is for the session's chair now; a frozen agenda is case detail (rule 12).
    panel_session = record_or_404(PanelSession, session_id, "agenda.build", *AGENDA)
    form = AgendaForm.for_agenda(panel_session)
    on_refusal(lambda problems: _agenda_page(panel_session, form, problems), field="agenda")
    if not form.validate_on_submit():
        return _agenda_page(panel_session, form)
    pressed = form.pressed(panel_session)
    if pressed is None:
        abort(400)  # a button the page never offered
    flash(_agenda_change(panel_session, form, *pressed), "success")
    return redirect(url_for("panels.agenda_builder", session_id=panel_session.id))


def _agenda_page(panel_session, form, problems=(), urgent_error=None):
    audit.record("agenda_viewed", panel_session)
    return render_template("panels/agenda.html", session=panel_session, form=form,
                           problems=problems,
                           waiting=agenda.waiting(), urgent=agenda.urgent_in_time(panel_session),
                           room=agenda.room(panel_session),
                           planned_minutes=agenda.planned_minutes(panel_session),
                           after_freeze=agenda.AFTER_FREEZE, urgent_error=urgent_error)


@bp.route("/<int:session_id>/agenda/urgent", methods=["POST"])
@permits("agenda.add_urgent")
def add_urgent_item(session_id):
    """The chair of this session adds an urgent dispute to its agenda, beyond its capacity."""
    panel_session = record_or_404(PanelSession, session_id, "agenda.add_urgent", *AGENDA)
    form = UrgentItemForm()

    def page(problems):
        return _agenda_page(panel_session, AgendaForm.for_agenda(panel_session), problems,
                            urgent_error=problems[0]["text"])

    on_refusal(page, field="urgent_dispute_id")
    if not form.validate_on_submit():
        return page(error_summary(form)["errorList"])
    item = agenda.add_urgent_item(panel_session, current_user, form.urgent_dispute_id.data or 0)
    told = " The panel's members and the referrer have been told." if panel_session.opened else ""
    flash(f"{item.dispute.reference} has been added to the agenda as item {item.position}.{told}",
          "success")
    return redirect(url_for("panels.agenda_builder", session_id=panel_session.id))


def _agenda_change(panel_session, form, button, item):
    """One button press on the agenda builder; returns the message to show."""
    if button == "fill":
        added = agenda.fill_from_queue(panel_session, current_user)
        return f"{count(len(added), 'dispute')} added from the queue."
    if button == "add":
        agenda.add_item(panel_session, current_user, form.dispute_id.data or 0)
        return "The dispute has been added to the agenda."
    if button == "freeze":
        agenda.freeze(panel_session, current_user)
        return "The agenda is frozen. Members can now read the papers."
    if button in ("up", "down"):
        agenda.move_item(panel_session, item, -1 if button == "up" else 1)
        return "The agenda has been reordered."
    if button == "remove":
        agenda.remove_item(panel_session, current_user, item)
        return "The dispute has been taken off the agenda."
    agenda.set_minutes(panel_session, item, form.minutes(item).data)
    return "The time has been saved."
