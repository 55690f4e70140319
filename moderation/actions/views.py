"""Actions pages: per session and overall; owners update their own."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from moderation.actions import services as actions
from moderation.extensions import db
from moderation.meeting.forms import ActionStatusForm
from moderation.meeting.register import MeetingError
from moderation.models import Action, ActionStatus, PanelSession, Role
from moderation.panels.permissions import require, session_access
from moderation.web import audit
from moderation.web.access import roles_required, signed_in
from moderation.web.forms import add_error, id_from

bp = Blueprint("actions", __name__)


@bp.route("/actions")
@signed_in
def index():
    status = request.args.get("status", "open")
    if status != "all" and not ActionStatus.has(status):
        status = "open"
    mine = request.args.get("mine") == "yes"
    page = actions.listing(current_user, None if status == "all" else status, mine_only=mine,
                           page=id_from(request.args, "page") or 1)
    audit.record("actions_viewed", None, object_type="action", status=status,
                 count=len(page.items), page=page.page)
    db.session.commit()
    return render_template("actions/index.html", listed=page.items, page=page, status=status,
                           mine=mine, args={"status": status, "mine": "yes" if mine else None},
                           statuses=ActionStatus.choices(),
                           days_left=actions.days_left,
                           can_update=actions.updatable_by(current_user),
                           sees_all=current_user.has_role(Role.CHAIR, Role.PARTNERSHIP_MANAGER))


@bp.route("/sessions/<int:session_id>/actions")
@roles_required(Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER)
def for_session(session_id):
    session = db.session.get(PanelSession, session_id)
    if session is None:
        abort(404)
    require(session_access(current_user, session).case_detail)
    audit.record("actions_viewed", session)
    db.session.commit()
    return render_template("actions/session.html", session=session,
                           listed=actions.for_session(session), days_left=actions.days_left,
                           can_update=actions.updatable_by(current_user),
                           overdue=actions.overdue_before(session, actions.OVERDUE_SHOWN),
                           overdue_count=actions.count_overdue_before(session))


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@signed_in
def update(action_id):
    action = db.session.get(Action, action_id)
    if action is None or not actions.can_update(current_user, action):
        abort(404)
    form = ActionStatusForm(data={"status": action.status, "note": action.status_note})
    if form.validate_on_submit():
        try:
            actions.update_status(action, current_user, form.status.data, form.note.data)
        except MeetingError as error:
            db.session.rollback()
            add_error(getattr(form, error.field, form.status), str(error))
        else:
            db.session.commit()
            flash("The action has been updated.", "success")
            return redirect(url_for("actions.index"))
    audit.record("action_viewed", action)
    db.session.commit()
    return render_template("actions/update.html", action=action, form=form,
                           days_left=actions.days_left(action))
