"""Quorum (DESIGN.md §4 rule 6) and vote counting (rule 8): the only home of both.

Pure functions over plain data, so the meeting pages, the minutes and the tests all reach the
same answer from the same inputs.
"""

from collections import Counter
from dataclasses import dataclass, field

from moderation.models.panels import CHAIRING  # the seats that chair: one home, the model's


class VotingError(ValueError):
    """A decision the rules cannot reach from what was given."""


@dataclass(frozen=True)
class Attendee:
    """One member as the register stands for one agenda item."""

    name: str
    agency: str
    role: str  # chair, deputy_chair or representative
    present: bool
    conflicted: bool = False


@dataclass(frozen=True)
class Quorum:
    met: bool
    chaired: bool
    missing_agencies: tuple = ()

    @property
    def explanation(self):
        if self.met:
            return "The panel is quorate."
        reasons = []
        if not self.chaired:
            reasons.append("the chair or deputy chair is not present")
        if self.missing_agencies:
            names = ", ".join(self.missing_agencies)
            reasons.append(f"no present, unconflicted representative of {names}")
        return "The panel is not quorate: " + "; ".join(reasons) + "."


def quorum(attendees, core_agencies):
    """Rule 6: the chair (or deputy) and a present, unconflicted representative of each core
    agency. Core agencies are named in the order they should be reported."""
    eligible = [a for a in attendees if a.present and not a.conflicted]
    chaired = any(a.role in CHAIRING for a in eligible)
    represented = {a.agency for a in eligible if a.role == "representative"}
    missing = tuple(agency for agency in core_agencies if agency not in represented)
    return Quorum(met=chaired and not missing, chaired=chaired, missing_agencies=missing)


CONSENSUS = "consensus"
MAJORITY = "majority"
CASTING_VOTE = "chair's casting vote"


@dataclass(frozen=True)
class Count:
    """What the votes on one item decide."""

    outcome: str | None
    method: str | None
    tally: dict = field(default_factory=dict)
    dissenting: tuple = ()  # agencies that voted for something else
    tied: tuple = ()  # outcomes level at the top, when the chair must cast a vote

    @property
    def needs_casting_vote(self):
        return self.outcome is None


def count(votes, casting_vote=None):
    """Rule 8. `votes` maps each agency to its outcome (one vote per agency).

    All agree: consensus. Otherwise the outcome with most votes decides; on a tie the chair's
    casting vote decides between the tied outcomes. Dissenting agencies are listed.
    """
    if not votes:
        raise VotingError("No votes have been cast")
    tally = Counter(votes.values())
    top = max(tally.values())
    leaders = tuple(sorted(outcome for outcome, n in tally.items() if n == top))
    if len(tally) == 1:
        return Count(leaders[0], CONSENSUS, dict(tally))
    if len(leaders) == 1:
        return _decided(votes, tally, leaders[0], MAJORITY)
    if casting_vote is None:
        return Count(None, None, dict(tally), tied=leaders)
    if casting_vote not in leaders:
        raise VotingError("The casting vote must be for one of the tied outcomes")
    return _decided(votes, tally, casting_vote, CASTING_VOTE)


def _decided(votes, tally, outcome, method):
    dissenting = tuple(sorted(agency for agency, vote in votes.items() if vote != outcome))
    return Count(outcome, method, dict(tally), dissenting)
