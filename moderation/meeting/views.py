"""The meeting pages: register and quorum, each item's conflicts and votes, and the decision."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from moderation.actions import services as actions
from moderation.extensions import db
from moderation.meeting import register as meeting
from moderation.meeting import voting
from moderation.meeting.forms import (
    ActionForm,
    ConflictForm,
    DecisionForm,
    DeferForm,
    InRoomVoteForm,
    VoteForm,
)
from moderation.meeting.register import MeetingError
from moderation.models import AgendaItem, AttendanceStatus, PanelMember, PanelSession, Role
from moderation.panels import membership
from moderation.panels import services as panel_services
from moderation.panels.permissions import require, session_access
from moderation.web import audit
from moderation.web.access import roles_required
from moderation.web.forms import add_error
from moderation.web.permissions import can

bp = Blueprint("meeting", __name__, url_prefix="/sessions")

MEETING_ROLES = (Role.CHAIR, Role.PANEL_MEMBER)


def _session(session_id, *options, chairing=False):
    """The session, if the user sits on its panel (rule 12); `chairing`: as its chair."""
    session = db.session.get(PanelSession, session_id, options=options)
    if session is None:
        abort(404)
    access = session_access(current_user, session)
    if not access.opened:
        abort(404)  # no meeting until the agenda is frozen
    require(access.chairs if chairing else access.sits_on)
    return session


def _item(session, item_id):
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.session_id != session.id:
        abort(404)
    if not can(current_user, "dispute.read", item.dispute):
        abort(404)
    return item


def _done(message, endpoint, **values):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


# The meeting page: register, quorum and the list of items -----------------------------------


@bp.route("/<int:session_id>/meeting")
@roles_required(*MEETING_ROLES)
def show(session_id):
    return _meeting_page(_session(session_id, *panel_services.MEETING_PAGE))


def _meeting_page(session, problems=(), early_reason=""):
    audit.record("meeting_viewed", session)
    db.session.commit()
    register = meeting.register(session)
    return render_template(
        "meeting/show.html", session=session, problems=list(problems), register=register,
        quorum=meeting.quorum(session), mine=meeting.attendance_of(session, current_user),
        member=next((m for m, _ in register if m.user_id == current_user.id), None),
        register_open=meeting.register_open(session), early=meeting.early(session),
        early_reason=early_reason,
        early_error=next((p["text"] for p in problems if p["href"] == "#early_reason"), None),
        access=session_access(current_user, session),
        statement=meeting.CONFIDENTIALITY_STATEMENT, statuses=AttendanceStatus,
        overdue=actions.overdue_before(session, actions.OVERDUE_SHOWN, actions.BRIEF_LOADING),
        overdue_count=actions.count_overdue_before(session))


@bp.route("/<int:session_id>/meeting/register", methods=["POST"])
@roles_required(Role.CHAIR)
def register(session_id):
    session = _session(session_id, chairing=True)
    entries = {}
    for member, _ in meeting.register(session):
        status = request.form.get(f"status-{member.id}")
        if status:
            entries[member.id] = (status, request.form.get(f"acknowledged-{member.id}") == "yes")
    return _meeting_step(session, lambda: meeting.record_attendance(session, current_user,
                                                                     entries),
                         "The register has been saved.")


@bp.route("/<int:session_id>/meeting/acknowledge", methods=["POST"])
@roles_required(*MEETING_ROLES)
def acknowledge(session_id):
    session = _session(session_id)
    return _meeting_step(session, lambda: meeting.acknowledge(session, current_user),
                         "You are marked present and have accepted the confidentiality "
                         "statement.")


@bp.route("/<int:session_id>/meeting/<any(start, close):step>", methods=["POST"])
@roles_required(Role.CHAIR)
def chair_step(session_id, step):
    session = _session(session_id, chairing=True)
    if step == "start":
        return _meeting_step(session, lambda: meeting.start(
            session, current_user, request.form.get("early_reason")), "The meeting has started.")
    return _meeting_step(session, lambda: meeting.close(session, current_user),
                         "The meeting has closed. The minutes are now in draft.")


def _meeting_step(session, step, message):
    try:
        step()
    except MeetingError as error:
        db.session.rollback()
        return _meeting_page(_session(session.id),
                             [{"text": str(error), "href": f"#{error.field or 'meeting'}"}],
                             early_reason=request.form.get("early_reason", ""))
    return _done(message, "meeting.show", session_id=session.id)


# One item: conflicts, voting, in-room votes, deferral and actions ------------------------------


@bp.route("/<int:session_id>/items/<int:item_id>")
@roles_required(*MEETING_ROLES)
def item(session_id, item_id):
    session = _session(session_id)
    return _item_page(session, _item(session, item_id))


def _item_page(session, item, problems=(), **forms):
    audit.record("dispute_viewed", item.dispute, page="meeting item", session=session.id)
    db.session.commit()
    failing = next((f for f in forms.values() if f is not None and f.errors), None)
    voters = voting.voters(item)
    in_room = forms.get("in_room_form") or InRoomVoteForm(formdata=None, prefix="in_room")
    in_room.set_voters(voters)
    action_form = forms.get("action_form") or ActionForm(formdata=None, prefix="action")
    action_form.set_owners(actions.owners())
    return render_template(
        "meeting/item.html", session=session, item=item, form=failing, problems=list(problems),
        quorum=meeting.quorum(session, item), voters=voters,
        voting_agencies=len({member.agency_id for member in voters}),
        shown_votes=voting.votes_shown_to(item, current_user),
        voted_agencies=sorted(v.agency.name for v in item.votes),
        result=voting.result(item), me=membership.sitting_member(current_user, session),
        mine=meeting.attendance_of(session, current_user),
        i_am_conflicted=meeting.conflicted(item, current_user),
        vote_form=forms.get("vote_form") or VoteForm(formdata=None),
        conflict_form=forms.get("conflict_form") or ConflictForm(formdata=None, prefix="conflict"),
        defer_form=forms.get("defer_form") or DeferForm(formdata=None, prefix="defer"),
        in_room_form=in_room, action_form=action_form,
        item_actions=actions.for_item(item),
        members=membership.members(session), access=session_access(current_user, session))


def _item_step(session, item, form, step, message, form_name):
    """Run one step on an item: a form error or a rule the step breaks re-shows the page with
    the message and nothing changed."""
    if form.validate_on_submit():
        try:
            step()
        except MeetingError as error:
            db.session.rollback()
            add_error(getattr(form, error.field or "", None) or _first_field(form), str(error))
        else:
            return _done(message, "meeting.item", session_id=session.id, item_id=item.id)
    session = _session(session.id)
    return _item_page(session, _item(session, item.id), **{form_name: form})


def _first_field(form):
    return next(field for field in form if field.type not in ("CSRFTokenField", "HiddenField"))


@bp.route("/<int:session_id>/items/<int:item_id>/vote", methods=["POST"])
@roles_required(Role.PANEL_MEMBER)
def vote(session_id, item_id):
    session = _session(session_id)
    item = _item(session, item_id)
    form = VoteForm()
    return _item_step(session, item, form, lambda: voting.cast_vote(
        item, current_user, form.outcome.data, form.reason.data),
        "Your vote has been recorded. Votes stay hidden until the chair closes voting.",
        "vote_form")


@bp.route("/<int:session_id>/items/<int:item_id>/conflict", methods=["POST"])
@roles_required(*MEETING_ROLES)
def declare_conflict(session_id, item_id):
    session = _session(session_id)
    item = _item(session, item_id)
    form = ConflictForm(prefix="conflict")
    member = _declaring_member(session, form.member_id.data)
    return _item_step(session, item, form, lambda: meeting.declare_conflict(
        session, item, current_user, member, form.nature.data),
        f"The conflict of interest of {member.user.name} has been recorded.", "conflict_form")


def _declaring_member(session, member_id):
    """Members declare their own conflicts; the chair may record one for any member sitting
    on this session's panel."""
    if session_access(current_user, session).runs_meeting and member_id:
        member = next((m for m in membership.members(session) if m.id == member_id), None)
        if member is not None:
            return member
    own = membership.sitting_member(current_user, session)
    if own is None:
        abort(404)
    return own


