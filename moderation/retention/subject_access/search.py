"""Subject access: the search for one child's records. `find` answers it: the exact matches (the
name and date of birth, or the case number, as typed) and, for the officer to review, the
possible matches, each with why it is offered (the same name with another date of birth, the
same date of birth with a similar name, the same case number, a repeat link). `load` reads the
disputes the officer chose, in full, for the export."""

from dataclasses import dataclass, field

from rapidfuzz import fuzz
from sqlalchemy import and_, false, or_, select, true, tuple_
from sqlalchemy.orm import joinedload, selectinload

from moderation.calendar import today
from moderation.disputes import child_identifiers, children, queries, raising
from moderation.extensions import db
from moderation.models import (
    Dispute,
    LegalHold,
)
from moderation.web.boundary import Refusal
from moderation.web.formatting import format_date

BY_NAME = "name and date of birth"
BY_CASE_NUMBER = "case number"
# Names born the same day that score this or more (rapidfuzz's token_sort_ratio, 0 to 100, on
# names folded to lower case without accents, so word order does not count) are offered as a
# possible match: "Lia Carter" and "Leah Carter" score 86, "Mohammed Khan" and "Muhammad Khan"
# 85, while twins "Leo Carter" and "Mia Carter" score 70 and are not offered.
SIMILAR_NAME = 80

# A dispute in full: the referral record, CSC's decision and record, the stages and who
# answered them.
FOUND = (*queries.DETAIL, joinedload(Dispute.referrer_manager),
         selectinload(Dispute.holds).options(joinedload(LegalHold.placed_by),
                                             joinedload(LegalHold.released_by)))
# A search result's row: the dispute and its referring agency.
LISTED = (joinedload(Dispute.referring_agency),)


# The search -----------------------------------------------------------------------------------


def searched_by(name=None, dob=None, case_number=None):
    """How the search was asked (BY_NAME or BY_CASE_NUMBER), or a Refusal on every field to
    fix."""
    name, case_number = (name or "").strip(), (case_number or "").strip()
    if case_number and (name or dob):
        raise Refusal("Search by the child's name and date of birth, or by a case number, "
                      "not both", "case_number")
    if case_number:
        if child_identifiers.case_key(case_number) is None:
            raise Refusal("The case number must include letters or numbers", "case_number")
        return BY_CASE_NUMBER
    if not name and dob is None:
        raise Refusal("Enter the child's name and date of birth, or a case number",
                      "child_name")
    problems = {}
    if not name:
        problems["child_name"] = "Enter the child's full name"
    if dob is None:
        problems["child_dob"] = "Enter the child's date of birth"
    # A date ahead can only be an unborn child's expected date of delivery.
    elif dob > today() + children.DUE_AHEAD:
        problems["child_dob"] = "The child's date of birth must be in the past"
    if problems:
        raise Refusal(problems=problems)
    return BY_NAME


@dataclass
class Possible:
    """A dispute that may be about the same child, and why the search offers it."""

    dispute: Dispute
    reasons: list[str] = field(default_factory=list)


@dataclass
class Found:
    """What a search found: `exact` matches, oldest first, and `possible` ones to review, the
    likeliest first."""

    how: str
    exact: list
    possible: list

    @property
    def ids(self):
        return [d.id for d in self.exact] + [p.dispute.id for p in self.possible]

    def chosen(self, values):
        """The ids of the disputes ticked (`values`, as sent) that this search returned, in its
        order: an id it did not return is ignored, whatever was sent."""
        ticked = {int(value) for value in values or () if str(value).strip().isdigit()}
        return [ident for ident in self.ids if ident in ticked]


def find(name=None, dob=None, case_number=None):
    """The disputes about one child: by name (compared as repeat matching compares it) and date
    of birth, or by case number (without case, spaces or punctuation); then the possible
    matches. Anonymised disputes hold no child's details any more, so they are never found."""
    how = searched_by(name, dob, case_number)
    if how == BY_CASE_NUMBER:
        matches = Dispute.child_case_key == child_identifiers.case_key(case_number)
    else:
        # The name given before a birth that was never recorded ("Unborn Carter") and its
        # expected date match too.
        matches = and_(Dispute.child_name_key == raising.name_key(name),
                       or_(Dispute.child_dob == dob,
                           Dispute.child_expected_delivery_date == dob))
    exact = _listed(matches)
    return Found(how, exact, _possible(how, exact, name, dob))


def _listed(*where):
    """The disputes found, oldest first. Anonymised ones have no child's details to match
    any more; they are left out here rather than in SQL, where the condition could lead the
    planner away from the indexes of what is searched."""
    found = db.session.scalars(
        select(Dispute).where(*where).options(*LISTED)
        .order_by(Dispute.raised_on, Dispute.id)).unique()
    return [dispute for dispute in found if not dispute.anonymised]


