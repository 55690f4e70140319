"""Anonymising disputes on the retention schedule (rule 15): exactly on the due date, never the
day before, never under a legal hold; the child's details and the case's free text gone from
every table, documents and the chair's notes deleted; every figure and learning summary the
same as before."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from moderation.disputes import child_identifiers, papers, responding, settling
from moderation.disputes.documents import services as dispute_documents
from moderation.meeting import decisions, voting
from moderation.meeting import register as meeting
from moderation.models import (
    AgendaItem,
    Dispute,
    DisputeAddition,
    DisputeDocument,
    DisputeStage,
    ItemNote,
    LearningTheme,
    LegalHold,
    PanelSession,
    RetentionRun,
    User,
)
from moderation.outcomes import figures as outcomes
from moderation.outcomes import learning
from moderation.panels import agenda
from moderation.papers import notes
from moderation.retention import anonymise, job, schedule
from moderation.web.boundary import Refusal
from tests.conftest import client_for, csc_record, page, pdf_pages, url
from tests.helpers import NOVEMBER_DECEMBER

# The history fixture's children (born 14 March 2021) turn 25 on 14 March 2046, long after the
# six years from their disputes closing in November and December 2026.
HISTORY_DUE = date(2046, 3, 14)


def anonymised_on(app, db, dispute_id):
    with app.app_context():
        return db.session.get(Dispute, dispute_id).anonymised_on


def run(app, today):
    with app.app_context():
        return job.run(today).counts


# The due date, in SQL as in Python ------------------------------------------------------------


@pytest.mark.parametrize("years", [6, 25])
def test_the_cut_off_is_the_last_day_whose_anniversary_has_come(years):
    """Every day of three years around two 29 Februarys: the cut-off's anniversary (add_years,
    with its 29 February rule) has come, the next day's has not."""
    day = date(2027, 1, 1)
    while day < date(2030, 1, 1):
        cut_off = anonymise.last_day_reaching(day, years)
        assert schedule.add_years(cut_off, years) <= day
        assert schedule.add_years(cut_off + timedelta(days=1), years) > day
        day += timedelta(days=1)


@pytest.mark.parametrize(("born", "settled_on", "due_on"), [
    # Six years after closing is later than the 25th birthday.
    (date(2003, 6, 1), date(2026, 11, 25), date(2032, 11, 25)),
    # The 25th birthday is later than six years after closing.
    (date(2021, 3, 14), date(2026, 11, 25), date(2046, 3, 14)),
    # Born on 29 February: 25 on 28 February of a common year.
    (date(2008, 2, 29), date(2026, 11, 25), date(2033, 2, 28)),
    # Settled on 29 February 2028: six years on is 28 February 2034.
    (date(2003, 6, 1), date(2028, 2, 29), date(2034, 2, 28)),
], ids=["six-years", "25th-birthday", "born-29-february", "settled-29-february"])
def test_a_settled_dispute_is_anonymised_on_its_due_date_and_not_the_day_before(
        app, db, settled_dispute, born, settled_on, due_on):
    dispute_id = settled_dispute(child_dob=born, settled_on=settled_on)
    with app.app_context():
        dispute = db.session.get(Dispute, dispute_id)
        assert schedule.dispute_due_on(dispute.settled_on, dispute.child_dob,
                                       schedule.rule("disputes")) == due_on
    assert run(app, due_on - timedelta(days=1))["disputes_anonymised"] == 0
    assert anonymised_on(app, db, dispute_id) is None
    assert run(app, due_on)["disputes_anonymised"] == 1
    assert anonymised_on(app, db, dispute_id) == due_on


def test_a_decided_dispute_closes_on_the_panels_decision(app, db, history):
    """Decided on 8 December 2026; a child born in 2000 is 25 well before, so it is due six
    years after the decision."""
    with app.app_context():
        for dispute_id in history.dispute_ids:
            db.session.get(Dispute, dispute_id).child_dob = date(2000, 1, 1)
        db.session.commit()
    assert run(app, date(2032, 12, 7))["disputes_anonymised"] == 0
    assert run(app, date(2032, 12, 8))["disputes_anonymised"] == 3
    assert [anonymised_on(app, db, d) for d in history.dispute_ids] == [date(2032, 12, 8)] * 3


