"""Managing agencies and user accounts. Every change writes an audit event."""

import functools
from datetime import UTC, datetime, time, timedelta

from markupsafe import Markup, escape
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from moderation.auth.services import find_user_by_email, issue_temporary_password
from moderation.extensions import db
from moderation.models import Agency, AuditEvent, Role, User
from moderation.models.people import email_key
from moderation.web import audit
from moderation.web.boundary import Refusal


def agencies():
    return db.session.scalars(select(Agency).order_by(Agency.name)).all()


def agency_options(selected=None):
    """The <option>s of an agency filter, `selected` chosen."""
    listed = tuple(map(tuple, db.session.execute(select(Agency.id, Agency.name)
                                                 .order_by(Agency.name))))
    return _agency_options(listed, selected)


@functools.lru_cache(maxsize=64)
def _agency_options(listed, selected):
    # A large partnership has hundreds of agencies: each list is drawn once per worker and
    # reused while the agencies stay the same.
    return Markup("".join(  # noqa: S704 - every name is escaped here
        f'<option value="{agency_id}"{" selected" if agency_id == selected else ""}>'
        f"{escape(name)}</option>" for agency_id, name in listed))


def agencies_with_user_counts():
    counts = (
        select(User.agency_id, func.count(User.id).label("users"))
        .where(User.active.is_(True))
        .group_by(User.agency_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Agency, func.coalesce(counts.c.users, 0))
        .outerjoin(counts, counts.c.agency_id == Agency.id)
        .order_by(Agency.name)
    )
    return rows.all()


def _check_agency_name(name, agency=None):
    # Lowercased by the database on both sides: Python lowercases more letters than SQLite
    # (and than some PostgreSQL collations), and "İ" must still find "İ".
    clash = db.session.scalar(
        select(Agency).where(func.lower(Agency.name) == func.lower(name.strip()))
    )
    if clash is not None and clash is not agency:
        raise Refusal("An agency with this name already exists", "name")


def create_agency(name, kind, is_core):
    _check_agency_name(name)
    agency = Agency(name=name.strip(), kind=kind, is_core=is_core)
    db.session.add(agency)
    db.session.flush()
    audit.record("agency_created", agency, name=agency.name, kind=kind, is_core=is_core)
    return agency


def update_agency(agency, name, kind, is_core):
    _check_agency_name(name, agency)
    changes = _changes(agency, name=name.strip(), kind=kind, is_core=is_core)
    if changes:
        audit.record("agency_updated", agency, changes=changes)
    return agency


def _changes(record, **values):
    """Apply values to the record; return {field: [old, new]} for those that changed."""
    changed = {}
    for field, new in values.items():
        old = getattr(record, field)
        if old != new:
            changed[field] = [_plain(old), _plain(new)]
            setattr(record, field, new)
    return changed


def _plain(value):
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def _check_email(email, user=None):
    clash = find_user_by_email(email)
    if clash is not None and clash is not user:
        raise Refusal("A user with this email address already exists", "email")


def create_user(name, email, agency_id, roles, active=True):
    """Create an account with a temporary password; return (user, temporary password)."""
    _check_email(email)
    user = User(name=name.strip(), email=email_key(email), agency_id=agency_id, active=active)
    user.roles = roles
    password = issue_temporary_password(user)
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", user, email=user.email, roles=sorted(roles), active=active)
    return user, password


def update_user(user, acting_admin, name, email, agency_id, roles, active):
    _check_email(email, user)
    if user.id == acting_admin.id:
        _check_not_locking_self_out(roles, active)
    old_roles = sorted(role.value for role in user.roles)
    changes = _changes(
        user, name=name.strip(), email=email_key(email), agency_id=agency_id, active=active
    )
    if sorted(roles) != old_roles:
        user.roles = roles
        changes["roles"] = [old_roles, sorted(roles)]
    if "active" in changes and not active:
        user.rotate_session_token()  # a deactivated user is signed out at once
    if changes:
        audit.record("user_updated", user, changes=changes)
    return user


def _check_not_locking_self_out(roles, active):
    if Role.ADMIN.value not in roles:
        raise Refusal("You cannot remove your own administrator role", "roles")
    if not active:
        raise Refusal("You cannot deactivate your own account", "active")


def reset_password(user):
    password = issue_temporary_password(user)
    audit.record("password_reset", user)
    return password


# The users list shows each user's agency and roles.
USERS_LISTED = (joinedload(User.agency), selectinload(User.role_links))
# The audit log (and the administrator's home page) names who acted.
EVENTS_LISTED = (joinedload(AuditEvent.actor),)


def users_page(page, per_page, search=None, role=None, agency_id=None, status=None):
    query = select(User).options(*USERS_LISTED).order_by(func.lower(User.name))
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(func.lower(User.name).like(pattern), func.lower(User.email).like(pattern))
        )
    if role:
        query = query.where(User.role_links.any(role=role))
    if agency_id:
        query = query.where(User.agency_id == agency_id)
    if status in ("active", "inactive"):
        query = query.where(User.active.is_(status == "active"))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def audit_page(page, per_page, action=None, actor=None, object_type=None, start=None, end=None):
    """A page of audit events, newest first, filtered."""
    query = (select(AuditEvent).options(*EVENTS_LISTED)
             .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if actor:
        pattern = f"%{actor.strip().lower()}%"
        query = query.join(AuditEvent.actor).where(
            or_(func.lower(User.name).like(pattern), func.lower(User.email).like(pattern))
        )
    if start:
        query = query.where(AuditEvent.occurred_at >= _start_of(start))
    if end:
        query = query.where(AuditEvent.occurred_at < _start_of(end, days_after=1))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def _start_of(day, days_after=0):
    return datetime.combine(day + timedelta(days=days_after), time(), tzinfo=UTC)


def audit_choices():
    """The actions and record types present in the log, for the filter menus."""
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    types = db.session.scalars(
        select(AuditEvent.object_type)
        .where(AuditEvent.object_type.is_not(None))
        .distinct()
        .order_by(AuditEvent.object_type)
    )
    return list(actions), list(types)


def overview():
    """Counts for the administrator's home page."""
    active_users = db.session.scalar(select(func.count(User.id)).where(User.active.is_(True)))
    inactive_users = db.session.scalar(select(func.count(User.id)).where(User.active.is_(False)))
    agency_count = db.session.scalar(select(func.count(Agency.id)))
    recent = db.session.scalars(
        select(AuditEvent).options(*EVENTS_LISTED)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(10)
    ).all()
    return {
        "active_users": active_users,
        "inactive_users": inactive_users,
        "agencies": agency_count,
        "recent_events": recent,
    }
