"""The meeting as people use it: register, quorum panel, voting, the decision, actions."""

import re

import pytest
from sqlalchemy import select

from moderation.meeting import decisions, minutes, register
from moderation.models import (
    Action,
    AgendaItem,
    AuditEvent,
    LearningTheme,
    PanelMember,
    PanelSession,
    User,
)
from tests.conftest import pdf_pages
from tests.helpers import (
    Item,
    banners,
    counting_queries,
    error_summary,
    first_item,
    heading,
    open_voting_as_chair,
)


@pytest.fixture
def m(panel_meeting):
    return panel_meeting()


def _meeting(page_of, m, endpoint="meeting.show", **values):
    return page_of.url(endpoint, session_id=m.session_id, **values)


def _text(page):
    return re.sub(r"\s+", " ", page.get_text(" ", strip=True))


def _vote(person, item, outcome="overturn_s17",
          reason="The bruising pattern needs assessment"):
    return person.post_url(item("meeting.vote"), {"outcome": outcome, "reason": reason},
                           _follow_redirects=True)


def _themes(app, db):
    with app.app_context():
        return db.session.scalars(select(LearningTheme.id).order_by(LearningTheme.position)).all()


def test_the_chair_keeps_the_register_and_sees_quorum_fall_and_return(app, db, m, as_):
    chair = as_(m.chair)
    with app.app_context():
        police = db.session.scalar(select(PanelMember.id).where(
            PanelMember.user_id == m.reps["police"].id))
        deputy = m.members[m.deputy.id]
    page = chair.post("meeting.register", {f"status-{police}": "apologies"},
                      _follow_redirects=True, session_id=m.session_id)
    assert banners(page) == ["The register has been saved."]
    quorum = page.select_one("#quorum").get_text(" ", strip=True)
    assert "Not quorate" in quorum
    assert "no present, unconflicted representative of Northshire Police." in quorum
    page = chair.post("meeting.register",
                      {f"status-{deputy}": "present", f"acknowledged-{deputy}": "yes"},
                      _follow_redirects=True, session_id=m.session_id)
    assert "Quorate" in page.select_one("#quorum").get_text(" ", strip=True)


def test_a_nonsense_register_entry_changes_nothing(app, db, m, as_):
    with app.app_context():
        health = m.members[m.reps["health"].id]
    page = as_(m.chair).post("meeting.register", {f"status-{health}": "on holiday"},
                             _expected_status=200, session_id=m.session_id)
    assert error_summary(page) == ["Select present, apologies or absent for each member"]
    assert "Quorate" in page.select_one("#quorum").get_text(" ", strip=True)


def test_a_member_accepts_the_confidentiality_statement_from_their_own_account(m, as_):
    deputy = as_(m.deputy)
    page = deputy.get("meeting.show", session_id=m.session_id)
    assert "The information in the papers" in page.select_one("#acknowledge").text
    page = deputy.post("meeting.acknowledge", _follow_redirects=True, session_id=m.session_id)
    assert "You are marked present" in banners(page)[0]
    assert page.select_one("#acknowledge") is None


def test_votes_are_hidden_until_the_chair_closes_voting(app, db, m, as_):
    item, chair = open_voting_as_chair(app, db, m)
    health, police = as_(m.reps["health"]), as_(m.reps["police"])
    page = _vote(health, item)
    assert "Your vote has been recorded" in banners(page)[0]
    assert "You voted: Overturn: refer for a child and family assessment (s17)" in _text(page)
    page = police.get_url(item())
    assert "1 of 3 agencies have voted: Northshire Health" in page.response.text
    assert "The bruising pattern" not in page.response.text
    assert chair.get_url(item()).select_one("#votes") is None
    _vote(police, item, "upheld", "No new information since CSC's decision")
    page = chair.post_url(item("meeting.voting_step", step="close"), _follow_redirects=True)
    rows = [r.get_text(" ", strip=True) for r in page.select("#votes tbody tr")]
    assert len(rows) == 2
    assert "The bruising pattern needs assessment" in rows[0]
    assert "The vote is tied between" in page.response.text


