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
from tests.conftest import banners, error_summary, heading, page, post, sign_in, url
from tests.helpers import Item, first_item, open_voting_as_chair


@pytest.fixture
def m(panel_meeting):
    return panel_meeting()


def _meeting(app, m, endpoint="meeting.show", **values):
    return url(app, endpoint, session_id=m.session_id, **values)


def _text(response):
    return re.sub(r"\s+", " ", page(response).get_text(" ", strip=True))


def _as(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def _vote(client, item, outcome="overturn_s17",
          reason="The bruising pattern needs assessment"):
    return post(client, item("meeting.vote"), {"outcome": outcome, "reason": reason},
                follow_redirects=True)


def _themes(app, db):
    with app.app_context():
        return db.session.scalars(select(LearningTheme.id).order_by(LearningTheme.position)).all()


def test_the_chair_keeps_the_register_and_sees_quorum_fall_and_return(app, db, m):
    chair = _as(app, m.chair)
    with app.app_context():
        police = db.session.scalar(select(PanelMember.id).where(
            PanelMember.user_id == m.reps["police"].id))
        deputy = m.members[m.deputy.id]
    response = post(chair, _meeting(app, m, "meeting.register"),
                    {f"status-{police}": "apologies"}, follow_redirects=True)
    assert banners(response) == ["The register has been saved."]
    quorum = page(response).select_one("#quorum").get_text(" ", strip=True)
    assert "Not quorate" in quorum
    assert "no present, unconflicted representative of Northshire Police." in quorum
    response = post(chair, _meeting(app, m, "meeting.register"),
                    {f"status-{deputy}": "present", f"acknowledged-{deputy}": "yes"},
                    follow_redirects=True)
    assert "Quorate" in page(response).select_one("#quorum").get_text(" ", strip=True)


def test_a_nonsense_register_entry_changes_nothing(app, db, m):
    chair = _as(app, m.chair)
    with app.app_context():
        health = m.members[m.reps["health"].id]
    response = post(chair, _meeting(app, m, "meeting.register"),
                    {f"status-{health}": "on holiday"})
    assert response.status_code == 200
    assert error_summary(response) == ["Select present, apologies or absent for each member"]
    assert "Quorate" in page(response).select_one("#quorum").get_text(" ", strip=True)


def test_a_member_accepts_the_confidentiality_statement_from_their_own_account(app, m):
    deputy = _as(app, m.deputy)
    response = deputy.get(_meeting(app, m))
    assert "The information in the papers" in page(response).select_one("#acknowledge").text
    response = post(deputy, _meeting(app, m, "meeting.acknowledge"),
                    follow_redirects=True)
    assert "You are marked present" in banners(response)[0]
    assert page(response).select_one("#acknowledge") is None


def test_votes_are_hidden_until_the_chair_closes_voting(app, db, m):
    item, chair = open_voting_as_chair(app, db, m)
    health, police = _as(app, m.reps["health"]), _as(app, m.reps["police"])
    response = _vote(health, item)
    assert "Your vote has been recorded" in banners(response)[0]
    assert "You voted: Overturn: refer for a child and family assessment (s17)" in _text(response)
    response = police.get(item())
    assert "1 of 3 agencies have voted: Northshire Health" in response.text
    assert "The bruising pattern" not in response.text
    assert page(chair.get(item())).select_one("#votes") is None
    _vote(police, item, "upheld", "No new information since CSC's decision")
    response = post(chair, item("meeting.voting_step", step="close"), follow_redirects=True)
    rows = [r.get_text(" ", strip=True) for r in page(response).select("#votes tbody tr")]
    assert len(rows) == 2
    assert "The bruising pattern needs assessment" in rows[0]
    assert "The vote is tied between" in response.text


def test_a_vote_after_voting_closed_gets_a_clear_message(app, db, m):
    item, chair = open_voting_as_chair(app, db, m)
    csc, health = _as(app, m.reps["csc"]), _as(app, m.reps["health"])
    form_page = csc.get(item())  # the vote form is on screen...
    assert page(form_page).select_one("form[action$='/vote']") is not None
    _vote(health, item)
    post(chair, item("meeting.voting_step", step="close"))
    response = _vote(csc, item)  # ...and submitted after the chair closed voting
    assert response.status_code == 200
    assert error_summary(response) == [
        "Voting on this item has closed, so this vote was not recorded. Speak to the chair if "
        "you need to add something."]


def test_a_vote_needs_a_choice_and_a_reason(app, db, m):
    item, _ = open_voting_as_chair(app, db, m)
    response = post(_as(app, m.reps["health"]), item("meeting.vote"), {"reason": ""})
    assert error_summary(response) == ["Select how you vote", "Enter the reason for your vote"]
    assert heading(response).startswith("Dispute")


def test_a_second_vote_from_the_same_agency_is_refused(app, db, m):
    item, chair = open_voting_as_chair(app, db, m)
    health = _as(app, m.reps["health"])
    _vote(health, item)
    response = _vote(health, item)
    assert error_summary(response) == [
        "Northshire Health has already voted on this item. Only one vote per agency is kept."]


def test_opening_voting_without_quorum_names_the_missing_agency(app, db, m):
    item = first_item(app, db, m)
    csc = _as(app, m.reps["csc"])
    post(csc, item("meeting.declare_conflict"),
         {"conflict-nature": "I supervised the decision maker"})
    response = post(_as(app, m.chair), item("meeting.voting_step", step="open"))
    assert error_summary(response) == [
        "The panel is not quorate: no present, unconflicted representative of Northshire "
        "Children's Social Care. Voting cannot open."]
    assert "You have declared a conflict of interest" in csc.get(item()).text
    papers = page(csc.get(item("papers.item")))
    assert "declared a conflict of interest" in papers.select_one("#conflict-mark").text


def test_the_chair_breaks_a_tie_records_the_decision_and_the_referrer_reads_it(app, db, m):
    item, chair = open_voting_as_chair(app, db, m)
    _vote(_as(app, m.reps["health"]), item, "overturn_s17")
    _vote(_as(app, m.reps["police"]), item, "overturn_s47")
    _vote(_as(app, m.reps["csc"]), item, "upheld")
    post(chair, item("meeting.voting_step", step="close"))
    themes = _themes(app, db)
    response = post(chair, item("meeting.decision"), {"rationale": "Assessment is needed."})
    assert error_summary(response) == [
        "The vote is tied: select the chair's casting vote", "Select at least one learning theme",
        "Enter the feedback to the referrer"]
    response = post(chair, item("meeting.decision"), {
        "casting_vote": "overturn_s17", "rationale": "Assessment is needed.",
        "dissent": "Police favoured a strategy discussion.", "themes": [themes[1], themes[6]],
        "feedback": "The panel agreed that the concerns meet the threshold for an assessment."},
        follow_redirects=True)
    assert banners(response) == ["The decision has been recorded and the referrer told."]
    assert "Chair's casting vote" in _text(response)

    referrer = _as(app, m.referrer)
    notices = page(referrer.get(url(app, "notifications.index"))).get_text(" ", strip=True)
    assert "The panel has decided your dispute" in notices
    response = referrer.get(url(app, "disputes.show", dispute_id=m.dispute_ids[0]))
    decision = page(response).select_one("[aria-labelledby='decision-title-1']")
    text = decision.get_text(" ", strip=True)
    assert "Overturn: refer for a child and family assessment (s17)" in text
    assert "meet the threshold for an assessment" in text
    assert "Threshold interpretation" in text and "No feedback to referrer" in text
    assert "Assessment is needed." not in text  # the internal rationale stays in the minutes


def test_case_detail_stays_closed_to_members_until_the_agenda_is_frozen(
        app, db, m, queue_disputes, make_session):
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
    member = _as(app, m.reps["health"])
    assert member.get(draft()).status_code == 404
    assert member.get(draft("papers.item")).status_code == 404
    frozen = first_item(app, db, m)
    # The frozen session's papers are open to its members.
    assert "Amelia Jones" in member.get(frozen("papers.item")).text
    assert _as(app, m.referrer).get(frozen()).status_code == 403


def test_viewing_an_item_leaves_an_audit_event(app, db, m):
    _as(app, m.reps["police"]).get(first_item(app, db, m)())
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "dispute_viewed")).all()[-1]
        assert event.actor_id == m.reps["police"].id
        assert event.detail["page"] == "meeting item"


