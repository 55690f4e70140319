"""The outcome figures worked out with an empty cache over the whole data set (DATABASE_URL), for
bench/run.py: what the first view of the dashboard, and the learning summary, wait for once the
shared cache has forgotten them. They are sums of the rows already counted (outcomes/tallies.py),
so the time should not grow with the disputes. Prints one JSON line: for each case, the best of
five runs' total and database seconds, and the statements run."""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, select  # noqa: E402

from moderation import create_app  # noqa: E402
from moderation.extensions import db  # noqa: E402
from moderation.models import Agency, LearningSummary  # noqa: E402
from moderation.outcomes import figures as outcomes  # noqa: E402
from moderation.outcomes import learning  # noqa: E402

RUNS = 5


class _DatabaseTime:
    """Seconds spent in the database driver, and statements run, while it listens."""

    def __init__(self, engine):
        self.seconds, self.statements = 0.0, 0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, many):
        context.bench_started = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, many):
        self.seconds += time.perf_counter() - context.bench_started
        self.statements += 1


def _best(database, work):
    runs = []
    for _ in range(RUNS):
        database.seconds, database.statements = 0.0, 0
        started = time.perf_counter()
        work()
        runs.append((time.perf_counter() - started, database.seconds, database.statements))
    return min(runs)


def main():
    app = create_app()
    with app.app_context(), app.test_request_context():
        database = _DatabaseTime(db.engine)
        year, quarter = outcomes.period_for("year"), outcomes.period_for("quarter")
        busiest = db.session.scalar(select(Agency.id).order_by(Agency.id).limit(1))
        cases = {
            "Dashboard, last three months": lambda: outcomes.figures(quarter),
            "Dashboard, last twelve months (the default)": lambda: outcomes.figures(year),
            "Dashboard, five years (the longest the form allows)": lambda: outcomes.figures(
                outcomes.Period(year.start.replace(year=year.start.year - 4), year.end)),
            "Dashboard, twelve months, one agency, level 3, neglect": lambda: outcomes.figures(
                year, outcomes.Filters(agency_id=busiest, level=3, category="neglect")),
            "Learning summary's figures and charts, twelve months": lambda: learning.summary_html(
                LearningSummary(vignettes=[], recommendations=None), year, outcomes.Filters()),
        }
        outcomes.figures(quarter)  # a worker that has served before
        disputes = db.session.scalar(select(func.count()).select_from(outcomes.Dispute))
        result = {name: _best(database, work) for name, work in cases.items()}
    print(json.dumps({"disputes": disputes, "cases": result}))


if __name__ == "__main__":
    main()
