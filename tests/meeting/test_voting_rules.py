"""Quorum (rule 6) and counting votes (rule 8)."""

import pytest

from moderation.meeting.rules import (
    CASTING_VOTE,
    CONSENSUS,
    MAJORITY,
    Attendee,
    VotingError,
    count,
    quorum,
)

CORE = ("Health", "Police", "Children's social care")


def panel(**changes):
    members = {
        "chair": Attendee("Ruth", "Health", "chair", present=True),
        "health": Attendee("Hannah", "Health", "representative", present=True),
        "police": Attendee("Amira", "Police", "representative", present=True),
        "csc": Attendee("Daniel", "Children's social care", "representative", present=True),
    }
    members.update(changes)
    return [member for member in members.values() if member is not None]


def test_a_full_panel_is_quorate():
    result = quorum(panel(), CORE)
    assert result.met
    assert result.explanation == "The panel is quorate."


def test_without_a_chair_there_is_no_quorum():
    result = quorum(panel(chair=Attendee("Ruth", "Health", "chair", present=False)), CORE)
    assert not result.met
    assert result.explanation == (
        "The panel is not quorate: the chair or deputy chair is not present.")


def test_a_deputy_chair_stands_in_for_the_chair():
    members = panel(chair=Attendee("Ruth", "Health", "chair", present=False))
    members.append(Attendee("Sam", "Police", "deputy_chair", present=True))
    assert quorum(members, CORE).met


def test_a_missing_core_agency_is_named():
    result = quorum(panel(police=None), CORE)
    assert result.missing_agencies == ("Police",)
    assert "no present, unconflicted representative of Police" in result.explanation


def test_a_conflicted_representative_does_not_count():
    conflicted = Attendee("Amira", "Police", "representative", present=True, conflicted=True)
    assert quorum(panel(police=conflicted), CORE).missing_agencies == ("Police",)


def test_a_deputy_representative_present_for_their_agency_counts():
    absent = Attendee("Amira", "Police", "representative", present=False)
    members = panel(police=absent)
    members.append(Attendee("PC Lewis (deputy for Amira)", "Police", "representative", True))
    assert quorum(members, CORE).met


def test_an_agency_that_is_not_core_is_not_needed():
    members = panel()
    members.append(Attendee("Grace", "Education", "representative", present=False))
    assert quorum(members, CORE).met


def test_all_agree_is_consensus():
    result = count({"Health": "overturn_s17", "Police": "overturn_s17", "CSC": "overturn_s17"})
    assert (result.outcome, result.method, result.dissenting) == ("overturn_s17", CONSENSUS, ())


def test_the_majority_decides_and_dissent_is_recorded():
    result = count({"Health": "overturn_s17", "Police": "overturn_s17", "CSC": "uphold"})
    assert (result.outcome, result.method) == ("overturn_s17", MAJORITY)
    assert result.dissenting == ("CSC",)
    assert result.tally == {"overturn_s17": 2, "uphold": 1}


def test_most_votes_decide_when_no_outcome_has_half():
    result = count({"Health": "s47", "Police": "s47", "CSC": "uphold", "Education": "early_help",
                    "Probation": "defer"})
    assert (result.outcome, result.method) == ("s47", MAJORITY)


def test_a_tie_waits_for_the_chairs_casting_vote():
    votes = {"Health": "overturn_s17", "Police": "uphold"}
    tied = count(votes)
    assert tied.needs_casting_vote and tied.tied == ("overturn_s17", "uphold")
    decided = count(votes, casting_vote="uphold")
    assert (decided.outcome, decided.method, decided.dissenting) == (
        "uphold", CASTING_VOTE, ("Health",))


def test_the_casting_vote_must_break_the_tie():
    with pytest.raises(VotingError, match="one of the tied outcomes"):
        count({"Health": "overturn_s17", "Police": "uphold"}, casting_vote="defer")


def test_no_votes_decide_nothing():
    with pytest.raises(VotingError, match="No votes"):
        count({})