def test_closing_the_meeting_with_items_open_says_which(app, db, m):
    response = post(_as(app, m.chair), _meeting(app, m, "meeting.chair_step", step="close"))
    assert error_summary(response) == [
        "Decide or defer every item before closing the meeting (still open: item 1)"]


def test_the_meeting_pages_run_the_same_queries_for_few_or_many_rows(
        app, db, panel_meeting, queue_disputes, make_session):
    from datetime import UTC, date, datetime

    import time_machine

    from moderation.models import PanelSession, User
    from moderation.panels import agenda
    from tests.helpers import counting_queries

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
    chair = _as(app, m.chair)
    item = first_item(app, db, m)
    counts = {}
    for name, session_id in (("one item", small_id), ("eight items", m.session_id)):
        with counting_queries(app) as queries:
            response = chair.get(url(app, "meeting.show", session_id=session_id))
        counts[name] = queries["n"]
    assert len(page(response).select("main table")[0].select("tbody tr")) == 8
    post(chair, item("meeting.voting_step", step="open"))
    _vote(_as(app, m.reps["health"]), item)
    with counting_queries(app) as before:
        chair.get(item())
    for kind in ("police", "csc"):
        _vote(_as(app, m.reps[kind]), item)
    with counting_queries(app) as after:
        response = chair.get(item())
    assert "3 of 3 agencies have voted" in _text(response)
    assert counts["one item"] == counts["eight items"]
    assert before["n"] == after["n"]


