"""Voting on an agenda item (rules 6-8): opening and closing it, casting votes, the count.

Every step that reads then changes an item's voting takes a row lock on the item first
(SELECT ... FOR UPDATE on PostgreSQL), so a vote and the chair closing voting are serialised:
the vote either lands before the close and is counted, or after it and is refused. The
database's unique (item, agency) constraint is the last word on one vote per agency.
"""

from flask import abort
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from moderation.disputes.child_identifiers import refuse_on_agenda
from moderation.extensions import db
from moderation.meeting import rules
from moderation.meeting.quorum import quorum
from moderation.models import (
    AgendaItem,
    AttendanceStatus,
    MemberRole,
    PanelOutcome,
    Vote,
    VotingStatus,
)
from moderation.panels import membership
from moderation.panels.permissions import session_access
from moderation.web import audit
from moderation.web.boundary import Refusal
from moderation.web.permissions import NOT_YOURS, enforce


class VoteRefused(Refusal):
    """A vote that cannot be kept: voting closed, already cast, or the voter may not vote."""


def lock(item):
    """Re-read the item under a row lock, so concurrent votes and closes take turns."""
    return db.session.scalars(
        select(AgendaItem).where(AgendaItem.id == item.id)
        .with_for_update(of=AgendaItem).execution_options(populate_existing=True)
    ).one()


def why_not_run_voting(user, item):
    """`item.run_voting` and `open_voting`: the chair of the session runs the voting on an
    item (and records its decision) while the meeting is in session, until it is decided or
    deferred."""
    if not session_access(user, item.session).runs_meeting:
        return NOT_YOURS
    return why_not_run_voting_now(item)


def why_not_run_voting_now(item):
    """Why it cannot be done now, whoever asks, or None: what the service checks (whose it
    is, the route has asked already, with a 404 for NOT_YOURS)."""
    if not item.session.in_session:
        return "Start the meeting before voting"
    return "This item has already been decided or deferred" if item.concluded else None


def open_voting(item, actor):
    item = lock(item)
    enforce(why_not_run_voting_now(item), "voting")
    if item.voting != VotingStatus.NOT_OPEN:
        raise Refusal("Voting on this item has already opened", "voting")
    found = quorum(item.session, item)
    if not found.met:
        raise Refusal(found.explanation + " Voting cannot open.", "voting")
    item.voting = VotingStatus.OPEN
    audit.record("voting_opened", item.dispute, actor=actor, item=item.id)


def close_voting(item, actor):
    item = lock(item)
    if not item.voting_open:
        raise Refusal("Voting on this item is not open", "voting")
    if not item.votes:
        raise Refusal("No votes have been cast: wait for the representatives to vote", "voting")
    item.voting = VotingStatus.CLOSED
    audit.record("voting_closed", item.dispute, actor=actor, item=item.id,
                 votes=len(item.votes))


def voters(item):
    """Members who may vote on the item now: present representatives (deputies included)
    without a conflict on it."""
    present = {row.member_id for row in item.session.attendance
               if row.status == AttendanceStatus.PRESENT}
    conflicted = {c.member_id for c in item.conflicts}
    return [row.member for row in item.session.attendance
            if row.member_id in present and row.member_id not in conflicted
            and row.member.role == MemberRole.REPRESENTATIVE]


def cast_vote(item, actor, outcome, reason, member=None):
    """Record a vote for the member's agency. `member` is given when the chair records an
    in-room vote on a representative's behalf; otherwise the actor votes for themselves."""
    in_room = member is not None
    member = member or membership.sitting_member(actor, item.session)
    item = lock(item)
    _check_vote(item, actor, member, outcome, reason, in_room)
    vote = Vote(agency_id=member.agency_id, member_id=member.id,
                outcome=outcome, reason=reason.strip(), in_room=in_room, recorded_by_id=actor.id)
    try:
        with db.session.begin_nested():
            item.votes.append(vote)
    except IntegrityError:
        raise VoteRefused(f"{member.agency.name} has already voted on this item. Only one vote "
                          "per agency is kept.", "outcome") from None
    audit.record("vote_cast", item.dispute, actor=actor, item=item.id, agency=member.agency_id,
                 in_room=in_room)
    return vote


NOT_A_VOTER = "Only a present representative without a conflict on this item can vote"


def why_not_vote(user, item):
    """Why `user` may not vote for their agency on the item now, or None (rules 6-7): the one
    answer the page offers the vote on (`item.vote`) and `cast_vote` takes it on. NOT_YOURS for
    a meeting that is not theirs."""
    if not session_access(user, item.session).meeting:
        return NOT_YOURS
    return _why_not_cast(item, membership.sitting_member(user, item.session))


def _why_not_cast(item, member, in_room=False):
    """Why `member`'s vote cannot be taken now: `in_room` when the chair records it for them,
    having heard them accept the confidentiality statement in the room."""
    if item.voting_closed or item.decision is not None:
        return ("Voting on this item has closed, so this vote was not recorded. Speak to the "
                "chair if you need to add something.")
    if not item.voting_open:
        return "Voting on this item has not opened yet"
    if member is None or member not in voters(item):
        return NOT_A_VOTER
    row = next(r for r in item.session.attendance if r.member_id == member.id)
    if not in_room and row.confidentiality_acknowledged_at is None:
        return "Accept the confidentiality statement before voting"
    if agency_has_voted(item, member):
        return (f"{member.agency.name} has already voted on this item. Only one vote per agency "
                "is kept.")
    return None


def _check_vote(item, actor, member, outcome, reason, in_room):
    why = _why_not_cast(item, member, in_room=True) if in_room else why_not_vote(actor, item)
    if why is NOT_YOURS:
        abort(404)
    if why:
        raise VoteRefused(why, "member_id" if in_room and why == NOT_A_VOTER else "outcome")
    if not PanelOutcome.has(outcome):
        raise VoteRefused("Select how you vote", "outcome")
    if not (reason or "").strip():
        raise VoteRefused("Enter the reason for your vote", "reason")
    refuse_on_agenda(item.session, [("The reason", "reason", reason)], actor)


def agency_has_voted(item, member):
    """Rule 7: one vote per agency, whoever of its members cast it."""
    return any(v.agency_id == member.agency_id for v in item.votes)


def votes_shown_to(item, user):
    """Votes stay hidden until the chair closes voting, so nobody is anchored by others'
    votes; before then a member sees only their own agency's."""
    if item.voting_closed:
        return list(item.votes)
    member = membership.sitting_member(user, item.session)
    return [v for v in item.votes if member is not None and v.agency_id == member.agency_id]


def count(item, casting_vote=None):
    """Rule 8 over the item's votes (see rules.count)."""
    return rules.count({v.agency.name: v.outcome for v in item.votes}, casting_vote)


def result(item):
    """The count once voting has closed (with the chair's casting vote, if one decided it);
    None while votes are still hidden."""
    if not item.voting_closed or not item.votes:
        return None
    decision = item.decision
    casting = decision.outcome if decision and decision.method == rules.CASTING_VOTE else None
    return count(item, casting)
