"""Migration f2b8d4a6c1e7 (#25) gives disputes an expected date of delivery, with a CHECK that a
dispute holds exactly one of it and the date of birth (neither once anonymised), on SQLite in
batch mode and on PostgreSQL; the disputes already held keep their rows and pass it."""

from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from moderation import create_app
from tests.conftest import _config
from tests.helpers import HELD_SINCE, agency_and_referrer, held_dispute

BEFORE, UNBORN = "c7d2e5f1a9b3", "f2b8d4a6c1e7"


def _row(number, **changes):
    row = {**held_dispute(number, "Leo Carter", None, anonymised=False),
           "child_dob": date(2020, 1, 1), "last_activity_at": HELD_SINCE, **changes}
    return row


def _insert(engine, *rows):
    tables = sa.MetaData()
    tables.reflect(engine, only=["dispute"])
    with engine.begin() as connection:
        connection.execute(tables.tables["dispute"].insert(), list(rows))


def test_the_migration_keeps_the_disputes_held_and_holds_one_date_for_each_child(
        empty_database):
    app = create_app(_config(empty_database))
    engine = sa.create_engine(empty_database)
    try:
        with app.app_context():
            upgrade(revision=BEFORE)
            agency_and_referrer(engine)
            _insert(engine, _row(1), _row(2, child_name=None, child_dob=None,
                                          anonymised_on=date(2026, 11, 1)))
            upgrade(revision=UNBORN)
            with engine.connect() as connection:
                held = connection.execute(sa.text(
                    "SELECT id, child_dob, child_expected_delivery_date FROM dispute "
                    "ORDER BY id")).all()
            assert [tuple(row) for row in held] in (
                [(1, date(2020, 1, 1), None), (2, None, None)],
                [(1, "2020-01-01", None), (2, None, None)])
            _insert(engine, _row(3, child_name="Unborn Carter", child_dob=None,
                                 child_expected_delivery_date=date(2027, 2, 1)))
            for broken in (_row(4, child_expected_delivery_date=date(2027, 2, 1)),
                           _row(5, child_dob=None)):
                with pytest.raises(sa.exc.IntegrityError):
                    _insert(engine, broken)
            # An unborn child's expected date would be lost: the downgrade refuses.
            with pytest.raises(SystemExit):  # Flask-Migrate logs the reason and exits
                downgrade(revision=BEFORE)
            columns = {c["name"] for c in sa.inspect(engine).get_columns("dispute")}
            assert "child_expected_delivery_date" in columns
            with engine.begin() as connection:
                connection.execute(sa.text("DELETE FROM dispute WHERE id = 3"))
            downgrade(revision=BEFORE)
            columns = {c["name"] for c in sa.inspect(engine).get_columns("dispute")}
            assert "child_expected_delivery_date" not in columns
    finally:
        engine.dispose()
        with app.app_context():
            from moderation.extensions import db

            db.engine.dispose()