def test_a_held_dispute_is_skipped_until_its_hold_is_released(app, db, settled_dispute,
                                                               make_user):
    manager = make_user("partnership_manager")
    due_on = date(2046, 3, 14)
    held, free = settled_dispute(), settled_dispute(child_name="Isla Brown")
    with app.app_context():
        hold = LegalHold(dispute_id=held, reason="A practice review uses this case",
                         placed_by_id=manager.id)
        db.session.add(hold)
        db.session.commit()
        hold_id = hold.id
    counts = run(app, due_on)
    assert (counts["disputes_anonymised"], counts["held_skipped"]) == (1, 1)
    assert anonymised_on(app, db, held) is None
    assert anonymised_on(app, db, free) == due_on
    with app.app_context():
        assert db.session.get(Dispute, held).child_name == "Amelia Jones"
        hold = db.session.get(LegalHold, hold_id)
        hold.released_at = datetime(2046, 4, 1, tzinfo=UTC)
        hold.released_by_id, hold.release_reason = manager.id, "The review has reported"
        db.session.commit()
    counts = run(app, date(2046, 4, 2))
    assert (counts["disputes_anonymised"], counts["held_skipped"]) == (1, 0)
    with app.app_context():
        hold = db.session.get(LegalHold, hold_id)
        removed = "[removed under the retention schedule on 2 April 2046]"
        assert (hold.reason, hold.release_reason) == (removed, removed)


def test_disputes_go_in_batches_each_kept_when_a_later_one_fails(app, db, settled_dispute,
                                                                  monkeypatch):
    ids = [settled_dispute(child_name=f"Child {n} Jones") for n in range(5)]
    monkeypatch.setattr(anonymise, "BATCH", 2)
    batches, real = [], anonymise.anonymise

    def third_fails(dispute_ids, today):
        batches.append(list(dispute_ids))
        if len(batches) == 3:
            raise RuntimeError("the database went away")
        return real(dispute_ids, today)

    monkeypatch.setattr(anonymise, "anonymise", third_fails)
    with pytest.raises(RuntimeError):
        run(app, HISTORY_DUE)
    assert batches == [ids[:2], ids[2:4], ids[4:]]
    assert [anonymised_on(app, db, i) for i in ids] == [HISTORY_DUE] * 4 + [None]
    with app.app_context():
        [started] = db.session.scalars(select(RetentionRun)).all()
        assert started.finished_at is None  # the report shows a run that did not finish
    monkeypatch.setattr(anonymise, "anonymise", real)
    assert run(app, HISTORY_DUE)["disputes_anonymised"] == 1  # the next run goes on


# What anonymising removes, and what it keeps --------------------------------------------------

CHILD = {"child_name": "Zephyrine Quillfeather", "child_dob": date(2001, 3, 3),
         "child_case_number": "QX-771942"}
OTHER_CHILD = {"child_name": "Marigold Thistlewood", "child_dob": date(2019, 7, 9),
               "child_case_number": "QX-552310"}
# Six years after the panel's decision of 8 December 2026: the first child is long past 25,
# the other is 13.
DUE = date(2032, 12, 8)
REMOVED = "[removed under the retention schedule on 8 December 2032]"
NAMED = "Zephyrine Quillfeather"


def _decide(app, db, m):
    """Freeze the agenda, the chair's note on the child's item, and a decision on each item."""
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        chair = db.session.get(User, m.chair.id)
        agenda.freeze(session, chair)
        [item] = [item for item in session.agenda if item.dispute_id == m.dispute_ids[0]]
        notes.save(item, chair, f"Ask CSC about {NAMED}'s school.")
        entries = {m.members[rep.id]: ("present", True) for rep in m.reps.values()}
        entries[m.members[m.chair.id]] = ("present", True)
        meeting.record_attendance(session, chair, entries)
        meeting.start(session, chair)
        theme = db.session.scalars(select(LearningTheme.id)).first()
        for item in session.agenda:
            voting.open_voting(item, chair)
            for rep in m.reps.values():
                voting.cast_vote(item, db.session.get(User, rep.id), "upheld", "Reason")
            voting.close_voting(item, chair)
            decisions.record_decision(item, chair, rationale="R", feedback="F",
                                      theme_ids=[theme])
        db.session.commit()


