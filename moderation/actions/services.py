"""Actions the panel sets: owner, agency, a due date counted in working days, and status.

Open actions past their due date are overdue; they come back on the next session's agenda.
"""

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from moderation.actions.permissions import why_not_set_now
from moderation.calendar import add_working_days, region, today
from moderation.disputes.child_identifiers import refuse, refuse_on_agenda
from moderation.disputes.policy import current_policy
from moderation.extensions import db
from moderation.models import (
    Action,
    ActionStatus,
    Agency,
    AgencyKind,
    AgendaItem,
    PanelOutcome,
    Role,
    User,
)
from moderation.models.types import utcnow
from moderation.notifications import notices
from moderation.panels import membership
from moderation.web import audit
from moderation.web.boundary import Refusal
from moderation.web.permissions import can, enforce

WORKING_DAYS = (1, 130)
# Closing an action any way but "done" needs a word on why.
NEEDS_NOTE = (ActionStatus.NOT_POSSIBLE, ActionStatus.NOT_DONE)


# Each possible owner is offered by name and agency.
OWNERS = (joinedload(User.agency),)


def owners():
    """Who may own an action: every active user."""
    return db.session.scalars(select(User).where(User.active.is_(True)).options(*OWNERS)
                              .order_by(User.name)).all()


def add_action(panel_session, actor, *, description, owner_id, working_days, item=None):
    enforce(why_not_set_now(panel_session), "description")
    refuse_on_agenda(panel_session, [("The action", "description", description)], actor)
    owner = db.session.get(User, owner_id or 0)
    if owner is None or not owner.active:
        raise Refusal("Select who owns the action", "owner_id")
    if working_days is None or not WORKING_DAYS[0] <= working_days <= WORKING_DAYS[1]:
        raise Refusal(f"The action must be due in between {WORKING_DAYS[0]} and "
                      f"{WORKING_DAYS[1]} working days", "working_days")
    action = Action(session_id=panel_session.id, agenda_item_id=item.id if item else None,
                    description=description.strip(), owner=owner, agency_id=owner.agency_id,
                    working_days=working_days, created_by_id=actor.id,
                    due_on=add_working_days(panel_session.held_on, working_days, region()))
    db.session.add(action)
    db.session.flush()
    audit.record("action_set", action, actor=actor, session=panel_session.id, owner=owner.id)
    notices.action_owed(action)
    return action


OVERTURNED = (PanelOutcome.OVERTURN_ASSESSMENT, PanelOutcome.OVERTURN_STRATEGY)


def act_on_overturn(item, actor, outcome):
    """After the panel overturns CSC's decision (s17 or s47), CSC's front door owes an action:
    owned by the CSC front-door manager role, due in the policy's working days (default 1)."""
    if outcome not in OVERTURNED:
        return None
    days = current_policy().csc_action_days
    action = Action(
        session_id=item.session_id, agenda_item_id=item.id, owner_role=Role.CSC_MANAGER.value,
        description=f"Act on the panel's decision: {PanelOutcome(outcome).label}",
        agency_id=_csc_agency_id() or actor.agency_id, working_days=days,
        created_by_id=actor.id, due_on=add_working_days(item.session.held_on, days, region()))
    db.session.add(action)
    db.session.flush()
    audit.record("action_set", action, actor=actor, session=item.session_id,
                 owner_role=Role.CSC_MANAGER.value)
    notices.action_owed(action)
    return action


def _csc_agency_id():
    return db.session.scalar(select(Agency.id).where(Agency.kind == AgencyKind.CSC)
                             .order_by(Agency.is_core.desc(), Agency.id).limit(1))


def update_status(action, actor, status, note=None):
    if not can(actor, "action.update", action):
        raise Refusal("Only the action's owner or the chair can update it", "status")
    if not ActionStatus.has(status):
        raise Refusal("Select the action's status", "status")
    note = (note or "").strip()
    if status in NEEDS_NOTE and not note:
        raise Refusal("Say why the action was not done", "note")
    # The owner may be anyone (not only the panel): the note is checked against the children
    # they may read, never against an agenda they may not (rule 12).
    refuse([("The note", "note", note)], actor)
    action.status = status
    action.status_note = note or None
    action.updated_at = utcnow()
    audit.record("action_updated", action, actor=actor, status=status)


# The meeting page's short list: description, owner and agency (and the due date).
BRIEF = (joinedload(Action.owner), joinedload(Action.agency))
# A list of actions adds its session's date and its dispute's reference. A long join takes
# PostgreSQL longer to plan than to run, so the session and the item come by their own queries.
LISTED = (
    *BRIEF,
    selectinload(Action.session),
    selectinload(Action.agenda_item).joinedload(AgendaItem.dispute),
)


def _listed(statement, loading=LISTED):
    return statement.options(*loading).order_by(Action.due_on, Action.id)


def for_session(panel_session):
    return db.session.scalars(
        _listed(select(Action).where(Action.session_id == panel_session.id))).all()


def for_item(item):
    return db.session.scalars(_listed(select(Action).where(Action.agenda_item_id == item.id))).all()


def listing(user, status=None, mine_only=False, page=1, per_page=50):
    """The overall actions list, a page at a time: everyone's for partnership managers, for a
    chair their own and those of the sessions they sat on (rule 12), otherwise their own."""
    statement = select(Action)
    if mine_only or not can(user, "actions.see_all"):
        statement = statement.where(_owned_by(user))
    elif not user.has_role(Role.PARTNERSHIP_MANAGER):
        statement = statement.where(_owned_by(user)
                                    | Action.session_id.in_(membership.sessions_sat_on(user)))
    if status:
        statement = statement.where(Action.status == status)
    return db.paginate(_listed(statement), page=page, per_page=per_page, error_out=False)


def _owned_by(user):
    """Actions the user owns: their own, and those owned by a role they hold."""
    return (Action.owner_id == user.id) | Action.owner_role.in_([r.value for r in user.roles])


def _overdue_before(panel_session, *columns):
    # Another session's action due before this one's date was set at an earlier session: an
    # action is always due after the session that set it.
    return select(*columns or (Action,)).where(
        Action.status == ActionStatus.OPEN, Action.due_on < panel_session.held_on,
        Action.session_id != panel_session.id)


OVERDUE_SHOWN = 20  # on the meeting page; the actions list has the rest


def overdue_before(panel_session, limit=None, loading=LISTED):
    """Open actions from earlier sessions already overdue on this session's date, due earliest
    first: the agenda's section of overdue actions (the first `limit` of them)."""
    return db.session.scalars(_listed(_overdue_before(panel_session), loading).limit(limit)).all()


def count_overdue_before(panel_session):
    return db.session.scalar(_overdue_before(panel_session, func.count(Action.id)))


def days_left(action, on=None):
    """Working days until the action is due (negative when overdue); None once closed."""
    return action.days_left(on)


def _open_for_role(role, *columns):
    return select(*columns or (Action,)).where(Action.owner_role == role.value,
                                               Action.status == ActionStatus.OPEN)


def open_for_role(role, limit=OVERDUE_SHOWN):
    """The open actions owned by everyone holding `role` (CSC's after an overturn), due
    earliest first (the most overdue), each with its session and dispute: the first `limit`."""
    return db.session.scalars(_listed(_open_for_role(role)).limit(limit)).all()


def count_open_for_role(role):
    """How many actions `role` owes, and how many of them are overdue, in one query."""
    overdue = func.count(case((Action.due_on < today(), Action.id)))
    return tuple(db.session.execute(_open_for_role(role, func.count(Action.id), overdue)).one())
