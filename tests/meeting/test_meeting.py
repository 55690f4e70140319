"""The meeting: register, quorum per item, hidden votes, counting and recording decisions."""

from datetime import date

import pytest
from sqlalchemy import select

from moderation.meeting import conflicts, decisions, quorum, register, voting
from moderation.meeting.voting import VoteRefused
from moderation.models import (
    Action,
    AgendaItem,
    Dispute,
    DisputeStatus,
    LearningTheme,
    Notification,
    PanelMember,
    PanelSession,
    SessionStatus,
    User,
    VotingStatus,
)
from moderation.panels import agenda
from moderation.web.boundary import Refusal

UPHOLD, S17, S47, EARLY_HELP, DEFER = ("upheld", "overturn_s17", "overturn_s47",
                                       "step_down_early_help", "deferred")


class Open:
    """The meeting's records, opened in the current app context."""

    def __init__(self, db, m):
        self.db, self.m = db, m
        self.session = db.session.get(PanelSession, m.session_id)
        self.item = self.session.agenda[0]
        self.chair = db.session.get(User, m.chair.id)

    def user(self, kind):
        record = self.m.deputy if kind == "deputy" else self.m.reps[kind]
        return self.db.session.get(User, record.id)

    def member(self, kind):
        return self.db.session.get(PanelMember, self.m.members[self.user(kind).id])

    def vote(self, kind, outcome, reason="Because of the history", item=None):
        return voting.cast_vote(item or self.item, self.user(kind), outcome, reason)

    def decide(self, item=None, **changes):
        answers = {"rationale": "The threshold for assessment was met.",
                   "feedback": "The panel agreed with you: CSC will assess.",
                   "theme_ids": [self.db.session.scalars(
                       select(LearningTheme).order_by(LearningTheme.position)).first().id],
                   **changes}
        return decisions.record_decision(item or self.item, self.chair, **answers)


@pytest.fixture
def opened(app, db, panel_meeting):
    def open_(**kwargs):
        return Open(db, panel_meeting(**kwargs))

    return open_


def test_quorum_needs_the_chair_and_every_core_agency(app, opened):
    with app.app_context():
        o = opened()
        assert quorum.quorum(o.session).met
        register.record_attendance(o.session, o.chair,
                                   {o.member("police").id: ("apologies", False)})
        found = quorum.quorum(o.session)
        assert not found.met
        assert found.missing_agencies == ("Northshire Police",)
        assert "no present, unconflicted representative of Northshire Police" in found.explanation


def test_a_deputy_restores_quorum_and_records_whom_they_stand_for(app, opened):
    with app.app_context():
        o = opened()
        register.record_attendance(o.session, o.chair, {
            o.member("police").id: ("apologies", False), o.member("deputy").id: ("present", True)})
        assert quorum.quorum(o.session).met
        row = register.attendance_of(o.session, o.user("deputy"))
        assert row.standing_for.user.name == "Police Rep"


def test_a_conflicted_representative_does_not_count_for_that_item(app, opened):
    with app.app_context():
        o = opened()
        conflicts.declare_conflict(o.session, o.item, o.user("csc"), o.member("csc"),
                                 "I manage the social worker who made the decision")
        assert quorum.quorum(o.session).met  # the session as a whole
        item_quorum = quorum.quorum(o.session, o.item)
        assert item_quorum.missing_agencies == ("Northshire Children's Social Care",)
        with pytest.raises(Refusal, match="not quorate.*Voting cannot open"):
            voting.open_voting(o.item, o.chair)


def test_a_conflicted_member_cannot_vote_and_their_vote_is_withdrawn(app, db, opened):
    with app.app_context():
        o = opened()
        register.record_attendance(o.session, o.chair, {o.member("deputy").id: ("present", True)})
        voting.open_voting(o.item, o.chair)
        o.vote("police", S17)
        conflicts.declare_conflict(o.session, o.item, o.chair, o.member("police"), "Family friend")
        assert o.item.votes == []
        with pytest.raises(VoteRefused, match="without a conflict"):
            o.vote("police", S17)
        o.vote("deputy", S17)  # the deputy votes for the police instead
        assert [v.member.user.name for v in o.item.votes] == ["Police Deputy"]


