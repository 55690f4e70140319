"""Standing panel membership and each member's private calendar feed."""

import secrets

from sqlalchemy import exists, select
from sqlalchemy.orm import contains_eager, joinedload

from moderation.calendar import today
from moderation.extensions import db
from moderation.models import (
    Agency,
    Attendance,
    Conflict,
    MemberRole,
    PanelMember,
    PanelSession,
    Role,
    User,
    UserRole,
    Vote,
)
from moderation.web import audit
from moderation.web.boundary import Refusal
from moderation.web.words import in_sentence

# The account role a member needs for each panel role.
NEEDS_ROLE = {
    MemberRole.CHAIR: Role.CHAIR,
    MemberRole.DEPUTY_CHAIR: Role.CHAIR,
    MemberRole.REPRESENTATIVE: Role.PANEL_MEMBER,
}


def members(panel_session=None):
    """The current members, or with a session those who sit on its panel (rule 12), each with
    their name and agency (from the joins that order them). A deputy's principal sits on the
    same panel, so `deputy_for` finds them among the members already loaded."""
    query = (
        select(PanelMember)
        .join(Agency, PanelMember.agency_id == Agency.id)
        .join(User, PanelMember.user_id == User.id)
        .options(contains_eager(PanelMember.agency), contains_eager(PanelMember.user))
        .order_by(PanelMember.role, Agency.name, PanelMember.deputy_for_id.is_not(None), User.name)
    )
    sitting = _sitting(panel_session) if panel_session else _current()
    return db.session.scalars(query.where(sitting)).all()


def _current():
    return PanelMember.left_on.is_(None)


def _sitting(panel_session):
    """Members whose membership covers the day the session is held."""
    return PanelMember.sitting_on(panel_session.held_on)


# Each candidate is offered by name and agency.
CANDIDATES = (joinedload(User.agency),)


def candidates():
    """Active users who could join: they hold the chair or panel member role and are not in."""
    joined = exists().where(PanelMember.user_id == User.id, _current())
    return db.session.scalars(
        select(User)
        .where(User.active.is_(True), ~joined,
               User.role_links.any(UserRole.role.in_([Role.CHAIR, Role.PANEL_MEMBER])))
        .options(*CANDIDATES)
        .order_by(User.name)
    ).all()


def add_member(actor, user_id, role, agency_id, deputy_for_id=None):
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise Refusal("Select who is joining the panel", "user_id")
    if membership_of(user) is not None:
        raise Refusal(f"{user.name} is already a member of the panel", "user_id")
    if not user.has_role(NEEDS_ROLE[MemberRole(role)]):
        raise Refusal(
            f"{user.name} needs the {in_sentence(NEEDS_ROLE[MemberRole(role)].label)} role first: "
            "ask an administrator", "role")
    deputy_for = _check_deputy(deputy_for_id, role, agency_id)
    member = PanelMember(user_id=user.id, role=role, agency_id=agency_id,
                         deputy_for=deputy_for, calendar_token=_token(), joined_on=today())
    db.session.add(member)
    db.session.flush()
    audit.record("panel_member_added", member, actor=actor, user=user.email, role=role,
                 deputy_for=deputy_for_id)
    return member


def _check_deputy(deputy_for_id, role, agency_id):
    if not deputy_for_id:
        return None
    principal = db.session.get(PanelMember, deputy_for_id)
    if principal is None or principal.deputy_for_id is not None or principal.left_on:
        raise Refusal("Select the member this deputy stands in for", "deputy_for_id")
    if role == MemberRole.REPRESENTATIVE and principal.agency_id != agency_id:
        raise Refusal("A deputy represents the same agency as the member they stand "
                              "in for", "deputy_for_id")
    return principal


def remove_member(actor, member):
    """End a membership. Someone who has attended, voted or declared a conflict stays in the
    records of those sessions, so their membership ends today (their last day) instead of
    being deleted; they see no session held after today."""
    for deputy in db.session.scalars(select(PanelMember).where(
            PanelMember.deputy_for_id == member.id, _current())):
        deputy.deputy_for = None
    audit.record("panel_member_removed", member, actor=actor, user=member.user.email)
    if _has_history(member):
        member.left_on = today()
        member.calendar_token = _token()  # their private feed address stops working
    else:
        db.session.delete(member)


def _has_history(member):
    refers = (
        select(Attendance.id).where((Attendance.member_id == member.id)
                                    | (Attendance.standing_for_id == member.id)),
        select(Vote.id).where(Vote.member_id == member.id),
        select(Conflict.id).where(Conflict.member_id == member.id),
        select(PanelMember.id).where(PanelMember.deputy_for_id == member.id),
    )
    return any(db.session.scalar(query.limit(1)) is not None for query in refers)


def _token():
    return secrets.token_urlsafe(32)


# A seat as its holder's home page names it: with the agency they sit for.
SEAT = (joinedload(PanelMember.agency),)


def membership_of(user, options=()):
    """The user's current membership of the panel (or one starting later), if any."""
    return db.session.scalar(
        select(PanelMember).where(PanelMember.user_id == user.id, _current()).options(*options))


def sitting_member(user, panel_session):
    """The membership with which the user sits on this session's panel, or None."""
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        select(PanelMember).where(PanelMember.user_id == user.id, _sitting(panel_session)).limit(1))


def sessions_sat_on(user):
    """A subquery of the ids of every session held while the user sat on the panel."""
    return (
        select(PanelSession.id)
        .join(PanelMember, PanelMember.sitting_on(PanelSession.held_on))
        .where(PanelMember.user_id == user.id)
    )


def sits_on(user, panel_session):
    """Rule 12: only those who sit on a session's panel see its case detail."""
    return sitting_member(user, panel_session) is not None


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
    member = db.session.scalar(select(PanelMember).where(PanelMember.calendar_token == token,
                                                         _current()))
    if member is None or not member.user.active:
        return None
    return db.session.scalars(select(PanelSession).where(PanelSession.held_on >= member.joined_on)
                              .order_by(PanelSession.held_on)).all()
