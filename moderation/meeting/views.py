"""The meeting pages: register and quorum, each item's conflicts and votes, and the decision."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from moderation.actions import services as actions
from moderation.actions.forms import ActionForm
from moderation.disputes import urgent_panel
from moderation.extensions import db
from moderation.meeting import (  # noqa: F401 (permissions: its rules)
    conflicts,
    decisions,
    permissions,
    register,
    voting,
)
from moderation.meeting.blueprint import bp
from moderation.meeting.forms import (
    ConflictForm,
    DecisionForm,
    DeferForm,
    InRoomVoteForm,
    RegisterForm,
    StartMeetingForm,
    VoteForm,
)
from moderation.meeting.quorum import quorum
from moderation.models import (
    AgendaItem,
    Attendance,
    Conflict,
    ItemGuest,
    PanelDecision,
    PanelMember,
    PanelSession,
    Vote,
)
from moderation.panels import membership
from moderation.papers.forms import GuestRegisterForm
from moderation.papers.guests import of_session
from moderation.web import audit
from moderation.web.access import permits
from moderation.web.boundary import on_refusal, refuse_unless_valid
from moderation.web.formatting import format_date
from moderation.web.permissions import can, record_or_404, require

# Who is in the room: the register's rows, each member with their name and agency (quorum and
# who may vote are counted from it).
REGISTER = (
    selectinload(PanelSession.attendance).joinedload(Attendance.member).options(
        joinedload(PanelMember.user), joinedload(PanelMember.agency)),
)
# The meeting page adds the agenda: each item's dispute reference and its decision's outcome.
MEETING_PAGE = (
    *REGISTER,
    selectinload(PanelSession.agenda).options(joinedload(AgendaItem.dispute),
                                              selectinload(AgendaItem.decision)),
)
# An item's page: its dispute's reference, the votes (agency and who cast them), the conflicts
# (whose, and their agency) and the decision with its learning themes.
ITEM_PAGE = (
    joinedload(AgendaItem.dispute),
    selectinload(AgendaItem.votes).options(joinedload(Vote.agency),
                                           joinedload(Vote.member).joinedload(PanelMember.user)),
    selectinload(AgendaItem.conflicts).joinedload(Conflict.member).options(
        joinedload(PanelMember.user), joinedload(PanelMember.agency)),
    selectinload(AgendaItem.decision).selectinload(PanelDecision.themes),
    selectinload(AgendaItem.guests).joinedload(ItemGuest.user),
)


def _session(session_id, action="meeting.attend", *options):
    """The session, if the user may take `action` on it (rule 12: else "Page not found"):
    `meeting.attend` for those who sit on its panel, `meeting.run` for its chair."""
    return record_or_404(PanelSession, session_id, action, *options)


def _item(panel_session, item_id, *options):
    """An item of the session's agenda, whose case the user may read."""
    item = db.session.get(AgendaItem, item_id, options=options)
    if item is None or item.session_id != panel_session.id:
        abort(404)
    require(current_user, "dispute.read", item.dispute)
    return item


def _to_meeting(panel_session, message):
    flash(message, "success")
    return redirect(url_for("meeting.show", session_id=panel_session.id))


def _to_item(item, message):
    flash(message, "success")
    return redirect(url_for("meeting.item", session_id=item.session_id, item_id=item.id))


# The meeting page: register, quorum and the list of items -----------------------------------


@bp.route("/<int:session_id>/meeting")
@permits("meeting.attend")
def show(session_id):
    return _meeting_page(_session(session_id, "meeting.attend", *MEETING_PAGE))


def _meeting_page(panel_session, problems=(), register_form=None, start_form=None, guest_form=None):
    audit.record("meeting_viewed", panel_session)
    rows = register.register(panel_session)
    guests = of_session(panel_session)
    return render_template(
        "meeting/show.html", session=panel_session, problems=list(problems), register=rows,
        register_form=register_form or RegisterForm.for_register(rows, formdata=None),
        guests=guests,
        guest_form=guest_form or GuestRegisterForm.for_guests(guests, formdata=None),
        start_form=start_form or StartMeetingForm(formdata=None),
        quorum=quorum(panel_session), mine=register.attendance_of(panel_session, current_user),
        opens_later=register.opens_later(panel_session), early=register.early(panel_session),
        early_error=next((p["text"] for p in problems if p["href"] == "#early_reason"), None),
        statement=register.CONFIDENTIALITY_STATEMENT,
        overdue=actions.overdue_before(panel_session, actions.OVERDUE_SHOWN, actions.BRIEF),
        overdue_count=actions.count_overdue_before(panel_session))


@bp.route("/<int:session_id>/meeting/register", methods=["POST"], endpoint="register")
@permits("register.keep")
def keep_register(session_id):
    panel_session = _session(session_id, "meeting.run", *MEETING_PAGE)
    form = RegisterForm.for_register(register.register(panel_session))
    on_refusal(lambda problems: _meeting_page(panel_session, problems, register_form=form),
               field="register")
    if form.validate_on_submit():
        register.record_attendance(panel_session, current_user, form.entries())
        return _to_meeting(panel_session, "The register has been saved.")
    return _meeting_page(panel_session, register_form=form)