def test_votes_stay_hidden_until_the_chair_closes_voting(app, opened):
    with app.app_context():
        o = opened()
        voting.open_voting(o.item, o.chair)
        o.vote("health", S17)
        o.vote("police", UPHOLD)
        assert [v.outcome for v in voting.votes_shown_to(o.item, o.user("health"))] == [S17]
        assert voting.votes_shown_to(o.item, o.user("csc")) == []
        assert voting.votes_shown_to(o.item, o.chair) == []
        voting.close_voting(o.item, o.chair)
        assert len(voting.votes_shown_to(o.item, o.user("csc"))) == 2


def test_a_vote_needs_a_reason_an_open_item_and_the_confidentiality_statement(app, opened):
    with app.app_context():
        o = opened()
        with pytest.raises(VoteRefused, match="has not opened yet"):
            o.vote("health", S17)
        voting.open_voting(o.item, o.chair)
        with pytest.raises(VoteRefused, match="Enter the reason for your vote"):
            o.vote("health", S17, reason="  ")
        register.record_attendance(o.session, o.chair, {o.member("health").id: ("present", False)})
        with pytest.raises(VoteRefused, match="Accept the confidentiality statement"):
            o.vote("health", S17)


def test_one_vote_per_agency_and_none_after_voting_closes(app, opened):
    with app.app_context():
        o = opened()
        register.record_attendance(o.session, o.chair, {o.member("deputy").id: ("present", True)})
        voting.open_voting(o.item, o.chair)
        o.vote("police", S17)
        with pytest.raises(VoteRefused, match="Northshire Police has already voted"):
            o.vote("deputy", UPHOLD)
        voting.close_voting(o.item, o.chair)
        with pytest.raises(VoteRefused, match="Voting on this item has closed"):
            o.vote("health", S17)
        assert len(o.item.votes) == 1


def test_the_chair_records_an_in_room_vote_marked_as_such(app, opened):
    with app.app_context():
        o = opened()
        voting.open_voting(o.item, o.chair)
        vote = voting.cast_vote(o.item, o.chair, S17, "Said in the room", member=o.member("csc"))
        assert vote.in_room and vote.recorded_by_id == o.chair.id
        assert vote.agency.name == "Northshire Children's Social Care"


def test_consensus_closes_the_dispute_and_tells_the_referrer(app, db, opened):
    with app.app_context():
        o = opened()
        voting.open_voting(o.item, o.chair)
        for kind in ("health", "police", "csc"):
            o.vote(kind, S17)
        voting.close_voting(o.item, o.chair)
        decision = o.decide()
        assert (decision.outcome, decision.method) == (S17, "consensus")
        assert decision.dissenting_agencies == []
        dispute = db.session.get(Dispute, o.m.dispute_ids[0])
        assert dispute.status == DisputeStatus.DECIDED
        note = db.session.scalars(
            select(Notification).where(Notification.user_id == o.m.referrer.id,
                                       Notification.key.like("decision:%"))).one()
        assert "The panel has decided your dispute" in note.message


def test_a_majority_decides_and_dissent_is_recorded(app, opened):
    with app.app_context():
        o = opened()
        voting.open_voting(o.item, o.chair)
        o.vote("health", S17)
        o.vote("police", S17)
        o.vote("csc", UPHOLD)
        voting.close_voting(o.item, o.chair)
        decision = o.decide(dissent="CSC held that the threshold was not met.")
        assert (decision.outcome, decision.method) == (S17, "majority")
        assert decision.dissenting_agencies == ["Northshire Children's Social Care"]
        assert decision.tally == {S17: 2, UPHOLD: 1}


