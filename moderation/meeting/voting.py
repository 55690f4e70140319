"""Voting on an agenda item and recording the panel's decision (rules 6-9).

Every step that reads then changes an item's voting takes a row lock on the item first
(SELECT ... FOR UPDATE on PostgreSQL), so a vote and the chair closing voting are serialised:
the vote either lands before the close and is counted, or after it and is refused. The
database's unique (item, agency) constraint is the last word on one vote per agency.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from moderation.calendar import today
from moderation.extensions import db
from moderation.meeting import register as meeting
from moderation.meeting import rules
from moderation.meeting.register import MeetingError
from moderation.models import (
    AgendaItem,
    AttendanceStatus,
    DisputeStatus,
    LearningTheme,
    MemberRole,
    PanelDecision,
    PanelOutcome,
    PanelSession,
    SessionStatus,
    Vote,
    VotingStatus,
)
from moderation.notifications.services import notify
from moderation.panels import membership
from moderation.web import audit


class VoteRefused(MeetingError):
    """A vote that cannot be kept: voting closed, already cast, or the voter may not vote."""


def lock(item):
    """Re-read the item under a row lock, so concurrent votes and closes take turns."""
    return db.session.scalars(
        select(AgendaItem).where(AgendaItem.id == item.id)
        .with_for_update(of=AgendaItem).execution_options(populate_existing=True)
    ).one()


def _require_in_session(item):
    if item.session.status != SessionStatus.IN_SESSION:
        raise MeetingError("Start the meeting before voting", "voting")
    if item.deferred or item.decision is not None:
        raise MeetingError("This item has already been decided or deferred", "voting")


def open_voting(item, actor):
    item = lock(item)
    _require_in_session(item)
    if item.voting != VotingStatus.NOT_OPEN:
        raise MeetingError("Voting on this item has already opened", "voting")
    quorum = meeting.quorum(item.session, item)
    if not quorum.met:
        raise MeetingError(quorum.explanation + " Voting cannot open.", "voting")
    item.voting = VotingStatus.OPEN
    audit.record("voting_opened", item.dispute, actor=actor, item=item.id)


def close_voting(item, actor):
    item = lock(item)
    if item.voting != VotingStatus.OPEN:
        raise MeetingError("Voting on this item is not open", "voting")
    if not item.votes:
        raise MeetingError("No votes have been cast: wait for the representatives to vote",
                           "voting")
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
    _check_vote(item, member, outcome, reason, in_room)
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


def _check_vote(item, member, outcome, reason, in_room):
    if item.voting == VotingStatus.CLOSED or item.decision is not None:
        raise VoteRefused("Voting on this item has closed, so this vote was not recorded. "
                          "Speak to the chair if you need to add something.", "outcome")
    if item.voting != VotingStatus.OPEN:
        raise VoteRefused("Voting on this item has not opened yet", "outcome")
    if member is None or member not in voters(item):
        raise VoteRefused("Only a present representative without a conflict on this item can "
                          "vote", "member" if in_room else "outcome")
    row = next(r for r in item.session.attendance if r.member_id == member.id)
    if not in_room and row.confidentiality_acknowledged_at is None:
        raise VoteRefused("Accept the confidentiality statement before voting", "outcome")
    if any(v.agency_id == member.agency_id for v in item.votes):
        raise VoteRefused(f"{member.agency.name} has already voted on this item. Only one vote "
                          "per agency is kept.", "outcome")
    if not PanelOutcome.has(outcome):
        raise VoteRefused("Select how you vote", "outcome")
    if not (reason or "").strip():
        raise VoteRefused("Enter the reason for your vote", "reason")
    meeting.refuse_child_identifiers(item.session, [("The reason", "reason", reason)])


def votes_shown_to(item, user):
    """Votes stay hidden until the chair closes voting, so nobody is anchored by others'
    votes; before then a member sees only their own agency's."""
    if item.voting == VotingStatus.CLOSED:
        return list(item.votes)
    member = membership.sitting_member(user, item.session)
    return [v for v in item.votes if member is not None and v.agency_id == member.agency_id]


def count(item, casting_vote=None):
    return rules.count({v.agency.name: v.outcome for v in item.votes}, casting_vote)


def result(item):
    """The count once voting has closed (with the chair's casting vote, if one decided it);
    None while votes are still hidden."""
    if item.voting != VotingStatus.CLOSED or not item.votes:
        return None
    decision = item.decision
    casting = decision.outcome if decision and decision.method == rules.CASTING_VOTE else None
    return count(item, casting)


def themes():
    return db.session.scalars(
        select(LearningTheme).where(LearningTheme.active.is_(True))
        .order_by(LearningTheme.position)
    ).all()


