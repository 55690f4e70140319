"""Each role's home page, and the redirect that lands a user on theirs."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from moderation.disputes import services as dispute_services
from moderation.extensions import db
from moderation.models import Role
from moderation.panels import services as panel_services
from moderation.web import audit
from moderation.web.access import roles_required, signed_in
from moderation.web.navigation import ROLE_HOMES

bp = Blueprint("home", __name__)


@bp.route("/")
@signed_in
def index():
    role = current_user.primary_role
    if role is None:
        return render_template("home/no_role.html")
    return redirect(url_for(ROLE_HOMES[role]))


def _render_home(role, **context):
    other_roles = [r for r in current_user.roles if r != role]
    return render_template(
        f"home/{role.value}.html",
        role=role,
        other_homes=[(r, url_for(ROLE_HOMES[r])) for r in other_roles],
        clock=dispute_services.clock,
        **context,
    )


@bp.route("/referrer")
@roles_required(Role.REFERRER)
def referrer():
    disputes = dispute_services.referrers_disputes(current_user)
    audit.record("dispute_list_viewed", object_type="dispute", list="referrer")
    db.session.commit()
    return _render_home(Role.REFERRER, disputes=disputes)


@bp.route("/csc")
@roles_required(Role.CSC_MANAGER)
def csc_manager():
    disputes = dispute_services.csc_worklist()
    audit.record("dispute_list_viewed", object_type="dispute", list="csc")
    db.session.commit()
    return _render_home(Role.CSC_MANAGER, disputes=disputes)


@bp.route("/panel")
@roles_required(Role.PANEL_MEMBER)
def panel_member():
    return _render_home(Role.PANEL_MEMBER, sessions=panel_services.upcoming_sessions()[:3])


@bp.route("/chair")
@roles_required(Role.CHAIR)
def chair():
    return _render_home(Role.CHAIR, sessions=panel_services.upcoming_sessions()[:3],
                        queued=dispute_services.count_by_status().get("queued", 0))


@bp.route("/partnership")
@roles_required(Role.PARTNERSHIP_MANAGER)
def partnership():
    from moderation.outcomes.views import dashboard_context

    return _render_home(Role.PARTNERSHIP_MANAGER, **dashboard_context())
