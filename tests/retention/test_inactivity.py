"""Open disputes with no activity (issue #24, point 7): each dispute's last activity is stamped
by whatever happens to it, and not by what is only kept about it; the partnership manager's list
names the open disputes untouched for the schedule's period (12 months, set on the schedule
page), the longest untouched first, paged, linked from the retention pages and their home page
when there are some; from it each is withdrawn or held."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy import select

from moderation import create_app
from moderation.config import TestConfig
from moderation.disputes import escalating, papers, responding, settling
from moderation.disputes.documents import services as documents
from moderation.models import Dispute, LegalHold, PanelSession, User
from moderation.panels import agenda
from moderation.retention import holds
from tests.helpers import counting_queries, heading

RAISED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LATER = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)


def last_activity(app, db, dispute_id):
    with app.app_context():
        return db.session.get(Dispute, dispute_id).last_activity_at


# What counts as activity ----------------------------------------------------------------------


def _respond(dispute, people):
    responding.respond(dispute, people["csc"], "CSC's view is unchanged.")


def _escalate(dispute, people):
    escalating.escalate(dispute, people["referrer"], to_position=4, skip_reason="Both agreed.",
                        on=LATER.date())


def _add_information(dispute, people):
    papers.add_information(dispute, people["referrer"], "The nursery reports more absences.")


def _attach(dispute, people):
    documents.attach(dispute, people["referrer"], "chronology", "Chronology.txt",
                     b"Week 1: home visit.\n")


def _propose_settlement(dispute, people):
    _respond(dispute, people)
    settling.propose_settlement(dispute, people["csc"], "information_or_advice",
                                "The referrer accepted the advice.", on=LATER.date())


def _confirm_record(dispute, people):
    from tests.conftest import csc_record

    responding.confirm_decision(dispute, people["csc"], "contact", "no_further_action",
                                csc_record(), on=LATER.date())


ACTIVITY = {"answered at its stage": _respond, "escalated to the panel": _escalate,
            "given new information": _add_information, "given a document": _attach,
            "settled on the referrer's acceptance": _propose_settlement,
            "CSC's record confirmed": _confirm_record}


@pytest.fixture
def raised_and_people(app, db, make_dispute, make_user):
    with time_machine.travel(RAISED, tick=False):
        referrer = make_user("referrer")
        csc = make_user("csc_manager")
        dispute_id = make_dispute(referrer)
    return dispute_id, {"referrer": referrer.id, "csc": csc.id}


@pytest.mark.parametrize("what", ACTIVITY)
def test_whatever_happens_to_a_dispute_is_its_last_activity(app, db, raised_and_people, what):
    dispute_id, people = raised_and_people
    assert last_activity(app, db, dispute_id) == RAISED
    with time_machine.travel(LATER, tick=False), app.app_context():
        ACTIVITY[what](db.session.get(Dispute, dispute_id),
                       {role: db.session.get(User, ident) for role, ident in people.items()})
        db.session.commit()
    assert last_activity(app, db, dispute_id) == LATER


def test_a_place_on_an_agenda_is_activity_and_its_order_is_not(app, db, queue_disputes,
                                                               make_session, make_user):
    chair = make_user("chair")
    with time_machine.travel(RAISED, tick=False):
        first, second = queue_disputes({}, {"child_name": "Isla Brown"})
        session_id = make_session()
        with app.app_context():
            session = db.session.get(PanelSession, session_id)
            for dispute_id in (first, second):
                agenda.add_item(session, db.session.get(User, chair.id), dispute_id)
            db.session.commit()
    with time_machine.travel(LATER, tick=False), app.app_context():
        session = db.session.get(PanelSession, session_id)
        agenda.move_item(session, session.agenda[1], -1)  # the chair reorders the draft
        db.session.commit()
    assert [last_activity(app, db, d) for d in (first, second)] == [RAISED, RAISED]


def test_a_legal_hold_and_reading_the_dispute_are_not_activity(app, db, as_, raised_and_people,
                                                               make_user):
    dispute_id, _ = raised_and_people
    manager = make_user("partnership_manager")
    with time_machine.travel(LATER, tick=False):
        with app.app_context():
            holds.place(db.session.get(Dispute, dispute_id), db.session.get(User, manager.id),
                        "A practice review uses it.")
            db.session.commit()
        shown = as_(manager).get("disputes.show", dispute_id=dispute_id)
        assert heading(shown) == f"Dispute D-2026-{dispute_id:04d}"
    assert last_activity(app, db, dispute_id) == RAISED


# The list --------------------------------------------------------------------------------------

# The list's tests run on_a_monday, 23 November 2026 at 09:00.
CUT_OFF = datetime(2025, 11, 23, tzinfo=UTC)  # twelve months before today, at midnight


@pytest.fixture
def untouched(app, db, make_dispute):
    """Raise a dispute and make its last activity `at`; returns its id."""

    def make(at, **changes):
        dispute_id = make_dispute(**changes)
        with app.app_context():
            db.session.execute(sa.update(Dispute).where(Dispute.id == dispute_id)
                               .values(last_activity_at=at))
            db.session.commit()
        return dispute_id

    return make


def rows(page):
    return [[" ".join(cell.get_text(" ", strip=True).split()) for cell in row.select("td")]
            for row in page.select("#inactive-disputes tbody tr")]


def test_the_list_names_open_disputes_untouched_for_twelve_months_oldest_first(
        on_a_monday, app, db, pm, pm_request, untouched, settled_dispute, make_user):
    oldest = untouched(datetime(2024, 5, 2, tzinfo=UTC))
    just_past = untouched(CUT_OFF - timedelta(seconds=1), child_name="Isla Brown")
    untouched(CUT_OFF)  # exactly twelve months: not yet
    held = untouched(datetime(2024, 1, 1, tzinfo=UTC))
    closed = settled_dispute()
    with app.app_context():
        db.session.add(LegalHold(dispute_id=held, reason="A review", placed_by_id=pm.id))
        db.session.execute(sa.update(Dispute).where(Dispute.id == closed)
                           .values(last_activity_at=datetime(2024, 1, 1, tzinfo=UTC)))
        db.session.commit()

    response = pm_request.get("retention.inactive")
    assert heading(response) == "Open disputes with no activity"
    assert " ".join(response.find("caption").get_text().split()) == (
        "2 open disputes with no activity for 12 months")
    agency = rows(response)[0][2]
    assert rows(response) == [
        [f"D-2026-{oldest:04d} Raised 23 November 2026", "In escalation", agency,
         "2 May 2024", f"Withdraw D-2026-{oldest:04d} Hold D-2026-{oldest:04d}"],
        [f"D-2026-{just_past:04d} Raised 23 November 2026", "In escalation", rows(response)[1][2],
         "22 November 2025", f"Withdraw D-2026-{just_past:04d} Hold D-2026-{just_past:04d}"],
    ]


def test_withdrawing_or_holding_from_the_list_takes_the_dispute_off_it(
        on_a_monday, app, db, pm_request, untouched):
    first = untouched(datetime(2024, 5, 2, tzinfo=UTC))
    second = untouched(datetime(2024, 6, 2, tzinfo=UTC), child_name="Isla Brown")
    listed = pm_request.get("retention.inactive")
    links = {a.get_text(" ", strip=True): a["href"] for a in listed.select("tbody a")}
    pm_request.post_url(links[f"Withdraw D-2026-{first:04d}"], {"reason": "Nobody took it on."})
    pm_request.post_url(links[f"Hold D-2026-{second:04d}"],
                        {"reason": "A practice review uses it."})
    after = pm_request.get("retention.inactive")
    assert rows(after) == []
    assert after.find(id="none-inactive").get_text(" ", strip=True) == (
        "No open dispute has gone 12 months without activity.")
    with app.app_context():
        assert db.session.get(Dispute, first).status == "withdrawn"
        assert db.session.get(Dispute, second).status == "escalating"


@pytest.mark.parametrize("app_config", [{"LIST_PAGE_SIZE": 2}])
def test_the_list_is_paged(on_a_monday, app, db, pm_request, untouched):
    ids = [untouched(datetime(2024, 1, day, tzinfo=UTC), child_name=f"Child {day} Jones")
           for day in (1, 2, 3)]
    first = rows(pm_request.get("retention.inactive"))
    second = rows(pm_request.get("retention.inactive", page=2))
    assert [row[0].split()[0] for row in first + second] == [f"D-2026-{i:04d}" for i in ids]
    assert len(first) == 2


def test_the_list_runs_the_same_queries_for_few_or_many_rows(
        on_a_monday, app, db, pm_request, untouched):
    untouched(datetime(2024, 1, 1, tzinfo=UTC))
    pm_request.get("retention.inactive")
    with counting_queries(app) as few:
        pm_request.get("retention.inactive")
    for day in range(2, 8):
        untouched(datetime(2024, 1, day, tzinfo=UTC), child_name=f"Child {day} Jones")
    with counting_queries(app) as many:
        assert len(rows(pm_request.get("retention.inactive"))) == 7
    assert many["n"] == few["n"]


def test_the_home_page_and_the_retention_pages_lead_to_the_list(
        on_a_monday, app, db, pm_request, untouched, make_user):
    home = pm_request.get("home.partnership")
    assert home.find(id="inactive-disputes") is None
    untouched(datetime(2024, 1, 1, tzinfo=UTC))
    home = pm_request.get("home.partnership")
    notice = home.find(id="inactive-disputes")
    assert " ".join(notice.get_text(" ", strip=True).split()) == (
        "1 open dispute has had no activity for 12 months or more. Withdraw or hold it .")
    assert notice.find("a")["href"] == pm_request.url("retention.inactive")
    schedule = pm_request.get("retention.schedule")
    assert schedule.find("a", string="Open disputes with no activity")["href"] == \
        pm_request.url("retention.inactive")


@pytest.mark.parametrize("role", ["data_protection_officer", "chair", "csc_manager", "referrer"])
def test_only_the_partnership_manager_reads_the_list(as_, make_user, untouched, role):
    untouched(datetime(2024, 1, 1, tzinfo=UTC))
    response = as_(make_user(role)).get("retention.inactive", _expected_status=403)
    assert heading(response) == "You do not have access to this page"


def test_the_period_is_set_on_the_schedule_and_a_shorter_one_lists_more(
        on_a_monday, app, db, pm_request, untouched):
    untouched(datetime(2026, 4, 1, tzinfo=UTC))  # under eight months
    assert rows(pm_request.get("retention.inactive")) == []
    form = pm_request.get("retention.edit_rule", kind="inactive_disputes")
    assert form.find("label", {"for": "keep_for"}).get_text(strip=True) == \
        "Months with no activity before an open dispute is listed"
    assert form.find(id="keep_for")["value"] == "12"
    assert form.find(id="until_age") is None
    assert " ".join(form.select_one(".govuk-warning-text__text").get_text(" ", strip=True)
                    .split()) == ("Warning A shorter period lists at once the open disputes "
                                  "already past it, for you to withdraw or hold.")
    response = pm_request.post("retention.edit_rule",
                               {"keep_for": "6", "reason": "Six months is enough."},
                               _follow_redirects=True, kind="inactive_disputes")
    assert [" ".join(b.get_text(" ", strip=True).split())
            for b in response.select(".govuk-notification-banner__content")] == [
        "The rule for open disputes with no activity has been changed. The period is now "
        "shorter: the open disputes already past it are listed for review at once."]
    listed = pm_request.get("retention.inactive")
    assert len(rows(listed)) == 1
    assert "no activity for 6 months" in listed.find("caption").get_text()


# The migration: existing disputes start from their latest recorded moment --------------------

BEFORE = "b1945d6074d4"


def _migrated(url):
    from flask_migrate import upgrade

    from moderation.extensions import db

    app = create_app(type("Older", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    return app, upgrade, db


def _insert(connection, table, **values):
    """A row with `values`, every other required column given a plain value of its type."""
    reflected = sa.Table(table, sa.MetaData(), autoload_with=connection)
    row = {}
    for column in reflected.columns:
        if column.name in values or column.nullable or column.primary_key:
            continue
        row[column.name] = _plain(column.type)
    row.update(values)
    return connection.execute(reflected.insert().values(**row)).inserted_primary_key[0]


def _plain(kind):
    if isinstance(kind, sa.DateTime):
        return datetime(2020, 1, 1, tzinfo=UTC)
    if isinstance(kind, sa.Date):
        return date(2020, 1, 1)
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 1
    return "x"


def test_the_upgrade_gives_each_dispute_its_latest_recorded_moment(empty_database):
    """From an empty database at the revision before this one."""
    app, upgrade, db = _migrated(empty_database)
    raised, answered, added = (datetime(2024, 3, 1, 9, tzinfo=UTC),
                               datetime(2024, 3, 5, 14, tzinfo=UTC),
                               datetime(2024, 4, 2, 11, tzinfo=UTC))
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            agency = _insert(connection, "agency", name="Health", kind="health")
            user = _insert(connection, "user", agency_id=agency, email="a@example.org")
            # Every dispute held has the child's date of birth (migration f2b8d4a6c1e7's CHECK).
            quiet = _insert(connection, "dispute", referrer_id=user, referring_agency_id=agency,
                            raised_at=raised, status="escalating", reference="D-1",
                            child_dob=date(2020, 1, 1))
            busy = _insert(connection, "dispute", referrer_id=user, referring_agency_id=agency,
                           raised_at=raised, status="queued", reference="D-2",
                           child_dob=date(2020, 1, 1))
            _insert(connection, "dispute_stage", dispute_id=busy, position=1,
                    opened_at=raised, responded_at=answered, closed_at=None)
            _insert(connection, "dispute_addition", dispute_id=busy, author_id=user,
                    added_at=added)
        upgrade()
        found = dict(db.session.execute(select(Dispute.id, Dispute.last_activity_at)).all())
        stages = db.session.scalar(sa.text("SELECT count(*) FROM dispute_stage"))
        rule = db.session.execute(sa.text(
            "SELECT kind, keep_for, unit FROM retention_rule WHERE position = 2")).one()
        db.session.remove()
        db.engine.dispose()
    assert found == {quiet: raised, busy: added}
    assert stages == 1  # batch mode's copy of the dispute table kept the rows that refer to it
    assert tuple(rule) == ("inactive_disputes", 12, "months")
