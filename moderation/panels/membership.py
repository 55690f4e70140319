"""Standing panel membership and each member's private calendar feed."""

import secrets

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from moderation import audit
from moderation.extensions import db
from moderation.models import (
    Agency,
    MemberRole,
    PanelMember,
    PanelSession,
    Role,
    User,
    UserRole,
)
from moderation.panels.services import SchedulingError

# The account role a member needs for each panel role.
NEEDS_ROLE = {
    MemberRole.CHAIR: Role.CHAIR,
    MemberRole.DEPUTY_CHAIR: Role.CHAIR,
    MemberRole.REPRESENTATIVE: Role.PANEL_MEMBER,
}


def members():
    return db.session.scalars(
        select(PanelMember)
        .options(joinedload(PanelMember.user).lazyload(User.role_links))  # names, not roles
        .join(Agency, PanelMember.agency_id == Agency.id)
        .join(User, PanelMember.user_id == User.id)
        .order_by(PanelMember.role, Agency.name, PanelMember.deputy_for_id.is_not(None), User.name)
    ).all()


def candidates():
    """Active users who could join: they hold the chair or panel member role and are not in."""
    joined = select(PanelMember.user_id)
    return db.session.scalars(
        select(User)
        .where(User.active.is_(True), User.id.not_in(joined),
               User.role_links.any(UserRole.role.in_([Role.CHAIR, Role.PANEL_MEMBER])))
        .order_by(User.name)
    ).all()


def add_member(actor, user_id, role, agency_id, deputy_for_id=None):
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise SchedulingError("Select who is joining the panel", "user_id")
    if db.session.scalar(select(PanelMember.id).where(PanelMember.user_id == user_id)):
        raise SchedulingError(f"{user.name} is already a member of the panel", "user_id")
    if not user.has_role(NEEDS_ROLE[MemberRole(role)]):
        raise SchedulingError(
            f"{user.name} needs the {NEEDS_ROLE[MemberRole(role)].label.lower()} role first: "
            "ask an administrator", "role")
    deputy_for = _check_deputy(deputy_for_id, role, agency_id)
    member = PanelMember(user_id=user.id, role=role, agency_id=agency_id,
                         deputy_for=deputy_for, calendar_token=_token())
    db.session.add(member)
    db.session.flush()
    audit.record("panel_member_added", member, actor=actor, user=user.email, role=role,
                 deputy_for=deputy_for_id)
    return member


def _check_deputy(deputy_for_id, role, agency_id):
    if not deputy_for_id:
        return None
    principal = db.session.get(PanelMember, deputy_for_id)
    if principal is None or principal.deputy_for_id is not None:
        raise SchedulingError("Select the member this deputy stands in for", "deputy_for_id")
    if role == MemberRole.REPRESENTATIVE and principal.agency_id != agency_id:
        raise SchedulingError("A deputy represents the same agency as the member they stand "
                              "in for", "deputy_for_id")
    return principal


def remove_member(actor, member):
    for deputy in db.session.scalars(select(PanelMember).where(
            PanelMember.deputy_for_id == member.id)):
        deputy.deputy_for = None
    audit.record("panel_member_removed", member, actor=actor, user=member.user.email)
    db.session.delete(member)


def _token():
    return secrets.token_urlsafe(32)


def membership_of(user):
    return db.session.scalar(select(PanelMember).where(PanelMember.user_id == user.id))


def new_calendar_token(member):
    """A new feed address; the old one stops working."""
    member.calendar_token = _token()
    audit.record("calendar_feed_renewed", member)
    return member.calendar_token


def feed_sessions(token):
    """The sessions in a member's private feed, or None if the address is not (or no longer)
    valid. Cancelled sessions stay in the feed, marked cancelled, so calendars update."""
    if not token or len(token) > 64:
        return None
    member = db.session.scalar(select(PanelMember).where(PanelMember.calendar_token == token))
    if member is None or not member.user.active:
        return None
    return db.session.scalars(select(PanelSession).order_by(PanelSession.held_on)).all()
