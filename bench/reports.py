"""PDF reports against bare WeasyPrint: the minutes of a 12-item session, and a learning summary
over a year of 1,000 disputes. Run from the repository root:

    .venv/bin/python bench/reports.py [DATABASE_URL]

bench/run.py calls measure() on SQLite and PostgreSQL. Each report is timed end to end as the
app makes it (data, template, WeasyPrint), then WeasyPrint alone renders the same final HTML;
the ratio is the application's own overhead, and the time the app takes to build that HTML (its
queries and template) is given too. Times are the best of several runs taken in turns, on a
throw-away SQLite file unless a database is named (it must be empty: the schema is created
here).
"""

import random
import secrets
import sys
import tempfile
import time
from datetime import date
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from moderation import create_app  # noqa: E402
from moderation.actions import services as actions  # noqa: E402
from moderation.calendar import add_working_days  # noqa: E402
from moderation.config import TestConfig  # noqa: E402
from moderation.disputes import escalating, raising  # noqa: E402
from moderation.extensions import db  # noqa: E402
from moderation.meeting import decisions, minutes, register, voting  # noqa: E402
from moderation.models import (  # noqa: E402
    Agency,
    AgencyKind,
    AgendaItem,
    LearningTheme,
    PanelDecision,
    PanelMember,
    PanelSession,
    SessionStatus,
    User,
)
from moderation.outcomes import figures as outcomes  # noqa: E402
from moderation.outcomes import learning  # noqa: E402
from moderation.panels import agenda  # noqa: E402
from moderation.web import pdf  # noqa: E402
from tests.conftest import dispute_answers  # noqa: E402

OUTCOMES = ["upheld", "overturn_s17", "overturn_s47", "step_down_early_help"]


def people():
    kinds = [(AgencyKind.HEALTH, "Health"), (AgencyKind.POLICE, "Police"),
             (AgencyKind.CSC, "Children's Social Care"), (AgencyKind.EDUCATION, "Schools")]
    agencies = {kind: Agency(name=f"Northshire {name}", kind=kind,
                             is_core=kind != AgencyKind.EDUCATION) for kind, name in kinds}
    db.session.add_all(agencies.values())

    def user(name, kind, *roles):
        person = User(name=name, email=f"{name.lower().replace(' ', '.')}@bench.example.org",
                      agency=agencies[kind], must_change_password=False)
        person.roles = roles
        db.session.add(person)
        return person

    chair = user("Chair Person", AgencyKind.HEALTH, "chair")
    reps = [user(f"{name} Rep", kind, "panel_member") for kind, name in kinds[:3]]
    referrers = [user(f"Referrer {i}", kinds[i % 4][0], "referrer") for i in range(20)]
    db.session.flush()
    # Members since before the sessions measured, so that they sit on them (rule 12).
    members = [PanelMember(user=chair, role="chair", agency=chair.agency, joined_on=SINCE,
                           calendar_token=secrets.token_urlsafe(16))]
    members += [PanelMember(user=r, role="representative", agency=r.agency, joined_on=SINCE,
                            calendar_token=secrets.token_urlsafe(16)) for r in reps]
    db.session.add_all(members)
    db.session.flush()
    return chair, reps, referrers, members


SINCE = date(2024, 1, 1)


def queued_dispute(referrer, raised_on, n):
    answers = dispute_answers(
        child_name=f"Child {n}", child_dob=date(2015, 1, 1 + n % 28),
        level_of_need=1 + n % 4, immediate_risk=n % 37 == 0,
        concern_categories=random.sample(["neglect", "domestic_abuse", "exploitation",
                                          "emotional_abuse", "physical_abuse"], 2),
        csc_decision_date=add_working_days(raised_on, -3),
        referral_date=add_working_days(raised_on, -6),
        told_recorded_as=random.choice(["contact", "referral"]))
    dispute = raising.raise_dispute(referrer, answers, on=raised_on)
    return dispute


def twelve_item_session(chair, reps, referrers, members):
    held_on = date(2026, 11, 10)
    session = PanelSession(planned_on=held_on, held_on=held_on, agenda_cutoff_on=held_on,
                           starts_at=clock(10), duration_minutes=240, capacity=12,
                           cutoff_working_days=5, place="Council House")
    db.session.add(session)
    for n in range(12):
        dispute = queued_dispute(referrers[n], date(2026, 9, 1), 10_000 + n)
        escalating.escalate(dispute, referrers[n], to_position=4, skip_reason="bench",
                            on=date(2026, 9, 8))
    db.session.flush()
    agenda.fill_from_queue(session, chair)
    agenda.freeze(session, chair)
    register.record_attendance(session, chair, {m.id: ("present", True) for m in members})
    register.start(session, chair)
    theme_ids = [t.id for t in db.session.scalars(sa.select(LearningTheme))]
    for n, item in enumerate(session.agenda):
        voting.open_voting(item, chair)
        for i, rep in enumerate(reps):
            voting.cast_vote(item, rep, OUTCOMES[(n + i) % 2], "Reasons given at length " * 6)
        voting.close_voting(item, chair)
        decisions.record_decision(item, chair, rationale="The panel's rationale. " * 8,
                                  feedback="Plain feedback. " * 6, dissent="A dissent.",
                                  theme_ids=random.sample(theme_ids, 2))
        actions.add_action(session, chair, description="Do the thing", owner_id=reps[0].id,
                           working_days=10, item=item)
    register.close(session, chair)
    return session