@pytest.fixture
def one_childs_case(app, db, panel_meeting, make_user, make_dispute):
    """Everything the product keeps about one child, typed by the people who would type it:
    a dispute the panel decided (new information, a document named after the child, the
    chair's note) and an earlier one CSC settled (its record, response and settlement note all
    naming the child); and another child's dispute on the same agenda, not yet due."""
    m = panel_meeting(disputes=(CHILD, OTHER_CHILD), frozen=False, started=False)
    csc = make_user("csc_manager")
    earlier = make_dispute(on=date(2026, 11, 23), **CHILD,
                           referral_summary=f"{NAMED} (born 3 March 2001) was seen bruised.")
    with app.app_context():
        referrer = db.session.get(User, m.referrer.id)
        decided = db.session.get(Dispute, m.dispute_ids[0])
        addition = papers.add_information(decided, referrer, f"{NAMED} has moved school.")
        dispute_documents.attach(decided, referrer, "chronology", f"{NAMED} chronology.txt",
                                 f"Chronology for {NAMED}, QX-771942\n".encode(), addition)
        settled = db.session.get(Dispute, earlier)
        manager = db.session.get(User, csc.id)
        responding.confirm_decision(settled, manager, "contact", "no_further_action", csc_record(
            rationale=f"{NAMED}'s needs were met by universal services."))
        responding.respond(settled, manager, f"We will see {NAMED} at home.")
        settling.settle(settled, manager, "child_and_family_assessment",
                        f"Assessment of {NAMED} agreed.", on=date(2026, 11, 25))
        db.session.add(LegalHold(dispute_id=earlier, reason="A practice review",
                                 placed_by_id=csc.id, released_by_id=csc.id,
                                 released_at=datetime(2027, 1, 5, tzinfo=UTC),
                                 release_reason="The review reported"))
        db.session.commit()
    _decide(app, db, m)
    return {"decided": m.dispute_ids[0], "settled": earlier, "other": m.dispute_ids[1],
            "meeting": m}


def test_anonymising_removes_the_child_and_the_case_free_text_and_deletes_documents(
        app, db, one_childs_case):
    case = one_childs_case
    counts = run(app, DUE)
    assert (counts["disputes_anonymised"], counts["documents_deleted"]) == (2, 1)
    with app.app_context():
        for dispute_id in (case["decided"], case["settled"]):
            dispute = db.session.get(Dispute, dispute_id)
            assert (dispute.child_name, dispute.child_name_key, dispute.child_dob,
                    dispute.child_case_number) == (None, None, None, None)
            assert dispute.anonymised_on == DUE and dispute.child_initials == ""
            assert dispute.referral_summary == dispute.grounds == REMOVED
            # Kept for the figures: its reference, dates, status, outcome and categories.
            assert dispute.reference and dispute.raised_on and dispute.concern_categories
        settled = db.session.get(Dispute, case["settled"])
        assert settled.told_reasons == settled.settlement_note == settled.csc_rationale == \
            REMOVED
        assert (settled.status, settled.settled_on) == ("settled", date(2026, 11, 25))
        assert settled.settlement_outcome == "child_and_family_assessment"
        responses = db.session.scalars(select(DisputeStage.response).where(
            DisputeStage.dispute_id == case["settled"], DisputeStage.response.is_not(None)))
        assert responses.all() == [REMOVED]
        skipped = db.session.scalars(select(DisputeStage.skip_reason).where(
            DisputeStage.dispute_id == case["decided"], DisputeStage.skip_reason.is_not(None)))
        assert set(skipped) == {REMOVED}
        assert db.session.scalars(select(DisputeAddition.text)).all() == [REMOVED]
        [hold] = db.session.scalars(select(LegalHold)).all()
        assert (hold.reason, hold.release_reason) == (REMOVED, REMOVED)
        assert db.session.scalars(select(DisputeDocument)).all() == []
        assert db.session.scalars(select(ItemNote)).all() == []
        # The other child, not yet due, keeps everything.
        other = db.session.get(Dispute, case["other"])
        assert (other.child_name, other.anonymised_on) == ("Marigold Thistlewood", None)
        assert other.grounds != REMOVED
        # The panel's own record stays: the decisions and their votes.
        decided = db.session.get(Dispute, case["decided"])
        assert decided.status == "decided"
        item = db.session.scalars(select(AgendaItem).where(
            AgendaItem.dispute_id == case["decided"])).one()
        assert item.decision.outcome == "upheld" and len(item.votes) == 3


