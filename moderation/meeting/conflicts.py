"""Conflicts of interest: declared per agenda item; a conflicted member does not vote on it
(rule 7) and does not count towards its quorum (rule 6)."""

from moderation.disputes.child_identifiers import refuse_on_agenda
from moderation.meeting.register import require_register_open
from moderation.models import Conflict
from moderation.web import audit
from moderation.web.boundary import Refusal


def declare_conflict(session, item, actor, member, nature):
    """Record a conflict of interest: the member no longer votes on the item, and any vote they
    cast while voting is open is withdrawn."""
    require_register_open(session)
    if item.decision is not None or item.voting_closed:
        raise Refusal("Voting on this item has closed: conflicts must be declared before",
                      "nature")
    if not nature.strip():
        raise Refusal("Describe the conflict of interest", "nature")
    refuse_on_agenda(session, [("The conflict of interest", "nature", nature)], actor)
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