def year_of_disputes(chair, referrers, count=1000):
    """1,000 disputes raised over 2025, a third decided by monthly panels, a fifth settled."""
    theme_ids = [t.id for t in db.session.scalars(sa.select(LearningTheme))]
    themes = {t.id: t for t in db.session.scalars(sa.select(LearningTheme))}
    sessions = {}
    for n in range(count):
        raised_on = add_working_days(date(2025, 1, 2), n * 250 // count)
        dispute = queued_dispute(referrers[n % len(referrers)], raised_on, n)
        if n % 5 == 0:
            dispute.status, dispute.settled_on = "settled", add_working_days(raised_on, 4)
            dispute.stages[0].outcome, dispute.stages[0].closed_on = "settled", dispute.settled_on
        elif n % 3 == 0:
            month = raised_on.month
            session = sessions.get(month)
            if session is None:
                held = date(2025, month, 20) if month < 12 else date(2025, 12, 16)
                session = sessions[month] = PanelSession(
                    planned_on=held, held_on=held, agenda_cutoff_on=held, starts_at=clock(10),
                    duration_minutes=180, capacity=40, cutoff_working_days=5,
                    status=SessionStatus.MINUTES_APPROVED)
                db.session.add(session)
            item = AgendaItem(session=session, dispute=dispute, position=n, minutes=20)
            db.session.add(item)
            db.session.flush()
            outcome = OUTCOMES[n % 4]
            db.session.add(PanelDecision(
                agenda_item_id=item.id, dispute_id=dispute.id, outcome=outcome,
                method="majority", tally={outcome: 2}, dissenting_agencies=[], rationale="R",
                feedback="F", decided_on=session.held_on, recorded_by_id=chair.id,
                themes=[themes[t] for t in random.sample(theme_ids, 2)]))
            dispute.status = "decided"
        if n % 100 == 0:
            db.session.flush()


def best(step, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)


def paired_best(whole, bare, runs):
    """Best seconds of each, run in turns (each going first in every other turn) so that both
    see the same state of the machine. The best run is the one least disturbed by the rest of
    the machine (as timeit advises); medians moved by a tenth between runs here, more than the
    app's own share of the time."""
    times = {whole: [], bare: []}
    for turn in range(runs):
        for step in (whole, bare) if turn % 2 == 0 else (bare, whole):
            started = time.perf_counter()
            step()
            times[step].append(time.perf_counter() - started)
    return min(times[whole]), min(times[bare])


def measure(database_uri):
    """[(report, app seconds, bare WeasyPrint seconds, seconds building the HTML)] for both
    reports."""
    random.seed(7)
    app = create_app(type("Bench", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_uri}))
    with app.app_context():
        upgrade()
        chair, reps, referrers, members = people()
        session = twelve_item_session(chair, reps, referrers, members)
        year_of_disputes(chair, referrers)
        db.session.commit()
        draft = minutes.latest(session)
        year = outcomes.Period(date(2025, 1, 1), date(2025, 12, 31))
        with app.test_request_context():
            minutes_html = minutes.minutes_html(session, draft)
            summary = learning.LearningSummary(vignettes=[], recommendations=None,
                                               generated_by=chair)
            summary_html = learning.summary_html(summary, year, outcomes.Filters())
            rows = [
                ("Minutes, 12 items", *paired_best(
                    lambda: minutes.pdf_bytes(session, draft),
                    lambda: pdf.render(minutes_html), 7),
                 best(lambda: minutes.minutes_html(session, draft), 7)),
                ("Learning summary, a year of 1,000 disputes", *paired_best(
                    lambda: pdf.render(learning.summary_html(summary, year,
                                                             outcomes.Filters())),
                    lambda: pdf.render(summary_html), 5),
                 best(lambda: learning.summary_html(summary, year, outcomes.Filters()), 5)),
            ]
        db.session.remove()
        db.engine.dispose()
    return rows


def main():
    database = sys.argv[1] if len(sys.argv) > 1 else \
        f"sqlite:///{Path(tempfile.mkdtemp()) / 'reports.sqlite3'}"
    print("| report | app (s) | bare WeasyPrint (s) | ratio | building the HTML (s) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, whole, bare, html in measure(database):
        print(f"| {name} | {whole:.3f} | {bare:.3f} | {whole / bare:.2f}x | {html:.3f} |")


if __name__ == "__main__":
    main()
