"""Migration dc3b91632bbe gives the disputes already held their name and case number keys (#24),
as raising a dispute now does, and anonymised disputes none; downgrading removes them."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from moderation import create_app
from moderation.disputes.child_identifiers import case_key, name_pair
from tests.conftest import DATABASES, POSTGRES_URL, _config, _worker_database_url

BEFORE, KEYS = "b1945d6074d4", "dc3b91632bbe"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
CHILDREN = [  # (name, case number) as referrers typed them
    ("Leo Carter", "NS-40211"), ("CARTER, Leo", "ns 40211"), ("Léo James Carter", None),
    ("Siobhán O'Brien-Kelly", "(NS/7)"), ("Amelia", " - "), (None, None)]
# More disputes than the migration keys in one batch (5,000).
FILLER = [(f"Child{n} Example", f"XY-{n}") for n in range(5100)]


@pytest.fixture(params=DATABASES)
def empty_database(request, tmp_path):
    """A database of its own, empty, to migrate step by step."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrating.sqlite3'}"
        return
    url = _worker_database_url(POSTGRES_URL)
    url = url.set(database=f"{url.database}_migrating")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def _dispute(number, name, case_number, anonymised):
    return {"id": number, "status": "settled", "raised_on": date(2026, 1, 1),
            "raised_at": NOW, "referrer_id": 1, "referring_agency_id": 1,
            "child_name": name, "child_case_number": case_number,
            "anonymised_on": date(2026, 11, 1) if anonymised else None,
            "referral_date": date(2026, 1, 1), "referral_method": "phone",
            "referrer_intent": "referral", "level_of_need": 3, "referral_summary": "Summary",
            "csc_decision_date": date(2026, 1, 1), "told_recorded_as": "contact",
            "told_outcome": "no_further_action", "dispute_type": "threshold_not_met",
            "grounds": "Grounds", "immediate_risk": False}


def people(engine):
    """An agency and a referrer, written as rows before any migration under test runs."""
    tables = sa.MetaData()
    tables.reflect(engine, only=["agency", "user"])
    with engine.begin() as connection:
        connection.execute(tables.tables["agency"].insert(), {
            "id": 1, "name": "Health", "kind": "health", "is_core": True, "created_at": NOW})
        connection.execute(tables.tables["user"].insert(), {
            "id": 1, "name": "Riley Referrer", "email": "riley@example.org", "agency_id": 1,
            "must_change_password": False, "active": True, "session_token": "t",
            "created_at": NOW})


def _held(engine):
    """The disputes as they stand before the migration: an agency, a referrer, and one dispute
    per child (the last anonymised, its details gone)."""
    people(engine)
    tables = sa.MetaData()
    tables.reflect(engine, only=["dispute"])
    with engine.begin() as connection:
        connection.execute(tables.tables["dispute"].insert(), [
            _dispute(n, name, case, anonymised=name is None)
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
