"""The outcome figures are kept counted (outcomes/tallies.py): after every kind of change that
moves a dispute, the rows kept are exactly the rows a rebuild counts from the disputes, and the
figures read from them are what the disputes say."""

from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select, update

from moderation.cli import init_db, rebuild_figures
from moderation.disputes import escalating, responding, settling
from moderation.meeting import decisions
from moderation.models import (
    AgendaItem,
    Dispute,
    DisputeConcern,
    DisputeStatus,
    FigureCount,
    PanelSession,
    User,
)
from moderation.outcomes import figures as outcomes
from moderation.outcomes import tallies
from moderation.retention import job as retention_job
from moderation.retention import withdrawal
from tests.helpers import NOVEMBER_DECEMBER, statements_run


def assert_kept_as_rebuilt(db):
    """The rows kept equal the rows counted afresh from every dispute."""
    rebuilt = +tallies.contributions(Dispute.id.is_not(None))
    assert tallies.kept() == rebuilt


@pytest.fixture
def csc(make_user):
    return make_user("csc_manager")


def test_raising_settling_and_deciding_are_counted_as_they_happen(app, db, history):
    with app.app_context():
        assert_kept_as_rebuilt(db)
        f = outcomes.figures(NOVEMBER_DECEMBER)
        assert (f.raised, f.settled, f.decided) == (4, 1, 3)


def test_a_stage_answered_and_escalated_is_counted(app, db, make_dispute, make_user, csc):
    ident = make_dispute(on=date(2026, 11, 9))
    with app.app_context():
        dispute = db.session.get(Dispute, ident)
        responding.respond(dispute, db.session.get(User, csc.id), "We stand by our decision.",
                           on=date(2026, 11, 10))
        db.session.commit()
        assert_kept_as_rebuilt(db)
        escalating.escalate(dispute, dispute.referrer, on=date(2026, 11, 11))
        db.session.commit()
        assert_kept_as_rebuilt(db)


def test_an_urgent_stage_moved_on_by_the_clock_is_counted(app, db, make_dispute):
    ident = make_dispute(on=date(2026, 11, 9), immediate_risk=True)
    with app.app_context():
        dispute = db.session.get(Dispute, ident)
        escalating.move_on_urgent_stages(now=dispute.current_stage.due_at + timedelta(minutes=1))
        db.session.commit()
        assert_kept_as_rebuilt(db)
        assert outcomes.figures(NOVEMBER_DECEMBER).urgent_route["stages"][0]["closed"] == 1


def test_csc_correcting_its_record_moves_the_mismatches(app, db, make_dispute):
    ident = make_dispute(on=date(2026, 11, 9), referrer_intent="referral",
                         told_recorded_as="contact")
    with app.app_context():
        assert outcomes.figures(NOVEMBER_DECEMBER).mismatches == 1
        db.session.get(Dispute, ident).csc_recorded_as = "referral"
        db.session.commit()
        assert_kept_as_rebuilt(db)
        assert outcomes.figures(NOVEMBER_DECEMBER).mismatches == 0


def test_a_concern_added_counts_in_its_category(app, db, make_dispute):
    ident = make_dispute(on=date(2026, 11, 9), concern_categories=["neglect"])
    with app.app_context():
        dispute = db.session.get(Dispute, ident)
        dispute.concerns.append(DisputeConcern(category="sexual_abuse"))
        db.session.commit()
        assert_kept_as_rebuilt(db)
        by_category = outcomes.figures(NOVEMBER_DECEMBER, outcomes.Filters(
            category="sexual_abuse"))
        assert by_category.raised == 1


def test_a_settlement_the_referrer_confirms_is_counted(app, db, make_dispute, csc):
    ident = make_dispute(on=date(2026, 11, 9))
    with app.app_context():
        dispute = db.session.get(Dispute, ident)
        settling.settle(dispute, db.session.get(User, csc.id), "child_and_family_assessment",
                        "Assessment agreed.", on=date(2026, 11, 12))
        db.session.commit()
        assert_kept_as_rebuilt(db)
        assert outcomes.figures(NOVEMBER_DECEMBER).settled == 1


def test_a_withdrawal_and_the_retention_run_are_counted(app, db, make_dispute, make_user):
    open_one = make_dispute(on=date(2026, 11, 9))
    manager = make_user("partnership_manager")
    with app.app_context():
        withdrawal.withdraw(db.session.get(Dispute, open_one), db.session.get(User, manager.id),
                            "The family moved away.", date(2026, 11, 20))
        db.session.commit()
        assert_kept_as_rebuilt(db)
        before = outcomes.figures(NOVEMBER_DECEMBER).as_data()
        assert before["withdrawn"] == 1
    with app.app_context():
        retention_job.run(date(2053, 1, 1))  # every record due: anonymised or withdrawn
        assert db.session.get(Dispute, open_one).anonymised_on
        assert_kept_as_rebuilt(db)
        assert outcomes.figures(NOVEMBER_DECEMBER).as_data() == before