def record_decision(item, actor, *, rationale, feedback, theme_ids, dissent=None,
                    casting_vote=None):
    """Rule 9: outcome (from the count, rule 8), rationale, at least one learning theme and the
    feedback to the referrer; the dispute closes and the referrer is told."""
    item = lock(item)
    _check_decision(item)
    try:
        result = count(item, casting_vote or None)
    except rules.VotingError as error:
        raise MeetingError(str(error), "casting_vote") from None
    if result.needs_casting_vote:
        raise MeetingError("The vote is tied: select the chair's casting vote", "casting_vote")
    chosen = [t for t in themes() if t.id in set(theme_ids)]
    if not chosen:
        raise MeetingError("Select at least one learning theme", "themes")
    if not rationale.strip():
        raise MeetingError("Enter the panel's rationale", "rationale")
    if not feedback.strip():
        raise MeetingError("Enter the feedback to the referrer", "feedback")
    meeting.refuse_child_identifiers(item.session, [
        ("The rationale", "rationale", rationale), ("The dissent", "dissent", dissent),
        ("The feedback to the referrer", "feedback", feedback)])
    decision = PanelDecision(
        agenda_item_id=item.id, dispute_id=item.dispute_id, outcome=result.outcome,
        method=result.method, tally=result.tally, dissenting_agencies=list(result.dissenting),
        dissent=(dissent or "").strip() or None, rationale=rationale.strip(),
        feedback=feedback.strip(), decided_on=item.session.held_on, recorded_by_id=actor.id,
        themes=chosen)
    db.session.add(decision)
    item.decision = decision
    _close_dispute(item, result.outcome)
    audit.record("decision_recorded", item.dispute, actor=actor, item=item.id,
                 outcome=result.outcome, method=result.method)
    return decision


def _check_decision(item):
    if item.decision is not None:
        raise MeetingError("A decision has already been recorded on this item", "rationale")
    if item.session.status != SessionStatus.IN_SESSION:
        raise MeetingError("Decisions are recorded while the meeting is in session", "rationale")
    if item.voting != VotingStatus.CLOSED:
        raise MeetingError("Close voting before recording the decision", "rationale")
    quorum = meeting.quorum(item.session, item)
    if not quorum.met:
        raise MeetingError(quorum.explanation + " No decision can be recorded.", "rationale")


def _close_dispute(item, outcome):
    dispute = item.dispute
    if outcome == PanelOutcome.DEFERRED:
        # Deferred for more information: back to the queue for a later session.
        item.deferred = True
        item.deferral_reason = "The panel deferred it for more information."
        message = f"The panel has deferred your dispute {dispute.reference} for more information."
    else:
        dispute.status = DisputeStatus.DECIDED
        message = f"The panel has decided your dispute {dispute.reference}."
    notify(dispute.referrer_id, f"decision:item-{item.id}", message,
           link=f"/disputes/{dispute.id}", kind="deferred" if item.deferred else "decision")


def defer(item, actor, reason):
    """Defer an undecided item to the next session (added there if its agenda has room, else
    back to the queue, where rule 5 order brings it forward)."""
    item = lock(item)
    if item.decision is not None or item.deferred:
        raise MeetingError("This item has already been decided or deferred", "reason")
    if item.session.status not in meeting.REGISTER_OPEN:
        raise MeetingError("Items can be deferred once the agenda is frozen", "reason")
    if not (reason or "").strip():
        raise MeetingError("Enter why the item is deferred", "reason")
    meeting.refuse_child_identifiers(item.session, [("The reason", "reason", reason)])
    item.deferred = True
    item.deferral_reason = reason.strip()
    following = _next_open_session(item.session)
    if following is not None:
        from moderation.panels import agenda

        agenda.add_item(following, actor, item.dispute_id)
    audit.record("item_deferred", item.dispute, actor=actor, item=item.id,
                 to_session=following.id if following else None)
    notify(item.dispute.referrer_id, f"deferred:item-{item.id}",
           f"Your dispute {item.dispute.reference} has moved to a later panel session.",
           link=f"/disputes/{item.dispute.id}", kind="deferred")
    return following


def _next_open_session(session):
    """The next session whose agenda is still open and has room, if any."""
    from moderation.panels import agenda

    candidates = db.session.scalars(
        select(PanelSession)
        .where(PanelSession.status == SessionStatus.SCHEDULED,
               PanelSession.held_on > session.held_on, PanelSession.held_on >= today())
        .order_by(PanelSession.held_on).limit(1)
    ).all()
    return next((s for s in candidates if agenda.room(s)), None)