def test_a_deputy_is_told_who_voted_for_their_agency_not_that_they_did(app, db, m):
    item, _ = open_voting_as_chair(app, db, m)
    _vote(_as(app, m.reps["police"]), item)
    deputy_view = _text(_as(app, m.deputy).get(item()))
    assert "You voted" not in deputy_view
    assert "Police Rep voted for Northshire Police: Overturn" in deputy_view
    assert "You voted: Overturn" in _text(_as(app, m.reps["police"]).get(item()))


def test_the_register_opens_on_the_day_and_an_early_start_says_why(app, db, panel_meeting,
                                                                  meeting_day):
    from datetime import UTC, datetime

    meeting_day.move_to(datetime(2026, 12, 4, 9, tzinfo=UTC))  # the Friday before
    m = panel_meeting(started=False)
    member = _as(app, m.reps["health"])
    assert page(member.get(_meeting(app, m))).select_one("#acknowledge") is None
    response = post(member, _meeting(app, m, "meeting.acknowledge"))
    assert error_summary(response) == ["The register opens on the day of the session, "
                                       "8 December 2026"]
    chair = _as(app, m.chair)
    response = post(chair, _meeting(app, m, "meeting.chair_step", step="start"))
    assert error_summary(response) == ["The session is on 8 December 2026: to start the "
                                       "meeting before then, enter why"]
    assert page(response).select_one("textarea#early_reason") is not None
    response = post(chair, _meeting(app, m, "meeting.chair_step", step="start"),
                    {"early_reason": "The chair is away on the 8th"}, follow_redirects=True)
    assert banners(response) == ["The meeting has started."]
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        assert session.early_start_reason == "The chair is away on the 8th"
    response = post(member, _meeting(app, m, "meeting.acknowledge"), follow_redirects=True)
    assert "You are marked present" in banners(response)[0]


def test_the_minutes_record_why_the_meeting_started_early(app, db, panel_meeting, meeting_day):
    from datetime import UTC, datetime

    from tests.conftest import pdf_pages

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
def test_text_for_the_minutes_that_names_the_child_is_refused(app, db, m, endpoint, data, field):
    item = first_item(app, db, m)
    if endpoint == "meeting.vote":
        post(_as(app, m.chair), item("meeting.voting_step", step="open"))
        client = _as(app, m.reps["health"])
    else:
        client = _as(app, m.chair)
    if endpoint == "meeting.add_action":
        data["action-owner_id"] = str(m.chair.id)
    response = post(client, item(endpoint), data)
    assert response.status_code == 200
    assert any("must not contain a child's name, date of birth or case number" in e
               for e in error_summary(response))
    # The error summary links to the field that holds the child's name.
    assert [a["href"] for a in page(response).select(".govuk-error-summary__list a")] == [
        f"#{field}"]
    with app.app_context():
        item = db.session.get(AgendaItem, item.id)
        assert not item.votes and not item.deferred
        assert db.session.scalar(select(Action.id)) is None
