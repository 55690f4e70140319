"""Each role's home page, and the redirect that lands a user on theirs."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from moderation.actions import services as actions
from moderation.calendar import today
from moderation.disputes import clock, queries, queue, urgent_panel, worklist
from moderation.disputes.worklist_forms import WorklistForm
from moderation.home import permissions  # noqa: F401 (its rules)
from moderation.meeting import minutes
from moderation.models import Role
from moderation.outcomes.dashboard import dashboard_context
from moderation.panels import membership
from moderation.panels import services as panel_services
from moderation.panels.permissions import know_seats
from moderation.papers import guests
from moderation.retention import inactivity
from moderation.web import audit
from moderation.web.access import permits, rule_for, signed_in
from moderation.web.forms import id_from
from moderation.web.navigation import ROLE_HOMES
from moderation.web.permissions import can

bp = Blueprint("home", __name__)

# The data protection pages: (link text, endpoint, what it is for), each linked for those who
# may reach it.
DATA_PROTECTION = [
    ("Find the records about a child", "subject_access.search",
     "Answer a subject access request: search by name and date of birth or a case number, "
     "and download everything held as a PDF and a JSON file."),
    ("Retention schedule", "retention.schedule",
     "How long each kind of record is kept, what happens then, and why."),
    ("Retention runs", "retention.runs",
     "What each run of the retention job anonymised or deleted, and what was held."),
    ("Legal holds", "retention.holds",
     "Disputes kept from anonymisation, for example for a safeguarding practice review."),
    ("Open disputes with no activity", "retention.inactive",
     "Disputes nobody has acted on for the retention schedule's period: withdraw or hold each."),
]


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
        clock=clock.clock,
        invitations=guests.invitations_of(current_user),
        **context,
    )


@bp.route("/referrer")
@permits("home.referrer")
def referrer():
    disputes = queries.referrers_disputes(current_user)
    audit.record("dispute_list_viewed", object_type="dispute", list="referrer")
    return _render_home(Role.REFERRER, disputes=disputes,
                        managed=queries.managed_disputes(current_user))


@bp.route("/csc")
@permits("home.csc_manager")
def csc_manager():
    form = WorklistForm(request.args)
    page = worklist.page(worklist.WorklistFilters.from_form(form),
                         id_from(request.args, "page") or 1, current_app.config["LIST_PAGE_SIZE"])
    audit.record("dispute_list_viewed", object_type="dispute", list="csc", page=page.page)
    return _render_home(Role.CSC_MANAGER, form=form, page=page,
                        actions=actions.open_for_role(Role.CSC_MANAGER),
                        action_counts=actions.count_open_for_role(Role.CSC_MANAGER),
                        days_left=actions.days_left)


@bp.route("/panel")
@permits("home.panel_member")
def panel_member():
    return _render_home(Role.PANEL_MEMBER, **_panel_work())


@bp.route("/chair")
@permits("home.chair")
def chair():
    if not can(current_user, "queue.read"):  # the queue and the urgent box: the chair now
        return _render_home(Role.CHAIR, **_panel_work())
    return _render_home(Role.CHAIR, **_panel_work(),
                        queued=queue.waiting_count(),
                        **urgent_panel.box(*queue.QUEUED))


def _panel_work():
    """The user's seat on the panel, current or to come (`seat`, and `joins_on` if it starts
    after today), and the next sessions of their panel: a role alone is no seat (rule 12)."""
    seat = membership.membership_of(current_user, options=membership.SEAT)
    joins_on = seat.joined_on if seat and seat.joined_on > today() else None
    sessions = panel_services.upcoming_sessions(current_user, limit=3)
    know_seats(current_user, sessions)  # each is offered its meeting if the user attends it
    return {"seat": seat, "joins_on": joins_on, "sessions": sessions,
            "minutes_open": minutes.open_for_comment(current_user), "today": today()}


@bp.route("/partnership")
@permits("home.partnership")
def partnership():
    return _render_home(Role.PARTNERSHIP_MANAGER, data_protection=data_protection_links(),
                        inactive=inactivity.count(today()),
                        inactive_period=inactivity.period_in_words(), **dashboard_context())


@bp.route("/data-protection")
@permits("home.data_protection")
def data_protection():
    return _render_home(Role.DATA_PROTECTION_OFFICER, data_protection=data_protection_links())


def data_protection_links():
    """The data protection pages this user may open, as (text, address, description)."""
    return [(text, url_for(endpoint), description)
            for text, endpoint, description in DATA_PROTECTION
            if rule_for(endpoint).allows(current_user)]