def test_a_vote_after_voting_closed_gets_a_clear_message(app, db, m, as_):
    item, chair = open_voting_as_chair(app, db, m)
    csc, health = as_(m.reps["csc"]), as_(m.reps["health"])
    form_page = csc.get_url(item())  # the vote form is on screen...
    assert form_page.select_one("form[action$='/vote']") is not None
    _vote(health, item)
    chair.post_url(item("meeting.voting_step", step="close"))
    page = _vote(csc, item)  # ...and submitted after the chair closed voting
    assert error_summary(page) == [
        "Voting on this item has closed, so this vote was not recorded. Speak to the chair if "
        "you need to add something."]


def test_a_vote_needs_a_choice_and_a_reason(app, db, m, as_):
    item, _ = open_voting_as_chair(app, db, m)
    page = as_(m.reps["health"]).post_url(item("meeting.vote"), {"reason": ""},
                                          _expected_status=200)
    assert error_summary(page) == ["Select how you vote", "Enter the reason for your vote"]
    assert heading(page).startswith("Dispute")


def test_a_second_vote_from_the_same_agency_is_refused(app, db, m, as_):
    item, chair = open_voting_as_chair(app, db, m)
    health = as_(m.reps["health"])
    _vote(health, item)
    page = _vote(health, item)
    assert error_summary(page) == [
        "Northshire Health has already voted on this item. Only one vote per agency is kept."]


def test_opening_voting_without_quorum_names_the_missing_agency(app, db, m, as_):
    item = first_item(app, db, m)
    csc = as_(m.reps["csc"])
    csc.post_url(item("meeting.declare_conflict"),
                 {"conflict-nature": "I supervised the decision maker"})
    page = as_(m.chair).post_url(item("meeting.voting_step", step="open"), _expected_status=200)
    assert error_summary(page) == [
        "The panel is not quorate: no present, unconflicted representative of Northshire "
        "Children's Social Care. Voting cannot open."]
    assert "You have declared a conflict of interest" in csc.get_url(item()).response.text
    papers = csc.get_url(item("papers.item"))
    assert "declared a conflict of interest" in papers.select_one("#conflict-mark").text


def test_the_chair_breaks_a_tie_records_the_decision_and_the_referrer_reads_it(app, db, m, as_):
    item, chair = open_voting_as_chair(app, db, m)
    _vote(as_(m.reps["health"]), item, "overturn_s17")
    _vote(as_(m.reps["police"]), item, "overturn_s47")
    _vote(as_(m.reps["csc"]), item, "upheld")
    chair.post_url(item("meeting.voting_step", step="close"))
    themes = _themes(app, db)
    page = chair.post_url(item("meeting.decision"), {"rationale": "Assessment is needed."},
                          _expected_status=200)
    assert error_summary(page) == [
        "The vote is tied: select the chair's casting vote", "Select at least one learning theme",
        "Enter the feedback to the referrer"]
    page = chair.post_url(item("meeting.decision"), {
        "casting_vote": "overturn_s17", "rationale": "Assessment is needed.",
        "dissent": "Police favoured a strategy discussion.", "themes": [themes[1], themes[6]],
        "feedback": "The panel agreed that the concerns meet the threshold for an assessment."},
        _follow_redirects=True)
    assert banners(page) == ["The decision has been recorded and the referrer told."]
    assert "Chair's casting vote" in _text(page)

    referrer = as_(m.referrer)
    notices = referrer.get("notifications.index").get_text(" ", strip=True)
    assert "The panel has decided your dispute" in notices
    page = referrer.get("disputes.show", dispute_id=m.dispute_ids[0])
    decision = page.select_one("[aria-labelledby='decision-title-1']")
    text = decision.get_text(" ", strip=True)
    assert "Overturn: refer for a child and family assessment (s17)" in text
    assert "meet the threshold for an assessment" in text
    assert "Threshold interpretation" in text and "No feedback to referrer" in text
    assert "Assessment is needed." not in text  # the internal rationale stays in the minutes