@bp.route("/<int:session_id>/meeting/guests", methods=["POST"], endpoint="guest_register")
@permits("register.keep")
def keep_guest_register(session_id):
    """The chair records whether each guest came (guests are not members: see register.py)."""
    panel_session = _session(session_id, "meeting.run", *MEETING_PAGE)
    form = GuestRegisterForm.for_guests(of_session(panel_session))
    on_refusal(lambda problems: _meeting_page(panel_session, problems, guest_form=form),
               field="guests")
    if form.validate_on_submit():
        register.record_guests(panel_session, current_user, form.entries())
        return _to_meeting(panel_session, "The guests' attendance has been saved.")
    return _meeting_page(panel_session, guest_form=form)


@bp.route("/<int:session_id>/meeting/acknowledge", methods=["POST"])
@permits("meeting.attend")
def acknowledge(session_id):
    # Any member of the panel: the service says when the register is not open.
    panel_session = _session(session_id, "meeting.attend", *REGISTER)
    on_refusal(lambda problems: _meeting_page(panel_session, problems), field="acknowledge")
    register.acknowledge(panel_session, current_user)
    return _to_meeting(panel_session, "You are marked present and have accepted the "
                                      "confidentiality statement.")


@bp.route("/<int:session_id>/meeting/<any(start, close):step>", methods=["POST"])
@permits("meeting.run")
def chair_step(session_id, step):
    panel_session = _session(session_id, "meeting.run", *MEETING_PAGE)
    form = StartMeetingForm()
    on_refusal(lambda problems: _meeting_page(panel_session, problems, start_form=form),
               field="meeting")
    refuse_unless_valid(form)
    if step == "start":
        register.start(panel_session, current_user, form.early_reason.data)
        return _to_meeting(panel_session, "The meeting has started.")
    register.close(panel_session, current_user)
    return _to_meeting(panel_session, "The meeting has closed. The minutes are now in draft.")


# One item: conflicts, voting, in-room votes, deferral and actions ------------------------------


@bp.route("/<int:session_id>/items/<int:item_id>")
@permits("meeting.attend")
def item(session_id, item_id):
    panel_session = _session(session_id, "meeting.attend", *REGISTER)
    return _item_page(panel_session, _item(panel_session, item_id, *ITEM_PAGE))


def _item_page(panel_session, item, problems=(), **forms):
    """The item's page; `forms`: a form just sent, shown again with its errors."""
    audit.record("dispute_viewed", item.dispute, page="meeting item", session=panel_session.id)
    voters = voting.voters(item)
    in_room = forms.get("in_room_form") or InRoomVoteForm(formdata=None, prefix="in_room")
    in_room.set_voters(voters)
    action_form = forms.get("action_form") or ActionForm(formdata=None, prefix="action")
    action_form.set_owners(actions.owners())
    me = membership.sitting_member(current_user, panel_session)
    shown = voting.votes_shown_to(item, current_user)
    return render_template(
        "meeting/item.html", session=panel_session, item=item, problems=list(problems),
        form=next((f for f in forms.values() if f.errors), None),
        quorum=quorum(panel_session, item), voting_agencies=len({m.agency_id for m in voters}),
        shown_votes=shown, result=voting.result(item), me=me,
        agency_vote=next((v for v in shown if me and v.agency_id == me.agency_id), None),
        voted_agencies=sorted(v.agency.name for v in item.votes),
        i_am_conflicted=conflicts.conflicted(item, current_user),
        vote_form=forms.get("vote_form") or VoteForm(formdata=None),
        conflict_form=forms.get("conflict_form") or ConflictForm(formdata=None, prefix="conflict"),
        defer_form=forms.get("defer_form") or DeferForm(formdata=None, prefix="defer"),
        in_room_form=in_room, action_form=action_form, item_actions=actions.for_item(item),
        members=membership.members(panel_session),
        urgent=urgent_panel.standing_of(item.dispute) if item.deferred else None)


@bp.route("/<int:session_id>/items/<int:item_id>/vote", methods=["POST"])
@permits("item.vote")
def vote(session_id, item_id):
    # The service, not the door, refuses a vote that came too late: the voter is told why.
    panel_session = _session(session_id, "meeting.attend", *REGISTER)
    item = _item(panel_session, item_id)
    form = VoteForm()
    on_refusal(lambda problems: _item_page(panel_session, item, vote_form=form), form)
    if not form.validate_on_submit():
        return _item_page(panel_session, item, vote_form=form)
    voting.cast_vote(item, current_user, form.outcome.data, form.reason.data)
    return _to_item(item, "Your vote has been recorded. Votes stay hidden until the chair "
                          "closes voting.")


@bp.route("/<int:session_id>/items/<int:item_id>/conflict", methods=["POST"])
@permits("item.declare_conflict")
def declare_conflict(session_id, item_id):
    panel_session = _session(session_id, "meeting.attend", *REGISTER)
    item = _item(panel_session, item_id)
    form = ConflictForm(prefix="conflict")
    member = _declaring_member(panel_session, form.member_id.data)
    on_refusal(lambda problems: _item_page(panel_session, item, conflict_form=form), form)
    if not form.validate_on_submit():
        return _item_page(panel_session, item, conflict_form=form)
    conflicts.declare_conflict(panel_session, item, current_user, member, form.nature.data)
    return _to_item(item, f"The conflict of interest of {member.user.name} has been recorded.")