@bp.route("/<int:session_id>/items/<int:item_id>/<any(open, close):step>-voting",
          methods=["POST"])
@roles_required(Role.CHAIR)
def voting_step(session_id, item_id, step):
    session = _session(session_id, chairing=True)
    item = _item(session, item_id)
    run = voting.open_voting if step == "open" else voting.close_voting
    try:
        run(item, current_user)
    except MeetingError as error:
        db.session.rollback()
        session = _session(session_id)
        return _item_page(session, _item(session, item_id),
                          problems=[{"text": str(error), "href": "#voting"}])
    message = "Voting is open." if step == "open" else "Voting has closed. The votes are shown."
    return _done(message, "meeting.item", session_id=session.id, item_id=item.id)


@bp.route("/<int:session_id>/items/<int:item_id>/in-room-vote", methods=["POST"])
@roles_required(Role.CHAIR)
def in_room_vote(session_id, item_id):
    session = _session(session_id, chairing=True)
    item = _item(session, item_id)
    form = InRoomVoteForm(prefix="in_room")
    form.set_voters(voting.voters(item))
    return _item_step(session, item, form, lambda: voting.cast_vote(
        item, current_user, form.outcome.data, form.reason.data,
        member=db.session.get(PanelMember, form.member_id.data)),
        "The in-room vote has been recorded.", "in_room_form")