def test_a_deferral_and_a_decision_on_a_later_panel_are_counted(app, db, panel_meeting):
    m = panel_meeting()
    with app.app_context():
        item = db.session.get(PanelSession, m.session_id).agenda[0]
        decisions.defer(item, db.session.get(User, m.chair.id), "CSC's record is missing.")
        db.session.commit()
        assert_kept_as_rebuilt(db)
        assert outcomes.figures(NOVEMBER_DECEMBER).decided == 0


def test_a_set_based_change_is_counted(app, db, make_dispute):
    """A bulk UPDATE (as the retention schedule makes) is seen before it runs."""
    ident = make_dispute(on=date(2026, 11, 9))
    with app.app_context():
        db.session.execute(update(Dispute).where(Dispute.id == ident).values(
            status=DisputeStatus.WITHDRAWN, withdrawn_on=date(2026, 11, 30)))
        db.session.commit()
        assert_kept_as_rebuilt(db)
        assert outcomes.figures(NOVEMBER_DECEMBER).withdrawn == 1


def test_a_set_based_change_no_figure_reads_is_not_counted_again(app, db, make_dispute):
    """Anonymising a batch sets only what no figure reads: the keeper leaves it alone."""
    ident = make_dispute(on=date(2026, 11, 9))
    with app.app_context(), statements_run(app) as statements:
        db.session.execute(update(Dispute).where(Dispute.id == ident).values(
            referral_summary="Removed under the retention schedule."))
        db.session.commit()
    # Only the UPDATE: the dispute is not counted before and after.
    assert [s.split()[0] for s in statements] == ["UPDATE"]
    with app.app_context():
        assert_kept_as_rebuilt(db)


def test_a_change_rolled_back_counts_nothing(app, db, make_dispute):
    ident = make_dispute(on=date(2026, 11, 9))
    with app.app_context():
        dispute = db.session.get(Dispute, ident)
        dispute.settled_on, dispute.status = date(2026, 11, 10), DisputeStatus.SETTLED
        db.session.flush()
        db.session.rollback()
        db.session.commit()
        assert_kept_as_rebuilt(db)
        assert outcomes.figures(NOVEMBER_DECEMBER).settled == 0


def test_two_changes_in_one_transaction_count_once(app, db, make_dispute):
    ident = make_dispute(on=date(2026, 11, 9))
    with app.app_context():
        dispute = db.session.get(Dispute, ident)
        dispute.level_of_need = 4
        db.session.flush()
        dispute.level_of_need = 2
        db.session.flush()
        db.session.commit()
        assert_kept_as_rebuilt(db)
        assert outcomes.figures(NOVEMBER_DECEMBER, outcomes.Filters(level=2)).raised == 1
        assert outcomes.figures(NOVEMBER_DECEMBER, outcomes.Filters(level=4)).raised == 0


def test_the_rebuild_command_counts_the_figures_again(app, db, history):
    with app.app_context():
        kept = tallies.kept()
        db.session.execute(update(FigureCount).values(count=FigureCount.count + 7))
        db.session.commit()
    result = CliRunner().invoke(rebuild_figures, obj=app_script_info(app))
    assert result.exit_code == 0, result.output
    assert "Figures counted again from 4 disputes." in result.output
    with app.app_context():
        assert tallies.kept() == kept


def test_upgrading_a_database_that_holds_disputes_counts_its_figures(app, db, history):
    with app.app_context():
        kept = tallies.kept()
        db.session.execute(delete(FigureCount))
        db.session.commit()
    result = CliRunner().invoke(init_db, obj=app_script_info(app))
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert tallies.kept() == kept
        assert db.session.scalar(select(func.count()).select_from(AgendaItem)) == 3


def test_the_figures_read_no_dispute_whatever_the_period(app, db, history):
    """Any period and filter is the same handful of statements over the kept rows."""
    with app.app_context():
        for period in (NOVEMBER_DECEMBER, outcomes.Period(date(2016, 1, 1),
                                                          date(2026, 12, 31))):
            with statements_run(app) as statements:
                outcomes.figures(period, outcomes.Filters(level=3))
            assert len(statements) <= 10
            assert not [s for s in statements if " dispute" in s.lower()]


def app_script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)

