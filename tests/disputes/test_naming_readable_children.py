"""Rule 13's check against every child (#24): `refuse` finds the full name or case number of any
child whose dispute the writer may read, by one indexed query whatever the number of disputes,
and accepts the names of children the writer may not read (rule 12)."""

from contextlib import nullcontext
from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from moderation.disputes.child_identifiers import Child, candidate_keys, one_of_keys, refuse
from moderation.models import Dispute, User
from moderation.retention import anonymise
from moderation.web.boundary import Refusal
from tests.helpers import statements_run

LEO = {"child_name": "Leo Carter", "child_dob": date(2019, 2, 2), "child_case_number": "NS-40211"}


@pytest.fixture
def leo(make_dispute, make_user):
    """Leo's dispute, raised by his referrer, in escalation."""
    referrer = make_user("referrer")
    return referrer, make_dispute(referrer=referrer, **LEO)


def _refuses(app, db, user, text, children=(), about=None):
    """True if `refuse` refuses `text` written by `user`."""
    with app.app_context():
        writer = db.session.get(User, user.id) if user else None
        about = db.session.get(Dispute, about) if about else None
        try:
            refuse([("Text", "text", text)], writer, children, about)
        except Refusal as refusal:
            assert refusal.message == (
                "Text must not contain a child's name, date of birth or case number")
            assert refusal.field == "text"
            return True
        return False


@pytest.mark.parametrize("text", [
    "Leo Carter was discussed.", "leo carter", "LEO CARTER", "Carter, Leo, was discussed.",
    "We heard about Léo Carter's school.", "Leo James Carter", "case NS-40211", "ns-40211",
    "ns 40211", "NS40211.", "(NS/40211)"])
def test_a_child_the_writer_may_read_is_refused_in_any_form(app, db, leo, make_user, text):
    assert _refuses(app, db, make_user("csc_manager"), text)


@pytest.mark.parametrize("text", [
    "Leo was discussed.", "Mr Carter was discussed.", "Leo said Ms Carter came.",
    "Case NS-402115 was discussed.", "NS-4021 and 1"])
def test_other_text_is_accepted(app, db, leo, make_user, text):
    assert not _refuses(app, db, make_user("csc_manager"), text)


def test_only_a_writer_who_may_read_the_dispute_is_refused(app, db, leo, make_user, make_member,
                                                           make_session):
    own_referrer, dispute_id = leo
    assert _refuses(app, db, own_referrer, "Leo Carter was discussed.")
    # Another referrer, a chair while the dispute is not waiting for panel, and a chair with no
    # seat on a session to come may not read it: refusing would tell them Leo's records are held.
    assert not _refuses(app, db, make_user("referrer"), "Leo Carter was discussed.")
    chair, seatless_chair = make_user("chair"), make_user("chair")
    make_member(chair, role="chair")
    with time_machine.travel("2026-12-01 09:00:00+00:00", tick=False):
        make_session(held_on=date(2026, 12, 8))
        assert not _refuses(app, db, chair, "Leo Carter was discussed.")
        with app.app_context():
            db.session.get(Dispute, dispute_id).status = "queued"
            db.session.commit()
        assert _refuses(app, db, chair, "Leo Carter was discussed.")
        assert not _refuses(app, db, seatless_chair, "Leo Carter was discussed.")


def test_a_second_dispute_about_a_namesake_the_writer_may_read_refuses_the_name(
        app, db, leo, make_user, make_dispute):
    other_referrer = make_user("referrer")
    assert not _refuses(app, db, other_referrer, "Leo Carter")
    make_dispute(referrer=other_referrer, child_name="Leo Carter", child_dob=date(2020, 5, 5))
    assert _refuses(app, db, other_referrer, "Leo Carter")


def test_the_item_s_own_child_is_refused_even_unread(app, db, leo, make_user):
    # The pure check, for the children the caller names (an agenda's), whoever writes.
    stranger = make_user("referrer")
    children = [Child(LEO["child_name"], LEO["child_dob"], LEO["child_case_number"])]
    for text in ("Leo Carter", "Carter", "born 2/2/2019", "NS-40211"):
        assert _refuses(app, db, stranger, text, children)
    assert not _refuses(app, db, stranger, "Leo Carter")
    assert _refuses(app, db, None, "Carter", children)  # a command line run: no writer


