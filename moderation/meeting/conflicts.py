"""Conflicts of interest: declared per agenda item; a conflicted member does not vote on it
(rule 7) and does not count towards its quorum (rule 6)."""

from moderation.disputes.child_identifiers import refuse_on_agenda
from moderation.meeting.register import why_register_closed
from moderation.models import Conflict
from moderation.panels.permissions import session_access
from moderation.web import audit
from moderation.web.boundary import Refusal
from moderation.web.permissions import NOT_YOURS, enforce


def why_not_declare_conflict(user, item):
    """`item.declare_conflict`: a member of the session's panel declares a conflict (the chair
    records one for any member) while the register is open and before voting on the item
    closes; one who has declared a conflict has nothing more to declare."""
    if not session_access(user, item.session).meeting:
        return NOT_YOURS
    if why := why_register_closed(item.session) or _why_voting_closed(item):
        return why
    return "You have declared a conflict on this item" if conflicted(item, user) else None


def _why_voting_closed(item):
    if item.decision is not None or item.voting_closed:
        return "Voting on this item has closed: conflicts must be declared before"
    return None


def declare_conflict(panel_session, item, actor, member, nature):
    """Record a conflict of interest: the member no longer votes on the item, and any vote they
    cast while voting is open is withdrawn."""
    # The chair may record a conflict for another member, so whether the one declaring has
    # declared a conflict of their own is for the page (why_not_declare_conflict), not here.
    enforce(why_register_closed(panel_session), "register")
    enforce(_why_voting_closed(item), "nature")
    refuse_on_agenda(panel_session, [("The conflict of interest", "nature", nature)], actor)
    if any(c.member_id == member.id for c in item.conflicts):
        raise Refusal(f"{member.user.name} has already declared a conflict on this item",
                      "nature")
    item.conflicts.append(Conflict(member=member, nature=nature.strip(), declared_by_id=actor.id))
    for vote in [v for v in item.votes if v.member_id == member.id]:
        item.votes.remove(vote)
        audit.record("vote_withdrawn", item.dispute, actor=actor, item=item.id,
                     agency=vote.agency_id, reason="conflict declared")
    audit.record("conflict_declared", item.dispute, actor=actor, item=item.id,
                 member=member.id)


def conflicted(item, user):
    """Has `user` declared (or had the chair record) a conflict of interest on the item?"""
    return any(c.member.user_id == user.id for c in item.conflicts)

