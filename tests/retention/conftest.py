"""Fixtures for data protection's tests: the retention schedule, legal holds, the audit purge,
subject access. Each helper adds what its tests share; nothing here replaces tests/conftest.py."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from moderation.models import AuditEvent, LegalHold, RetentionRule
from tests.helpers import ClientRequest, client_for

DUE = date(2046, 3, 14)  # the default dispute's child (born 14 March 2021) turns 25


def frozen(day, hour=1):
    """The clock at `day` (01:30 UTC by default, when the nightly job runs)."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 30, tzinfo=UTC),
                               tick=False)


@pytest.fixture
def pm(make_user):
    """The partnership manager, who sets the schedule, holds and withdraws disputes."""
    return make_user("partnership_manager", name="Pat Manager")


@pytest.fixture
def pm_request(app, pm):
    """The partnership manager's own browser, signed in (a tests.helpers.ClientRequest). A
    module whose tests run on a stopped clock asks for `on_a_monday` first, so the signing in
    happens then too."""
    return ClientRequest(client_for(app, pm))


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


@pytest.fixture
def settled_dispute(app, db, make_dispute, make_user):
    """Raise a dispute (on 23 November 2026 unless `on` says; answers changed as given) and have
    CSC settle it at stage 1 on `settled_on`; returns its id."""
    from datetime import date

    from moderation.disputes import settling
    from moderation.models import Dispute, User

    csc = []

    def make(settled_on=date(2026, 11, 25), note="Assessment agreed.", **changes):
        if not csc:
            csc.append(make_user("csc_manager"))
        dispute_id = make_dispute(**changes)
        with app.app_context():
            settling.settle(db.session.get(Dispute, dispute_id), db.session.get(User, csc[0].id),
                            "child_and_family_assessment", note, on=settled_on)
            db.session.commit()
        return dispute_id

    return make
