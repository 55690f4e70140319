"""Benchmark data: bulk-loaded disputes in realistic proportions that the app reads normally."""

from datetime import date

from sqlalchemy import func, select

from moderation import bench_data
from moderation.models import Dispute, PanelDecision
from moderation.reports import outcomes


def test_bench_data_loads_disputes_in_realistic_proportions(app, db):
    with app.app_context():
        counts = bench_data.generate(600)
        assert counts["dispute"] == 600
        statuses = dict(db.session.execute(
            select(Dispute.status, func.count()).group_by(Dispute.status)).all())
        assert sum(statuses.values()) == 600
        assert 0.45 < statuses["settled"] / 600 < 0.65
        assert 0.2 < statuses["decided"] / 600 < 0.45
        assert db.session.scalar(select(func.count()).select_from(PanelDecision)) == \
            statuses["decided"]
        year = outcomes.figures(outcomes.Period(date(2024, 1, 1), date(2024, 12, 31)))
        assert 40 < year.raised < 80 and year.decided > 0 and year.themes


def test_bench_data_adds_to_what_is_there(app, db):
    with app.app_context():
        bench_data.generate(50, seed=1)
        bench_data.generate(50, seed=2)
        assert db.session.scalar(select(func.count()).select_from(Dispute)) == 100