def _declaring_member(panel_session, member_id):
    """Members declare their own conflicts; the chair may record one for any member sitting
    on this session's panel."""
    if member_id and can(current_user, "meeting.run", panel_session):
        chosen = next((m for m in membership.members(panel_session) if m.id == member_id), None)
        if chosen is not None:
            return chosen
    own = membership.sitting_member(current_user, panel_session)
    if own is None:
        abort(404)
    return own


@bp.route("/<int:session_id>/items/<int:item_id>/<any(open, close):step>-voting",
          methods=["POST"])
@permits("item.run_voting")
def voting_step(session_id, item_id, step):
    panel_session = _session(session_id, "meeting.run", *REGISTER)
    item = _item(panel_session, item_id)
    on_refusal(lambda problems: _item_page(panel_session, item, problems), field="voting")
    if step == "open":
        voting.open_voting(item, current_user)
        return _to_item(item, "Voting is open.")
    voting.close_voting(item, current_user)
    return _to_item(item, "Voting has closed. The votes are shown.")


@bp.route("/<int:session_id>/items/<int:item_id>/in-room-vote", methods=["POST"])
@permits("item.run_voting")
def in_room_vote(session_id, item_id):
    panel_session = _session(session_id, "meeting.run", *REGISTER)
    item = _item(panel_session, item_id)
    form = InRoomVoteForm(prefix="in_room")
    form.set_voters(voting.voters(item))
    on_refusal(lambda problems: _item_page(panel_session, item, in_room_form=form), form)
    if not form.validate_on_submit():
        return _item_page(panel_session, item, in_room_form=form)
    voting.cast_vote(item, current_user, form.outcome.data, form.reason.data,
                     member=db.session.get(PanelMember, form.member_id.data))
    return _to_item(item, "The in-room vote has been recorded.")


@bp.route("/<int:session_id>/items/<int:item_id>/defer", methods=["POST"])
@permits("item.defer")
def defer(session_id, item_id):
    panel_session = _session(session_id, "meeting.run", *REGISTER)
    item = _item(panel_session, item_id)
    form = DeferForm(prefix="defer")
    on_refusal(lambda problems: _item_page(panel_session, item, defer_form=form), form)
    if not form.validate_on_submit():
        return _item_page(panel_session, item, defer_form=form)
    following = decisions.defer(item, current_user, form.reason.data)
    if item.dispute.immediate_risk:
        return _to_item(item, "The item is deferred. It is about a child at immediate risk, so it "
                              "goes to no monthly panel: call an extraordinary panel below.")
    if following is None:
        return _to_item(item, "The item is deferred. No session to come has room for it, so it "
                              "is back in the panel queue.")
    return _to_item(item, "The item is deferred to the panel session on "
                          f"{format_date(following.held_on)}.")


@bp.route("/<int:session_id>/items/<int:item_id>/actions", methods=["POST"])
@permits("action.set")
def add_action(session_id, item_id):
    panel_session = _session(session_id, "meeting.run", *REGISTER)
    item = _item(panel_session, item_id)
    form = ActionForm(prefix="action")
    form.set_owners(actions.owners())
    on_refusal(lambda problems: _item_page(panel_session, item, action_form=form), form)
    if not form.validate_on_submit():
        return _item_page(panel_session, item, action_form=form)
    actions.add_action(panel_session, current_user, description=form.description.data,
                       owner_id=form.owner_id.data, working_days=form.working_days.data,
                       item=item)
    return _to_item(item, "The action has been added.")


# The decision -----------------------------------------------------------------------------------


@bp.route("/<int:session_id>/items/<int:item_id>/decision", methods=["GET", "POST"])
@permits("item.run_voting")
def decision(session_id, item_id):
    panel_session = _session(session_id, "meeting.run", *REGISTER)
    item = _item(panel_session, item_id)
    if not item.voting_closed or item.decision is not None:
        return redirect(url_for("meeting.item", session_id=panel_session.id, item_id=item.id))
    result = voting.count(item)
    form = DecisionForm()
    form.set_options(result.tied, decisions.themes())
    page = lambda problems=(): _decision_page(panel_session, item, form, result)  # noqa: E731
    on_refusal(page, form, field="rationale")
    if not form.validate_on_submit():
        return page()
    decisions.record_decision(
        item, current_user, rationale=form.rationale.data, dissent=form.dissent.data,
        feedback=form.feedback.data, theme_ids=[t for t in form.themes.data if t],
        casting_vote=form.casting_vote.data or None)
    return _to_item(item, "The decision has been recorded and the referrer told.")


def _decision_page(panel_session, item, form, result):
    audit.record("dispute_viewed", item.dispute, page="decision", session=panel_session.id)
    return render_template("meeting/decision.html", session=panel_session, item=item, form=form,
                           result=result, quorum=quorum(panel_session, item))
