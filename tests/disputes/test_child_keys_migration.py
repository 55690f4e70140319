"""Migration dc3b91632bbe gives the disputes already held their name and case number keys (#24),
as raising a dispute now does, and anonymised disputes none; downgrading removes them."""


import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from moderation import create_app
from moderation.disputes.child_identifiers import case_key, name_pair
from tests.conftest import _config
from tests.helpers import agency_and_referrer, held_dispute

BEFORE, KEYS = "b1945d6074d4", "dc3b91632bbe"
CHILDREN = [  # (name, case number) as referrers typed them
    ("Leo Carter", "NS-40211"), ("CARTER, Leo", "ns 40211"), ("Léo James Carter", None),
    ("Siobhán O'Brien-Kelly", "(NS/7)"), ("Amelia", " - "), (None, None)]
# More disputes than the migration keys in one batch (5,000).
FILLER = [(f"Child{n} Example", f"XY-{n}") for n in range(5100)]


def _held(engine):
    """The disputes as they stand before the migration: an agency, a referrer, and one dispute
    per child (the last anonymised, its details gone)."""
    agency_and_referrer(engine)
    tables = sa.MetaData()
    tables.reflect(engine, only=["dispute"])
    with engine.begin() as connection:
        connection.execute(tables.tables["dispute"].insert(), [
            held_dispute(n, name, case, anonymised=name is None)
            for n, (name, case) in enumerate(CHILDREN + FILLER, start=1)])


def _keys(engine):
    with engine.connect() as connection:
        return connection.execute(sa.text(
            "SELECT child_name_pair, child_case_key FROM dispute ORDER BY id")).all()


def test_the_migration_keys_every_dispute_as_raising_one_does(empty_database):
    app = create_app(_config(empty_database))
    engine = sa.create_engine(empty_database)
    try:
        with app.app_context():
            upgrade(revision=BEFORE)
            _held(engine)
            upgrade(revision=KEYS)
            assert [tuple(row) for row in _keys(engine)] == [
                (name_pair(name), case_key(case)) for name, case in CHILDREN + FILLER]
            assert _keys(engine)[:4] == [("carter leo", "ns40211"), ("carter leo", "ns40211"),
                                         ("carter leo", None), ("obrienkelly siobhan", "ns7")]
            assert _keys(engine)[5] == (None, None)  # anonymised: nothing to key
            downgrade(revision=BEFORE)
            columns = {c["name"] for c in sa.inspect(engine).get_columns("dispute")}
            assert not {"child_name_pair", "child_case_key"} & columns
    finally:
        engine.dispose()
        with app.app_context():
            from moderation.extensions import db

            db.engine.dispose()