def test_a_tie_needs_the_chairs_casting_vote(app, opened):
    with app.app_context():
        o = opened()
        voting.open_voting(o.item, o.chair)
        o.vote("health", S17)
        o.vote("police", S47)
        o.vote("csc", UPHOLD)
        voting.close_voting(o.item, o.chair)
        with pytest.raises(Refusal, match="tied: select the chair's casting vote"):
            o.decide()
        with pytest.raises(Refusal, match="one of the tied outcomes"):
            o.decide(casting_vote=EARLY_HELP)
        decision = o.decide(casting_vote=S47)
        assert (decision.outcome, decision.method) == (S47, "chair's casting vote")
        assert sorted(decision.dissenting_agencies) == ["Northshire Children's Social Care",
                                                        "Northshire Health"]


def test_no_decision_without_quorum(app, db, opened):
    with app.app_context():
        o = opened()
        voting.open_voting(o.item, o.chair)
        o.vote("health", S17)
        voting.close_voting(o.item, o.chair)
        register.record_attendance(o.session, o.chair, {o.member("health").id: ("absent", False)})
        with pytest.raises(Refusal, match="not quorate.*No decision can be recorded"):
            o.decide()
        assert o.item.decision is None
        assert db.session.get(Dispute, o.m.dispute_ids[0]).status == DisputeStatus.QUEUED


def test_a_decision_needs_a_learning_theme_and_feedback(app, opened):
    with app.app_context():
        o = opened()
        voting.open_voting(o.item, o.chair)
        o.vote("health", UPHOLD)
        voting.close_voting(o.item, o.chair)
        with pytest.raises(Refusal, match="at least one learning theme"):
            o.decide(theme_ids=[])
        with pytest.raises(Refusal, match="feedback to the referrer"):
            o.decide(feedback=" ")


def test_deferring_for_more_information_returns_the_dispute_to_the_queue(app, db, opened):
    with app.app_context():
        o = opened()
        voting.open_voting(o.item, o.chair)
        o.vote("health", DEFER)
        voting.close_voting(o.item, o.chair)
        o.decide()
        assert o.item.deferred
        assert [d.id for d in agenda.waiting()] == o.m.dispute_ids


def test_an_item_deferred_by_the_chair_goes_onto_the_next_sessions_agenda(
        app, db, opened, make_session):
    later = make_session(held_on=date(2027, 1, 12))
    with app.app_context():
        o = opened()
        following = decisions.defer(o.item, o.chair, "The GP's report is not yet available")
        assert following.id == later
        assert [i.dispute_id for i in following.agenda] == o.m.dispute_ids
        with pytest.raises(Refusal, match="already been decided or deferred"):
            voting.open_voting(o.item, o.chair)


def test_the_meeting_closes_only_when_every_item_is_decided_or_deferred(app, opened):
    with app.app_context():
        o = opened(disputes=({}, {}))
        with pytest.raises(Refusal, match=r"still open: item 1, 2"):
            register.close(o.session, o.chair)
        decisions.defer(o.item, o.chair, "Not reached")
        decisions.defer(o.session.agenda[1], o.chair, "Not reached")
        register.close(o.session, o.chair)
        assert o.session.status == SessionStatus.MINUTES_DRAFT


def test_voting_waits_for_the_meeting_to_start(app, opened):
    with app.app_context():
        o = opened(started=False)
        with pytest.raises(Refusal, match="Start the meeting before voting"):
            voting.open_voting(o.item, o.chair)


def test_a_member_acknowledges_confidentiality_from_their_own_account(app, opened):
    with app.app_context():
        o = opened(started=False)
        register.acknowledge(o.session, o.user("deputy"))
        row = register.attendance_of(o.session, o.user("deputy"))
        assert row.status == "present" and row.confidentiality_acknowledged_at is not None


def test_voting_status_and_decision_survive_a_fresh_read(app, db, opened):
    with app.app_context():
        o = opened()
        voting.open_voting(o.item, o.chair)
        o.vote("health", UPHOLD)
        voting.close_voting(o.item, o.chair)
        o.decide()
        db.session.commit()
        db.session.expunge_all()
        item = db.session.get(AgendaItem, o.item.id)
        assert item.voting == VotingStatus.CLOSED
        assert item.decision.themes[0].name == "Incomplete or unclear referral"
        assert db.session.query(Action).count() == 0