def test_no_table_holds_the_anonymised_childs_details_but_the_other_child_keeps_theirs(
        app, db, one_childs_case, whole_database):
    child = ("Zephyrine", "Quillfeather", NAMED, "QX-771942", "771942", "2001-03-03",
             "3 March 2001")
    other = ("Marigold Thistlewood", "QX-552310", "2019-07-09")
    before = whole_database.find(*child, *other)
    assert set(before) == set(child) | set(other), "the case must hold every detail first"
    run(app, DUE)
    after = whole_database.find(*child, *other)
    assert not set(child) & set(after), {needle: after[needle] for needle in child
                                         if needle in after}
    assert set(after) == set(other)
    assert "dispute.child_name" in after["Marigold Thistlewood"]


def test_the_dispute_page_says_the_childs_details_were_removed_and_when(
        app, db, one_childs_case, make_user):
    run(app, DUE)
    manager = client_for(app, make_user("partnership_manager"))
    response = manager.get(url(app, "disputes.show", dispute_id=one_childs_case["settled"]))
    html = page(response)
    rows = {row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(strip=True)
            for row in html.select(".govuk-summary-list__row")}
    removed = "Removed under the retention schedule on 8 December 2032"
    assert (rows["Name"], rows["Date of birth"], rows["Case number"]) == (removed,) * 3
    assert rows["Summary"] == rows["Grounds"] == REMOVED
    assert NAMED not in response.text and "Zephyrine" not in response.text


def test_the_panels_typed_text_is_checked_only_against_children_not_anonymised(
        app, db, one_childs_case):
    run(app, DUE)
    m = one_childs_case["meeting"]
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        chair = db.session.get(User, m.chair.id)
        # The anonymised child has no details left to find; the other child's still refuse.
        child_identifiers.refuse_on_agenda(session, [("Text", "text", "Quillfeather")], chair)
        with pytest.raises(Refusal):
            child_identifiers.refuse_on_agenda(session, [("Text", "text", "Thistlewood")], chair)


# Figures and learning summaries stay the same -------------------------------------------------


def _summary_now(app, db, manager_id):
    """The period's figures, suggested vignettes and learning summary (HTML and PDF text)."""
    with app.app_context(), app.test_request_context():
        filters = outcomes.Filters()
        figures = outcomes.figures(NOVEMBER_DECEMBER, filters).as_data()
        found = learning.candidates(NOVEMBER_DECEMBER, filters)
        summary = learning.generate(db.session.get(User, manager_id), NOVEMBER_DECEMBER,
                                    filters, [found[0]["text"]], "Share the guidance.")
        html = learning.summary_html(summary, NOVEMBER_DECEMBER, filters)
        pdf_text = pdf_pages(summary.pdf)
        db.session.commit()
        return figures, found, html, pdf_text


def test_figures_and_a_learning_summary_are_the_same_after_anonymising(app, db, history,
                                                                        make_user):
    manager = make_user("partnership_manager")
    before = _summary_now(app, db, manager.id)
    assert before[0]["decided"] == 3 and before[0]["settled_by_stage"]
    with time_machine.travel(datetime(2046, 3, 14, 2, tzinfo=UTC), tick=False):
        assert run(app, HISTORY_DUE)["disputes_anonymised"] == 4
    with app.app_context():
        assert db.session.scalar(select(Dispute.child_name).where(
            Dispute.anonymised_on.is_(None))) is None
    after = _summary_now(app, db, manager.id)
    assert after[0] == before[0]
    assert after[1] == before[1]
    assert after[2] == before[2]
    assert after[3] == before[3]