def test_case_detail_stays_closed_to_members_until_the_agenda_is_frozen(
        app, db, m, as_, queue_disputes, make_session):
    from datetime import date

    from moderation.models import PanelSession, User
    from moderation.panels import agenda

    [waiting] = queue_disputes({"child_name": "Noah Patel"})
    draft_id = make_session(held_on=date(2027, 1, 12))
    with app.app_context():
        draft = db.session.get(PanelSession, draft_id)
        item = agenda.add_item(draft, db.session.get(User, m.chair.id), waiting)
        db.session.commit()
        draft = Item(app, draft_id, item.id)
    member = as_(m.reps["health"])
    member.get_url(draft(), _expected_status=404)
    member.get_url(draft("papers.item"), _expected_status=404)
    frozen = first_item(app, db, m)
    # The frozen session's papers are open to its members.
    assert "Amelia Jones" in member.get_url(frozen("papers.item")).response.text
    as_(m.referrer).get_url(frozen(), _expected_status=403)


def test_viewing_an_item_leaves_an_audit_event(app, db, m, as_):
    as_(m.reps["police"]).get_url(first_item(app, db, m)())
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "dispute_viewed")).all()[-1]
        assert event.actor_id == m.reps["police"].id
        assert event.detail["page"] == "meeting item"


def test_closing_the_meeting_with_items_open_says_which(m, as_):
    page = as_(m.chair).post("meeting.chair_step", _expected_status=200,
                             session_id=m.session_id, step="close")
    assert error_summary(page) == [
        "Decide or defer every item before closing the meeting (still open: item 1)"]


def test_the_meeting_pages_run_the_same_queries_for_few_or_many_rows(
        app, db, as_, panel_meeting, queue_disputes, make_session):
    from datetime import UTC, date, datetime

    import time_machine

    from moderation.models import PanelSession, User
    from moderation.panels import agenda

    m = panel_meeting(disputes=({},) * 8)
    [one] = queue_disputes({"referrer": m.referrer})
    small_id = make_session(held_on=date(2027, 1, 12))
    with app.app_context():
        small, chair = db.session.get(PanelSession, small_id), db.session.get(User, m.chair.id)
        agenda.add_item(small, chair, one)
        agenda.freeze(small, chair)
        with time_machine.travel(datetime(2027, 1, 12, 9, tzinfo=UTC)):  # its register opens
            register.record_attendance(small, chair, {m.members[u.id]: ("present", True)
                                                     for u in (m.chair, *m.reps.values())})
        db.session.commit()
    chair = as_(m.chair)
    item = first_item(app, db, m)
    counts, session_page = {}, {}
    for name, session_id in (("one item", small_id), ("eight items", m.session_id)):
        with counting_queries(app) as queries:
            page = chair.get("meeting.show", session_id=session_id)
        counts[name] = queries["n"]
        with counting_queries(app) as queries:  # the session's own page, its agenda listed
            chair.get("panels.show", session_id=session_id)
        session_page[name] = queries["n"]
    assert len(page.select("main table")[0].select("tbody tr")) == 8
    chair.post_url(item("meeting.voting_step", step="open"))
    _vote(as_(m.reps["health"]), item)
    with counting_queries(app) as before:
        chair.get_url(item())
    for kind in ("police", "csc"):
        _vote(as_(m.reps[kind]), item)
    with counting_queries(app) as after:
        page = chair.get_url(item())
    assert "3 of 3 agencies have voted" in _text(page)
    assert counts["one item"] == counts["eight items"]
    assert session_page["one item"] == session_page["eight items"]
    assert before["n"] == after["n"]


def test_a_deputy_is_told_who_voted_for_their_agency_not_that_they_did(app, db, m, as_):
    item, _ = open_voting_as_chair(app, db, m)
    _vote(as_(m.reps["police"]), item)
    deputy_view = _text(as_(m.deputy).get_url(item()))
    assert "You voted" not in deputy_view
    assert "Police Rep voted for Northshire Police: Overturn" in deputy_view
    assert "You voted: Overturn" in _text(as_(m.reps["police"]).get_url(item()))


