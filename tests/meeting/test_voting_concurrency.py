"""One vote per agency under real concurrency: separate connections in separate threads on
PostgreSQL, where row locks and the unique constraint do the work (rule 7)."""

import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from moderation.meeting import register, voting
from moderation.meeting.voting import VoteRefused
from moderation.models import AgendaItem, PanelMember, User, Vote, VotingStatus
from tests.helpers import run_together


@pytest.fixture
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent transactions are tested on PostgreSQL")


@pytest.fixture
def voting_open(app, db, panel_meeting, postgres_only):
    m = panel_meeting()
    with app.app_context():
        item = db.session.get(AgendaItem, _item_id(db, m))
        voting.open_voting(item, db.session.get(User, m.chair.id))
        db.session.commit()
        return m, item.id


def _item_id(db, m):
    return db.session.scalar(sa.select(AgendaItem.id).where(AgendaItem.session_id == m.session_id))


def vote_as(app, db, user_id, item_id, outcome="overturn_s17", pause=0.0):
    def step():
        with app.app_context():
            item = db.session.get(AgendaItem, item_id)
            voting.cast_vote(item, db.session.get(User, user_id), outcome, "Concurrent reason")
            time.sleep(pause)  # hold the transaction open, as a slow request would
            db.session.commit()
            return "kept"
    return step


def close_as(app, db, chair_id, item_id, pause=0.0):
    def step():
        with app.app_context():
            voting.close_voting(db.session.get(AgendaItem, item_id),
                                db.session.get(User, chair_id))
            time.sleep(pause)
            db.session.commit()
            return "closed"
    return step


def _votes(app, db, item_id):
    """The item's votes, each with its agency (read after the app context has closed)."""
    with app.app_context():
        return db.session.scalars(sa.select(Vote).where(Vote.agenda_item_id == item_id)
                                  .options(joinedload(Vote.agency))).all()


def test_two_representatives_voting_at_once_are_both_kept(app, db, voting_open):
    m, item_id = voting_open
    results = run_together(vote_as(app, db, m.reps["health"].id, item_id),
                           vote_as(app, db, m.reps["police"].id, item_id))
    assert results == ["kept", "kept"]
    assert len(_votes(app, db, item_id)) == 2


def test_a_double_submitted_vote_is_kept_once(app, db, voting_open):
    m, item_id = voting_open
    results = run_together(vote_as(app, db, m.reps["health"].id, item_id, pause=0.2),
                           vote_as(app, db, m.reps["health"].id, item_id, pause=0.2))
    assert sorted(map(str, results)).count("kept") == 1
    refused = next(r for r in results if isinstance(r, VoteRefused))
    assert "Northshire Health has already voted on this item" in str(refused)
    assert len(_votes(app, db, item_id)) == 1


def test_a_representative_and_their_deputy_voting_at_once_keep_one_police_vote(
        app, db, voting_open):
    m, item_id = voting_open
    with app.app_context():
        item = db.session.get(AgendaItem, item_id)
        deputy = db.session.get(PanelMember, m.members[m.deputy.id])
        register.record_attendance(item.session, db.session.get(User, m.chair.id),
                                   {deputy.id: ("present", True)})
        db.session.commit()
    results = run_together(vote_as(app, db, m.reps["police"].id, item_id, pause=0.2),
                           vote_as(app, db, m.deputy.id, item_id, pause=0.2))
    assert [r for r in results if r == "kept"] == ["kept"]
    assert [v.agency.name for v in _votes(app, db, item_id)] == ["Northshire Police"]


def test_a_vote_arriving_while_the_chair_closes_voting_is_refused_clearly(app, db, voting_open):
    m, item_id = voting_open
    first = vote_as(app, db, m.reps["health"].id, item_id)
    assert first() == "kept"
    started = threading.Event()

    def close_slowly():
        with app.app_context():
            voting.close_voting(db.session.get(AgendaItem, item_id),
                                db.session.get(User, m.chair.id))
            started.set()  # the item is locked and closed, not yet committed
            time.sleep(0.5)
            db.session.commit()
            return "closed"

    def late_vote():
        started.wait(5)
        return vote_as(app, db, m.reps["police"].id, item_id)()

    closed, late = run_together(close_slowly, late_vote)
    assert closed == "closed"
    assert isinstance(late, VoteRefused)
    assert "Voting on this item has closed, so this vote was not recorded" in str(late)
    assert len(_votes(app, db, item_id)) == 1


def test_a_vote_in_flight_when_the_chair_closes_is_counted(app, db, voting_open):
    m, item_id = voting_open
    started = threading.Event()

    def vote_slowly():
        with app.app_context():
            item = db.session.get(AgendaItem, item_id)
            voting.cast_vote(item, db.session.get(User, m.reps["csc"].id), "upheld", "Reason")
            started.set()
            time.sleep(0.5)
            db.session.commit()
            return "kept"

    def close_after():
        started.wait(5)
        return close_as(app, db, m.chair.id, item_id)()

    assert run_together(vote_slowly, close_after) == ["kept", "closed"]
    with app.app_context():
        item = db.session.get(AgendaItem, item_id)
        assert item.voting == VotingStatus.CLOSED
        assert [v.outcome for v in item.votes] == ["upheld"]


def test_the_database_refuses_a_second_vote_for_an_agency(app, db, voting_open):
    m, item_id = voting_open
    assert vote_as(app, db, m.reps["health"].id, item_id)() == "kept"
    with app.app_context():
        member_id = m.members[m.reps["health"].id]
        agency_id = db.session.get(PanelMember, member_id).agency_id
        db.session.add(Vote(agenda_item_id=item_id, agency_id=agency_id, member_id=member_id,
                            outcome="upheld", reason="Sneaked in", recorded_by_id=m.chair.id))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
