"""Agendas: filled from the queue in rule 5 order up to capacity, edited, then frozen."""

from datetime import date

import pytest
import sqlalchemy as sa

from moderation.disputes import urgent_panel
from moderation.models import PanelSession, User
from moderation.panels import agenda
from moderation.web.boundary import Refusal


@pytest.fixture
def queued(queue_disputes):
    return queue_disputes


@pytest.fixture
def chair_and_session(app, db, make_user, make_session):
    chair, panel = make_user("chair"), make_session(capacity=2)

    def open_():
        return db.session.get(User, chair.id), db.session.get(PanelSession, panel)

    return open_


def test_the_agenda_fills_in_queue_order_up_to_capacity(app, db, queued, chair_and_session):
    low, urgent, high, mid = queued({"level_of_need": 2}, {"immediate_risk": True},
                                    {"level_of_need": 4}, {"level_of_need": 3})
    with app.app_context():
        chair, panel = chair_and_session()
        agenda.fill_from_queue(panel, chair)
        assert [item.dispute.id for item in panel.agenda] == [high, mid]
        assert [d.id for d in agenda.waiting()] == [low]  # rolls to the next session
        # An urgent dispute waits in no monthly queue (rule 14).
        assert [d.id for d in urgent_panel.waiting()] == [urgent]


def test_the_chair_reorders_removes_and_times_items(app, db, queued, chair_and_session):
    first, second = queued({"level_of_need": 4}, {"level_of_need": 3})
    with app.app_context():
        chair, panel = chair_and_session()
        agenda.fill_from_queue(panel, chair)
        agenda.move_item(panel, panel.agenda[1], -1)
        assert [(i.dispute.id, i.position) for i in panel.agenda] == [(second, 1), (first, 2)]
        agenda.set_minutes(panel, panel.agenda[0], 45)
        assert agenda.planned_minutes(panel) == 65
        with pytest.raises(Refusal, match="between 5 and 120 minutes"):
            agenda.set_minutes(panel, panel.agenda[0], 200)
        agenda.remove_item(panel, chair, panel.agenda[0])
        assert [(i.dispute.id, i.position) for i in panel.agenda] == [(first, 1)]
        assert [d.id for d in agenda.waiting()] == [second]


def test_a_full_agenda_takes_no_more(app, db, queued, chair_and_session):
    ids = queued({}, {}, {})
    with app.app_context():
        chair, panel = chair_and_session()
        agenda.add_item(panel, chair, ids[0])
        agenda.add_item(panel, chair, ids[1])
        with pytest.raises(Refusal, match="The agenda is full: this session takes 2"):
            agenda.add_item(panel, chair, ids[2])


def test_a_dispute_cannot_be_on_two_agendas(app, db, queued, make_session, chair_and_session):
    (ident,) = queued({})
    other = make_session(held_on=date(2027, 1, 12))
    with app.app_context():
        chair, panel = chair_and_session()
        agenda.add_item(panel, chair, ident)
        db.session.flush()
        with pytest.raises(Refusal, match="Select a dispute waiting for the panel"):
            agenda.add_item(db.session.get(PanelSession, other), chair, ident)


def test_freezing_fills_an_empty_agenda_and_locks_it(app, db, queued, chair_and_session):
    ids = queued({}, {})
    with app.app_context():
        chair, panel = chair_and_session()
        agenda.freeze(panel, chair)
        assert panel.status == "agenda_frozen"
        assert sorted(item.dispute.id for item in panel.agenda) == sorted(ids)
        with pytest.raises(Refusal, match="frozen and cannot change"):
            agenda.remove_item(panel, chair, panel.agenda[0])
        db.session.commit()
        actions = db.session.scalars(sa.text("SELECT action FROM audit_event")).all()
        assert "agenda_frozen" in actions