def test_the_register_opens_on_the_day_and_an_early_start_says_why(app, db, as_, panel_meeting,
                                                                  meeting_day):
    from datetime import UTC, datetime

    meeting_day.move_to(datetime(2026, 12, 4, 9, tzinfo=UTC))  # the Friday before
    m = panel_meeting(started=False)
    member = as_(m.reps["health"])
    assert member.get("meeting.show", session_id=m.session_id).select_one("#acknowledge") is None
    page = member.post("meeting.acknowledge", _expected_status=200, session_id=m.session_id)
    assert error_summary(page) == ["The register opens on the day of the session, "
                                   "8 December 2026"]
    chair = as_(m.chair)
    page = chair.post("meeting.chair_step", _expected_status=200, session_id=m.session_id,
                      step="start")
    assert error_summary(page) == ["The session is on 8 December 2026: to start the "
                                   "meeting before then, enter why"]
    assert page.select_one("textarea#early_reason") is not None
    page = chair.post("meeting.chair_step", {"early_reason": "The chair is away on the 8th"},
                      _follow_redirects=True, session_id=m.session_id, step="start")
    assert banners(page) == ["The meeting has started."]
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        assert session.early_start_reason == "The chair is away on the 8th"
    page = member.post("meeting.acknowledge", _follow_redirects=True, session_id=m.session_id)
    assert "You are marked present" in banners(page)[0]


def test_the_minutes_record_why_the_meeting_started_early(app, db, panel_meeting, meeting_day):
    from datetime import UTC, datetime

    meeting_day.move_to(datetime(2026, 12, 7, 9, tzinfo=UTC))
    m = panel_meeting(started=False)
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        chair = db.session.get(User, m.chair.id)
        register.start(session, chair, "Two members are at a case conference on the 8th")
        decisions.defer(session.agenda[0], chair, "More information needed")
        register.close(session, chair)
        db.session.commit()
    with app.test_request_context():
        session = db.session.get(PanelSession, m.session_id)
        text = " ".join(pdf_pages(minutes.pdf_bytes(session, minutes.latest(session))))
    assert "Started before its date" in text
    assert "Two members are at a case conference on the 8th" in text


@pytest.mark.parametrize("endpoint, data, field", [
    ("meeting.vote", {"outcome": "upheld", "reason": "Amelia was seen on 14/03/2021"}, "reason"),
    ("meeting.defer", {"defer-reason": "Wait for the Jones family's GP"}, "defer-reason"),
    ("meeting.add_action", {"action-description": "Ask about Amelia Jones",
                            "action-owner_id": "", "action-working_days": "5"},
     "action-description"),
])
def test_text_for_the_minutes_that_names_the_child_is_refused(app, db, m, as_, endpoint, data,
                                                              field):
    item = first_item(app, db, m)
    if endpoint == "meeting.vote":
        as_(m.chair).post_url(item("meeting.voting_step", step="open"))
        person = as_(m.reps["health"])
    else:
        person = as_(m.chair)
    if endpoint == "meeting.add_action":
        data["action-owner_id"] = str(m.chair.id)
    page = person.post_url(item(endpoint), data, _expected_status=200)
    assert any("must not contain a child's name, date of birth or case number" in e
               for e in error_summary(page))
    # The error summary links to the field that holds the child's name.
    assert [a["href"] for a in page.select(".govuk-error-summary__list a")] == [f"#{field}"]
    with app.app_context():
        item = db.session.get(AgendaItem, item.id)
        assert not item.votes and not item.deferred
        assert db.session.scalar(select(Action.id)) is None


@pytest.mark.parametrize("who, refusal", [
    ("absent", "Only a present representative without a conflict on this item can vote"),
    ("unconfirmed", "Accept the confidentiality statement before voting"),
])
def test_only_a_present_member_who_accepted_the_statement_is_offered_the_vote(
        app, db, m, as_, who, refusal):
    """The page offers the vote on the same answer the vote is taken on (voting.why_not_vote):
    a deputy not in the room, or a representative present who has not accepted the
    confidentiality statement, sees no vote form, and a vote they send anyway is refused."""
    item, _ = open_voting_as_chair(app, db, m)
    voter = m.deputy
    if who == "unconfirmed":
        voter = m.reps["police"]
        with app.app_context():
            session = db.session.get(PanelSession, m.session_id)
            chair = db.session.get(User, m.chair.id)
            register.record_attendance(session, chair, {m.members[voter.id]: ("present", False)})
            db.session.commit()
    person = as_(voter)
    assert person.get_url(item()).select_one("form[action$='/vote']") is None
    assert error_summary(_vote(person, item)) == [refusal]
    with app.app_context():
        assert db.session.scalar(select(AgendaItem).where(AgendaItem.id == item.id)).votes == []
