"""Actions pages: per session and overall; owners update their own."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from moderation.actions import permissions, services  # noqa: F401 (permissions: its rules)
from moderation.actions.forms import ActionStatusForm
from moderation.models import Action, ActionStatus, PanelSession
from moderation.web import audit
from moderation.web.access import permits
from moderation.web.boundary import on_refusal
from moderation.web.forms import id_from
from moderation.web.permissions import record_or_404

bp = Blueprint("actions", __name__)


@bp.route("/actions")
@permits("actions.list")
def index():
    status = request.args.get("status", "open")
    if status != "all" and not ActionStatus.has(status):
        status = "open"
    mine = request.args.get("mine") == "yes"
    page = services.listing(current_user, None if status == "all" else status, mine_only=mine,
                            page=id_from(request.args, "page") or 1)
    audit.record("actions_viewed", None, object_type="action", status=status,
                 count=len(page.items), page=page.page)
    return render_template("actions/index.html", listed=page.items, page=page, status=status,
                           mine=mine, args={"status": status, "mine": "yes" if mine else None},
                           statuses=ActionStatus.choices(), days_left=services.days_left)


@bp.route("/sessions/<int:session_id>/actions")
@permits("session.case_detail")
def for_session(session_id):
    panel_session = record_or_404(PanelSession, session_id, "session.case_detail")
    audit.record("actions_viewed", panel_session)
    return render_template("actions/session.html", session=panel_session,
                           listed=services.for_session(panel_session), days_left=services.days_left,
                           overdue=services.overdue_before(panel_session, services.OVERDUE_SHOWN),
                           overdue_count=services.count_overdue_before(panel_session))


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@permits("action.update")
def update(action_id):
    action = record_or_404(Action, action_id, "action.update")
    form = ActionStatusForm(data={"status": action.status, "note": action.status_note})

    def page(problems=()):
        audit.record("action_viewed", action)
        return render_template("actions/update.html", action=action, form=form,
                               days_left=services.days_left(action))

    on_refusal(page, form, field="status")
    if form.validate_on_submit():
        services.update_status(action, current_user, form.status.data, form.note.data)
        flash("The action has been updated.", "success")
        return redirect(url_for("actions.index"))
    return page()
