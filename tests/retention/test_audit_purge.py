"""The audit log stays append-only for every path but one: the retention job deletes whole
months past the schedule through the named function (PostgreSQL) or statement (SQLite) the
triggers allow, and records that it did so. Every other delete or update is refused, on both
databases."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from moderation.models import AuditEvent
from moderation.models.audit import AppendOnlyError
from moderation.retention import audit_purge

# Events either side of the month boundary the tests purge before (1 December 2019).
OLD = [datetime(2019, 10, 3, 12, 0, tzinfo=UTC), datetime(2019, 11, 30, 23, 59, 59, 999999,
                                                          tzinfo=UTC)]
KEPT = [datetime(2019, 12, 1, 0, 0, tzinfo=UTC), datetime(2020, 6, 1, 8, 30, tzinfo=UTC)]
CUT_OFF = date(2019, 12, 1)


@pytest.fixture
def events(app, db):
    """Audit events on the dates above; returns the app context's session to use."""
    with app.app_context():
        db.session.add_all(AuditEvent(action="test_event", object_type="test",
                                      object_id=str(n), occurred_at=when)
                           for n, when in enumerate(OLD + KEPT))
        db.session.commit()
        yield db.session


def occurred(session):
    return sorted(session.scalars(sa.select(AuditEvent.occurred_at)
                                  .where(AuditEvent.action == "test_event")))


def dialect(session):
    return session.get_bind().dialect.name


def test_the_first_month_kept_is_a_whole_month_the_schedule_years_back():
    assert audit_purge.first_month_kept(date(2026, 11, 23), 7) == date(2019, 11, 1)
    assert audit_purge.first_month_kept(date(2026, 12, 1), 7) == date(2019, 12, 1)


def test_whole_months_before_the_cut_off_go_and_the_purge_is_recorded(events):
    assert audit_purge.purge_before(CUT_OFF) == 2
    events.commit()
    assert occurred(events) == KEPT
    [purged] = events.scalars(sa.select(AuditEvent)
                              .where(AuditEvent.action == "audit_months_purged")).all()
    assert purged.detail == {"before": "2019-12-01", "deleted": 2}
    assert purged.actor_id is None


def test_nothing_past_the_schedule_purges_nothing_and_records_nothing(events):
    assert audit_purge.purge_before(date(2019, 10, 1)) == 0
    events.commit()
    assert occurred(events) == OLD + KEPT
    assert events.scalar(sa.select(sa.func.count()).where(
        AuditEvent.action == "audit_months_purged")) == 0


def test_a_cut_off_in_the_middle_of_a_month_is_refused(events):
    with pytest.raises(ValueError, match="whole months"):
        audit_purge.purge_before(date(2019, 12, 15))
    assert occurred(events) == OLD + KEPT


def test_the_named_path_itself_refuses_a_cut_off_in_the_middle_of_a_month(events):
    """Called directly, past purge_before's own check: the database refuses too."""
    if dialect(events) == "postgresql":
        statement = sa.text("SELECT purge_audit_months(:cut_off)")
        value = date(2019, 12, 15)
    else:
        statement = sa.text("INSERT INTO audit_purge (cut_off) VALUES (:cut_off)")
        value = "2019-12-15 00:00:00.000000"
    with pytest.raises(sa.exc.DBAPIError, match="whole months"):
        events.execute(statement, {"cut_off": value})
    events.rollback()
    assert occurred(events) == OLD + KEPT


@pytest.mark.parametrize("statement", [
    "DELETE FROM audit_event",
    "DELETE FROM audit_event WHERE occurred_at < '2019-12-01'",
    "UPDATE audit_event SET action = 'tampered'",
    "UPDATE audit_event SET occurred_at = occurred_at",
])
def test_every_other_delete_or_update_is_refused(events, statement):
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        events.execute(sa.text(statement))
    events.rollback()
    assert occurred(events) == OLD + KEPT


def test_a_delete_after_a_purge_in_the_same_transaction_is_still_refused(events):
    """The purge's permission ends with the purge: it does not leak to the rest of the job."""
    audit_purge.purge_before(CUT_OFF)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        events.execute(sa.text("DELETE FROM audit_event"))
    events.rollback()
    assert occurred(events) == OLD + KEPT


def test_setting_the_purge_cut_off_by_hand_does_not_open_the_log(events):
    """On PostgreSQL the cut-off lives in a setting any connection can set: the trigger also
    asks that the delete come from purge_audit_months itself. On SQLite, a row in audit_purge
    is the named statement, and its trigger empties the table again at once."""
    if dialect(events) == "postgresql":
        events.execute(sa.text(
            "SELECT set_config('moderation.audit_purge_before', '2100-01-01 00:00+00', true)"))
    else:
        events.execute(sa.text("INSERT INTO audit_purge (cut_off) "
                               "VALUES ('2019-12-01 00:00:00.000000')"))
        assert events.scalar(sa.text("SELECT count(*) FROM audit_purge")) == 0
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        events.execute(sa.text("DELETE FROM audit_event"))
    events.rollback()
    assert occurred(events) == OLD + KEPT


def test_truncate_is_refused_on_postgresql(events):
    if dialect(events) != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    with pytest.raises(sa.exc.DBAPIError):
        events.execute(sa.text("TRUNCATE audit_event"))
    events.rollback()
    assert occurred(events) == OLD + KEPT


def test_the_orm_refuses_to_delete_or_change_an_event(events):
    event = events.scalars(sa.select(AuditEvent).where(AuditEvent.action == "test_event")).first()
    events.delete(event)
    with pytest.raises(AppendOnlyError):
        events.flush()
    events.rollback()
    event = events.scalars(sa.select(AuditEvent).where(AuditEvent.action == "test_event")).first()
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        events.flush()
    events.rollback()
    assert occurred(events) == OLD + KEPT