@bp.route("/<int:session_id>/items/<int:item_id>/defer", methods=["POST"])
@roles_required(Role.CHAIR)
def defer(session_id, item_id):
    session = _session(session_id, chairing=True)
    item = _item(session, item_id)
    form = DeferForm(prefix="defer")
    return _item_step(session, item, form, lambda: voting.defer(item, current_user,
                                                                form.reason.data),
                      "The item is deferred to the next session.", "defer_form")


@bp.route("/<int:session_id>/items/<int:item_id>/actions", methods=["POST"])
@roles_required(Role.CHAIR)
def add_action(session_id, item_id):
    session = _session(session_id, chairing=True)
    item = _item(session, item_id)
    form = ActionForm(prefix="action")
    form.set_owners(actions.owners())
    return _item_step(session, item, form, lambda: actions.add_action(
        session, current_user, description=form.description.data, owner_id=form.owner_id.data,
        working_days=form.working_days.data, item=item), "The action has been added.",
        "action_form")


# The decision -----------------------------------------------------------------------------------


@bp.route("/<int:session_id>/items/<int:item_id>/decision", methods=["GET", "POST"])
@roles_required(Role.CHAIR)
def decision(session_id, item_id):
    session = _session(session_id, chairing=True)
    item = _item(session, item_id)
    if item.voting != "closed" or item.decision is not None:
        return redirect(url_for("meeting.item", session_id=session.id, item_id=item.id))
    result = voting.count(item)
    form = DecisionForm()
    form.set_options(result.tied, voting.themes())
    if form.validate_on_submit():
        try:
            voting.record_decision(
                item, current_user, rationale=form.rationale.data, dissent=form.dissent.data,
                feedback=form.feedback.data, theme_ids=[t for t in form.themes.data if t],
                casting_vote=form.casting_vote.data or None)
        except MeetingError as error:
            db.session.rollback()
            add_error(getattr(form, error.field, form.rationale), str(error))
        else:
            return _done("The decision has been recorded and the referrer told.",
                         "meeting.item", session_id=session.id, item_id=item.id)
    audit.record("dispute_viewed", item.dispute, page="decision", session=session.id)
    db.session.commit()
    return render_template("meeting/decision.html", session=session, item=item, form=form,
                           result=result, quorum=meeting.quorum(session, item))
