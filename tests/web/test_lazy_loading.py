"""Each page asks for what it shows: every relationship of the models loads lazily, and a page's
query says what it reads with its rows, so that a list runs the same queries for a few rows or
many (no query per row). The queue and the meeting pages have their own such tests
(tests/disputes, tests/meeting); these cover the other long lists."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from moderation.models import Action, AgendaItem, AuditEvent, Base
from tests.conftest import page, url
from tests.helpers import counting_queries

pytestmark = pytest.mark.usefixtures("on_a_monday")  # the clock at 09:00 on 23 November 2026


def test_every_relationship_of_the_models_loads_lazily():
    """No eager default in a model: a page that needs a relationship asks for it."""
    relationships = [(model.__name__, name, relationship.lazy)
                     for model in (mapper.class_ for mapper in Base.registry.mappers)
                     for name, relationship in sa.inspect(model).relationships.items()]
    assert len(relationships) >= 30
    assert [r for r in relationships if r[2] != "select"] == []


def _queries(app, client, address):
    """The queries one page view runs, after a first view has filled per-process caches."""
    client.get(address)
    with counting_queries(app) as counted:
        response = client.get(address)
    assert response.status_code == 200
    return counted["n"], len(page(response).select("main tbody tr"))


def test_the_users_list_runs_the_same_queries_for_few_or_many_users(app, client, signed_in,
                                                                    make_user):
    signed_in("admin")
    address = url(app, "admin.users")
    few, shown = _queries(app, client, address)
    for _ in range(8):
        make_user("chair", "panel_member")  # each in an agency of their own, with two roles
    many, now_shown = _queries(app, client, address)
    assert now_shown == shown + 8
    assert many == few


def test_the_audit_log_runs_the_same_queries_for_few_or_many_actors(app, db, client, signed_in,
                                                                    make_user):
    signed_in("admin")
    address = url(app, "admin.audit_log")
    few, shown = _queries(app, client, address)
    actors = [make_user() for _ in range(8)]
    with app.app_context():
        db.session.add_all(AuditEvent(action="test_event", actor_id=actor.id, object_type="user",
                                      object_id=str(actor.id)) for actor in actors)
        db.session.commit()
    many, now_shown = _queries(app, client, address)
    assert now_shown == shown + 8
    assert many == few


@pytest.fixture
def set_actions(app, db, make_user, make_session, make_dispute):
    """Open actions, each set at a session of its own on a dispute of its own and owned by
    someone from an agency of their own."""
    held_on = iter(date(2026, 12, 8) + timedelta(weeks=n) for n in range(100))

    def make(count):
        for _ in range(count):
            owner = make_user("panel_member")
            session_id, dispute_id = make_session(held_on=next(held_on)), make_dispute()
            with app.app_context():
                item = AgendaItem(session_id=session_id, dispute_id=dispute_id, position=1)
                db.session.add(item)
                db.session.flush()
                db.session.add(Action(
                    session_id=session_id, agenda_item_id=item.id, description="Call the school",
                    owner_id=owner.id, agency_id=owner.agency_id, working_days=5,
                    due_on=date(2027, 1, 15), created_by_id=owner.id))
                db.session.commit()

    return make


def test_the_actions_list_runs_the_same_queries_for_few_or_many_actions(app, client, signed_in,
                                                                        set_actions):
    signed_in("partnership_manager")  # sees every action
    address = url(app, "actions.index")
    set_actions(1)
    few, shown = _queries(app, client, address)
    set_actions(6)
    many, now_shown = _queries(app, client, address)
    assert (shown, now_shown) == (1, 7)
    assert many == few


# Lists of disputes: (who reads it, the page, its address's values, whether they are the
# referrer's own). The others' disputes come each from a referrer of another agency.
DISPUTE_LISTS = [
    ("referrer", "home.referrer", {}, True),
    ("csc_manager", "home.csc_manager", {}, False),
    ("partnership_manager", "outcomes.disputes", {"start": "2026-11-01", "end": "2026-11-30"},
     False),
]


@pytest.mark.parametrize("role, endpoint, values, own", DISPUTE_LISTS,
                         ids=[endpoint for _, endpoint, _, _ in DISPUTE_LISTS])
def test_a_list_of_disputes_runs_the_same_queries_for_few_or_many(
        app, client, signed_in, make_dispute, role, endpoint, values, own):
    reader = signed_in(role)
    address = url(app, endpoint, **values)

    def raise_one():
        return make_dispute(reader) if own else make_dispute()

    raise_one()
    few, shown = _queries(app, client, address)
    for _ in range(6):
        raise_one()
    many, now_shown = _queries(app, client, address)
    assert (shown, now_shown) == (1, 7)
    assert many == few


def test_the_membership_page_runs_the_same_queries_for_few_or_many_members(app, client,
                                                                           signed_in,
                                                                           make_user,
                                                                           make_member):
    signed_in("partnership_manager")
    address = url(app, "panels.members")
    make_member()
    make_user("panel_member")  # a candidate to join
    few, shown = _queries(app, client, address)
    principal = make_member()
    make_member(deputy_for_id=principal)
    for _ in range(4):
        make_member()
        make_user("panel_member")
    many, now_shown = _queries(app, client, address)
    assert (shown, now_shown) == (1, 7)
    assert many == few
