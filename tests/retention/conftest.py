"""Fixtures for data protection's tests: the retention schedule, legal holds, the audit purge,
subject access. Each helper adds what its tests share; nothing here replaces tests/conftest.py."""

import pytest
import sqlalchemy as sa

from moderation.models import AuditEvent, LegalHold, RetentionRule


@pytest.fixture
def stored_rule(app, db):
    """The rule for `kind` as the database holds it: (keep_for, until_age, reason)."""

    def read(kind):
        with app.app_context():
            rule = db.session.get(RetentionRule, kind)
            return rule.keep_for, rule.until_age, rule.reason

    return read


@pytest.fixture
def audited(app, db):
    """The audit events with this action, oldest first, as (object_id, detail) pairs."""

    def events(action):
        with app.app_context():
            return [(event.object_id, event.detail) for event in db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == action)
                .order_by(AuditEvent.id))]

    return events


@pytest.fixture
def stored_holds(app, db):
    """Every legal hold on the dispute, oldest first, as (reason, active, release reason)."""

    def read(dispute_id):
        with app.app_context():
            return [(hold.reason, hold.active, hold.release_reason) for hold in db.session.scalars(
                sa.select(LegalHold).where(LegalHold.dispute_id == dispute_id)
                .order_by(LegalHold.id))]

    return read


class WholeDatabase:
    """Every table the database holds (reflected, so tables outside the models count too), read
    as text: to look for a child's details anywhere, or to see that nothing changed."""

    def __init__(self, app, db):
        self.app, self.db = app, db

    def _tables(self):
        metadata = sa.MetaData()
        metadata.reflect(bind=self.db.engine)
        return metadata.sorted_tables

    def _as_text(self, table):
        # Binary columns (PDFs, documents' content, the scheduler's pickles) are not text.
        columns = [c for c in table.columns if not isinstance(c.type, sa.LargeBinary)]
        rows = self.db.session.execute(sa.select(*[sa.cast(c, sa.Text) for c in columns]))
        return columns, rows.all()

    def find(self, *needles):
        """{needle: ["table.column", ...]} for each needle found in any text of any row, in any
        case; needles found nowhere are left out."""
        found = {}
        with self.app.app_context():
            for table in self._tables():
                columns, rows = self._as_text(table)
                for row in rows:
                    for column, value in zip(columns, row, strict=True):
                        for needle in needles:
                            if value is not None and needle.casefold() in value.casefold():
                                found.setdefault(needle, []).append(f"{table.name}.{column.name}")
        return found

    def rows(self, leave_out=()):
        """Every row of every table but `leave_out`, as text, to compare before and after."""
        with self.app.app_context():
            return {table.name: sorted(map(tuple, self._as_text(table)[1]), key=repr)
                    for table in self._tables() if table.name not in leave_out}


@pytest.fixture
def whole_database(app, db):
    return WholeDatabase(app, db)


@pytest.fixture
def settled_dispute(app, db, make_dispute, make_user):
    """Raise a dispute (on 23 November 2026 unless `on` says; answers changed as given) and have
    CSC settle it at stage 1 on `settled_on`; returns its id."""
    from datetime import date

    from moderation.disputes import services
    from moderation.models import Dispute, User

    csc = []

    def make(settled_on=date(2026, 11, 25), note="Assessment agreed.", **changes):
        if not csc:
            csc.append(make_user("csc_manager"))
        dispute_id = make_dispute(**changes)
        with app.app_context():
            services.settle(db.session.get(Dispute, dispute_id), db.session.get(User, csc[0].id),
                            "child_and_family_assessment", note, on=settled_on)
            db.session.commit()
        return dispute_id

    return make
