"""Benchmark data: bulk-loaded disputes in realistic proportions that the app reads normally."""

from datetime import date

from sqlalchemy import func, select

from bench import data as bench_data
from moderation.meeting import rules
from moderation.models import (
    AgendaItem,
    Attendance,
    Dispute,
    DisputeStage,
    PanelDecision,
    PanelSession,
    Vote,
)
from moderation.outcomes import figures as outcomes

END = date(2026, 10, 30)


def count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_bench_data_loads_disputes_in_realistic_proportions(app, db):
    with app.app_context():
        counts = bench_data.generate(600, end=END)
        assert counts["dispute"] == 600
        statuses = dict(db.session.execute(
            select(Dispute.status, func.count()).group_by(Dispute.status)).all())
        assert sum(statuses.values()) == 600
        assert 0.5 < statuses["settled"] / 600 < 0.7
        assert 0.25 < statuses["decided"] / 600 < 0.5
        assert count(db, PanelDecision) == statuses["decided"]
        year = outcomes.figures(outcomes.Period(date(2024, 1, 1), date(2024, 12, 31)))
        assert 40 < year.raised < 80 and year.decided > 0 and year.themes


def test_only_recent_disputes_are_still_open(app, db):
    with app.app_context():
        bench_data.generate(2000, end=END)
        open_since = db.session.scalar(select(func.min(Dispute.raised_on)).where(
            Dispute.status.in_(("escalating", "queued"))))
        assert (END - open_since).days < 120
        assert count(db, DisputeStage, DisputeStage.closed_on.is_(None)) == \
            count(db, Dispute, Dispute.status == "escalating")


def test_every_decision_follows_its_votes_at_an_attended_session(app, db):
    with app.app_context():
        bench_data.generate(600, end=END)
        decisions = db.session.scalars(select(PanelDecision)).all()
        methods = {d.method for d in decisions}
        assert methods == {rules.CONSENSUS, rules.MAJORITY}
        for decision in decisions[:50]:
            votes = db.session.scalars(select(Vote).where(
                Vote.agenda_item_id == decision.agenda_item_id)).all()
            assert len(votes) == 3
            assert rules.count({v.agency.name: v.outcome for v in votes}).outcome == \
                decision.outcome
        sessions = count(db, PanelSession)
        assert count(db, Attendance) == 4 * sessions
        busiest = db.session.scalar(select(func.count()).select_from(AgendaItem)
                                    .group_by(AgendaItem.session_id)
                                    .order_by(func.count().desc()).limit(1))
        assert busiest <= 25  # a monthly agenda, not the whole year's


def test_bench_data_adds_to_what_is_there(app, db):
    with app.app_context():
        bench_data.generate(50, seed=1, end=END)
        bench_data.generate(50, seed=2, end=END)
        assert count(db, Dispute) == 100