def test_an_anonymised_child_is_not_looked_for(app, db, leo, make_user):
    _, dispute_id = leo
    with app.app_context():
        anonymise.anonymise([dispute_id], date(2026, 12, 1))
        db.session.commit()
        kept = db.session.get(Dispute, dispute_id)
        assert (kept.child_name_pair, kept.child_case_key) == (None, None)
    manager = make_user("csc_manager")
    assert not _refuses(app, db, manager, "Leo Carter was discussed.")
    assert not _refuses(app, db, manager, "NS-40211")


def test_the_dispute_a_text_belongs_to_may_name_its_own_child(app, db, leo, make_user,
                                                              make_dispute):
    _, dispute_id = leo
    manager = make_user("csc_manager")
    assert not _refuses(app, db, manager, "Leo Carter, NS-40211", about=dispute_id)
    make_dispute(child_name="Mia Roberts")
    assert _refuses(app, db, manager, "Leo Carter and Mia Roberts", about=dispute_id)


def test_keys_are_kept_when_a_dispute_is_raised(app, db, make_dispute):
    dispute_id = make_dispute(child_name="  Léo  James CARTER ", child_case_number="ns 40211")
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        assert (dispute.child_name_pair, dispute.child_case_key) == ("carter leo", "ns40211")


def test_repeat_matching_compares_case_numbers_however_typed(app, db, make_dispute):
    first = make_dispute(child_name="Leo Carter", child_case_number="NS-40211")
    second = make_dispute(child_name="Leo Karter", child_dob=date(2019, 1, 1),
                          child_case_number="ns 40211")
    with app.app_context():
        assert db.session.get(Dispute, second).repeat_of_id == first


# Its cost ------------------------------------------------------------------------------------

MINUTES = ("The chair welcomed the members. Northshire Health presented the referral: the "
           "health visitor saw the family three times in October and found the home cold. "
           "CSC explained its decision of 4 November (case NS-99999 was a different family). "
           "The police representative, Sam Patel, agreed to share the domestic abuse log. ") * 8


def _statements(app, db, user, text):
    """The statements `refuse` runs on `text` (refused when it names Leo)."""
    with app.app_context():
        writer = db.session.get(User, user.id)
        writer.has_role("csc_manager")  # the writer's roles, read before
        refused = pytest.raises(Refusal) if "Leo" in text else nullcontext()
        with statements_run(app) as statements, refused:
            refuse([("Text", "text", text)], writer)
    return statements


def test_the_check_is_one_query_whatever_the_number_of_disputes(app, db, leo, make_user,
                                                               make_dispute):
    manager = make_user("csc_manager")
    few = [_statements(app, db, manager, text) for text in (MINUTES, MINUTES + " Leo Carter.")]
    for n in range(30):
        make_dispute(child_name=f"Child {n} Example", child_case_number=f"XY-{n:05d}")
    many = [_statements(app, db, manager, text) for text in (MINUTES, MINUTES + " Leo Carter.")]
    assert [len(s) for s in few] == [len(s) for s in many] == [1, 1]
    assert "child_name_pair" in many[0][0] and "child_case_key" in many[0][0]


def test_the_lookup_uses_the_indexes(app, db, leo):
    with app.app_context():
        dialect = db.engine.dialect.name
        keys = candidate_keys(MINUTES + " Leo Carter.")
        query = sa.select(Dispute.id).where(sa.or_(one_of_keys(Dispute.child_name_pair, keys),
                                                   one_of_keys(Dispute.child_case_key, keys)))
        compiled = query.compile(db.engine)
        params = (tuple(compiled.params[k] for k in compiled.positiontup)
                  if compiled.positional else compiled.params)
        with db.engine.connect() as connection:
            if dialect == "postgresql":
                # The table is tiny, so the planner would rather scan it: ask whether the
                # indexes can serve the lookup.
                connection.exec_driver_sql("SET enable_seqscan = off")
            explain = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
            plan = " ".join(str(row) for row in connection.exec_driver_sql(
                explain + str(compiled), params))
    assert "ix_dispute_child_name_pair" in plan and "ix_dispute_child_case_key" in plan, plan