def _possible(how, exact, name, dob):
    """The disputes, beside the exact matches, that may be about the same child: read in one
    query over indexed columns, then each kept with the reasons it is offered."""
    near = _near_by_name(name, dob) if how == BY_NAME else _near_by_exact(exact)
    near.append(_near_by_links(exact))
    found = {d.id for d in exact}
    candidates = _listed(or_(*near), Dispute.id.not_in(found) if found else true())
    offered = [Possible(d, _reasons(d, how, exact, name, dob)) for d in candidates]
    return sorted((possible for possible in offered if possible.reasons),
                  key=lambda possible: _likelihood(possible, dob))


def _likelihood(possible, dob):
    """The order possible matches are listed in: those with most reasons first (a repeat link
    and the same case number beside the name), then the date of birth nearest the one searched
    (a common name can be shared by many children), then the oldest."""
    born = possible.dispute.child_age_from
    apart = abs((born - dob).days) if born and dob else 0
    return -len(possible.reasons), apart, possible.dispute.raised_on, possible.dispute.id


def _near_by_name(name, dob):
    """Born the same day (the similar names are picked in Python), the same first name and
    surname (born another day), or unborn when raised and due near that day (the surname is
    picked in Python: the name before the birth is "Unborn Carter")."""
    pair = child_identifiers.name_pair(name)
    near = [Dispute.child_dob == dob, Dispute.child_expected_delivery_date.between(
        dob - raising.DUE_DATE_DRIFT, dob + raising.DUE_DATE_DRIFT)]
    if pair:
        near.append(Dispute.child_name_pair == pair)
    return near


def _near_by_exact(exact):
    """The same name and date of birth as an exact match (found by case number)."""
    children = {(d.child_name_key, d.child_dob) for d in exact if d.child_name_key}
    return [tuple_(Dispute.child_name_key, Dispute.child_dob).in_(children) if children
            else false()]


def _near_by_links(exact):
    """The same case number as an exact match, or a repeat of one or repeated by one."""
    case_keys = {d.child_case_key for d in exact if d.child_case_key}
    found = {d.id for d in exact}
    repeated = {d.repeat_of_id for d in exact if d.repeat_of_id}
    return or_(Dispute.child_case_key.in_(case_keys) if case_keys else false(),
               Dispute.repeat_of_id.in_(found) if found else false(),
               Dispute.id.in_(repeated) if repeated else false())


def _reasons(dispute, how, exact, name, dob):
    """Why `dispute` may be about the searched child, in words the officer reads."""
    reasons = _name_reasons(dispute, name, dob) if how == BY_NAME else [
        f"Same name and date of birth as {e.reference}" for e in exact
        if e.child_name_key and (e.child_name_key, e.child_dob) ==
        (dispute.child_name_key, dispute.child_dob)][:1]
    reasons += [f"Same case number as {e.reference}" for e in exact
                if e.child_case_key and e.child_case_key == dispute.child_case_key][:1]
    reasons += [f"Raised as a repeat of {e.reference}" for e in exact
                if e.id == dispute.repeat_of_id]
    reasons += [f"{e.reference} was raised as a repeat of it" for e in exact
                if e.repeat_of_id == dispute.id]
    return reasons


def _name_reasons(dispute, name, dob):
    if dispute.child_name is None:
        return []
    if dispute.unborn:
        return _unborn_reasons(dispute, name, dob)
    same_pair = dispute.child_name_pair == child_identifiers.name_pair(name)
    if dispute.child_dob != dob:
        if not same_pair:
            return []
        if dispute.child_name_key == raising.name_key(name):
            return ["Same name, another date of birth"]
        return ["Same first name and surname, another date of birth"]
    if same_pair or _similarity(name, dispute.child_name) >= SIMILAR_NAME:
        return ["Same date of birth, similar name"]
    return []


def _unborn_reasons(dispute, name, dob):
    """A dispute about a child whose birth was never recorded: the name it holds is the one
    given before the birth, so only the surname can match, and the date an expected one."""
    due = dispute.child_expected_delivery_date
    if abs(due - dob) <= raising.DUE_DATE_DRIFT and \
            _surname(dispute.child_name) == _surname(name):
        return [f"Same surname, unborn when raised and due {format_date(due)}"]
    return []


def _surname(name):
    words = child_identifiers.fold(name).split()
    return words[-1] if words else None


def _similarity(typed, held):
    return fuzz.token_sort_ratio(child_identifiers.fold(typed), child_identifiers.fold(held))


def load(ids):
    """The disputes with these ids, in full for the export, oldest first."""
    return db.session.scalars(
        select(Dispute).where(Dispute.id.in_(ids), Dispute.anonymised_on.is_(None))
        .options(*FOUND).order_by(Dispute.raised_on, Dispute.id)).unique().all()
