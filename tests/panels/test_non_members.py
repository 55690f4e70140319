"""A panel role is not a seat on the panel (issue #24, rule 12).

Someone who holds the panel member's or the chair's role but sits on no panel reads nothing of
its sessions: their home page does not say they represent anyone, the schedule lists none of
its sessions, and a session's page (its place, online meeting link and purpose) and its
calendar file are "Page not found". Every case page of a session and of a dispute they may not
open answers the same "Page not found" as a record that is not there, so that no answer tells a
page exists.
"""

from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from moderation.actions import services as actions
from moderation.models import (
    Action,
    DisputeDocument,
    DocumentType,
    PanelSession,
    User,
)
from moderation.web.permissions import RULES
from tests.helpers import client_for, heading, page, statements_run, url

TODAY = "2026-11-23 09:00:00+00:00"
PLACE, LINK = "Council House, Room 2", "https://meet.example.org/urgent-panel"
PURPOSE = "called for a dispute about a child at immediate risk"


@pytest.fixture
def extraordinary(app, db, make_session):
    """An extraordinary session on 8 December 2026, with a place and an online link."""
    with time_machine.travel(TODAY, tick=False):
        session_id = make_session(place=PLACE, online_link=LINK, extraordinary=True)
    return session_id


def _main(response):
    return page(response).select_one("main").get_text(" ", strip=True)


@pytest.mark.parametrize("roles", [("panel_member",), ("chair",), ("chair", "panel_member")])
def test_a_panel_role_on_no_panel_is_not_told_they_represent_anyone(app, extraordinary,
                                                                    make_user, roles):
    person = make_user(*roles)
    with time_machine.travel(TODAY, tick=False):
        client = client_for(app, person)
        home = client.get("/", follow_redirects=True)
        text = _main(home)
        assert "You represent" not in text
        assert "You do not sit on the threshold moderation panel" in text
        assert "A partnership manager or the panel's chair adds members." in text
        assert "8 December 2026" not in text  # the panel's session is not theirs
        schedule = client.get(url(app, "panels.schedule"))
        assert "8 December 2026" not in _main(schedule)
        assert "You do not sit on the threshold moderation panel" in _main(schedule)


def test_a_member_reads_whom_they_represent_and_a_member_to_come_when_they_join(
        app, extraordinary, make_user, make_member, make_agency):
    health = make_agency("Northshire Health")
    member, joining = (make_user("panel_member", agency_id=health),
                       make_user("panel_member", agency_id=health))
    make_member(member)
    make_member(joining, joined_on=date(2027, 1, 4))
    with time_machine.travel(TODAY, tick=False):
        text = _main(client_for(app, member).get(url(app, "home.panel_member")))
        assert "You represent Northshire Health on the threshold moderation panel." in text
        assert "8 December 2026" in text
        text = _main(client_for(app, joining).get(url(app, "home.panel_member")))
        assert ("You join the threshold moderation panel on 4 January 2027, as agency "
                "representative for Northshire Health.") in text
        assert "You represent" not in text and "8 December 2026" not in text


@pytest.mark.parametrize("roles", [("panel_member",), ("chair",)])
def test_a_sessions_place_link_and_purpose_are_for_its_panel(app, extraordinary, make_user,
                                                             make_member, roles):
    outsider, member = make_user(*roles), make_user(*roles)
    make_member(member, role="chair" if "chair" in roles else "representative")
    show = url(app, "panels.show", session_id=extraordinary)
    ics = url(app, "panels.calendar_file", session_id=extraordinary)
    with time_machine.travel(TODAY, tick=False):
        client = client_for(app, outsider)
        for address in (show, ics):
            response = client.get(address)
            assert (response.status_code, heading(response)) == (404, "Page not found")
            for secret in (PLACE, LINK, PURPOSE, "immediate risk"):
                assert secret not in response.text
        shown = _main(client_for(app, member).get(show))
        assert PLACE in shown and LINK in shown and PURPOSE in shown
        assert client_for(app, member).get(ics).mimetype == "text/calendar"


# Every case page -------------------------------------------------------------------------------

MISSING = 99999
# The arguments a case page's address takes, each naming a record (or, for a version, a number).
RECORD_ARGUMENTS = {"session_id", "item_id", "dispute_id", "document_id", "action_id"}


@pytest.fixture
def case(app, db, history, make_user, make_member):
    """The history session (8 December 2026, today) with its meeting closed, an action set at
    it and a document in its first case's papers; and people who hold a panel role but no part
    in it."""
    from moderation.meeting import register as meeting

    with app.app_context():
        session = db.session.get(PanelSession, history.session_id)
        chair = db.session.get(User, history.chair.id)
        first = session.agenda[0]
        actions.add_action(session, chair, description="Share the plan", working_days=10,
                           owner_id=history.reps["health"].id, item=first)
        document = DisputeDocument(
            dispute_id=first.dispute_id, document_type=DocumentType.CHRONOLOGY,
            filename="chronology.txt", file_kind="txt", media_type="text/plain", size=10,
            sha256="0" * 64, content=b"chronology", added_by_id=history.referrer.id)
        db.session.add(document)
        meeting.close(session, chair)
        db.session.commit()
        ids = {"session_id": session.id, "item_id": first.id, "dispute_id": first.dispute_id,
               "document_id": document.id, "action_id": db.session.scalar(select(Action.id)),
               "version": 1, "reference": first.dispute.reference}
    people = {"a panel member on no panel": make_user("panel_member"),
              "a chair on no panel": make_user("chair")}
    for who, role in (("a former chair", "chair"), ("a former deputy chair", "deputy_chair")):
        people[who] = make_user("chair")
        make_member(people[who], role=role, left_on=date(2026, 12, 7))  # ended yesterday
    return ids, people


def _case_pages(app):
    """Every page (GET) whose address names a record, that a panel role reaches: the pages a
    person holding the role might try for a session, an item or a case."""
    found = []
    for rule in app.url_map.iter_rules():
        action = getattr(getattr(app.view_functions[rule.endpoint], "access_rule", None),
                         "action", None)
        roles = {role.value for role in RULES[action].roles} if action else set()
        if ("GET" in rule.methods and RECORD_ARGUMENTS & rule.arguments
                and (not roles or roles & {"chair", "panel_member"})):
            found.append(rule)
    return sorted(found, key=lambda rule: rule.endpoint)


def _address(rule, ids):
    return rule.build({name: ids[name] for name in rule.arguments}, append_unknown=False)[1]


def test_every_refused_case_page_answers_the_same_page_not_found(app, db, case):
    ids, people = case
    missing = dict.fromkeys(RECORD_ARGUMENTS, MISSING) | {"version": MISSING}
    pages = [(rule.endpoint, _address(rule, ids), _address(rule, missing))
             for rule in _case_pages(app)]
    pages.append(("panels.new_extraordinary",
                  url(app, "panels.new_extraordinary", dispute_id=ids["dispute_id"]),
                  url(app, "panels.new_extraordinary", dispute_id=MISSING)))
    walked = {endpoint for endpoint, _, _ in pages}
    assert {"panels.show", "panels.calendar_file", "panels.agenda_builder", "papers.agenda_pdf",
            "papers.item", "papers.pack_pdf", "meeting.show", "meeting.item",
            "meeting.minutes_page", "meeting.minutes_pdf", "actions.for_session",
            "actions.update", "disputes.show", "documents.download"} <= walked
    for who, person in people.items():
        client = client_for(app, person)
        nowhere = client.get(pages[0][2])
        assert (nowhere.status_code, heading(nowhere)) == (404, "Page not found")
        for endpoint, address, missing_address in pages:
            response = client.get(address)
            assert response.status_code == 404, f"{who} at {endpoint}: {response.status_code}"
            assert _main(response) == _main(client.get(missing_address)) == _main(nowhere), (
                f"{who} at {endpoint}")
            assert ids["reference"] not in response.text


def test_the_home_page_asks_once_which_of_its_sessions_the_member_attends(app, make_user,
                                                                          make_member,
                                                                          make_session):
    """Each session listed offers its meeting to those who attend it: one question for the
    whole list, not one a row."""
    member = make_user("panel_member")
    make_member(member)
    address = url(app, "home.panel_member")
    with time_machine.travel(TODAY, tick=False):
        make_session(held_on=date(2026, 12, 8), status="agenda_frozen")
        client = client_for(app, member)
        client.get(address)
        with statements_run(app) as few:
            one = client.get(address)
        for held_on in (date(2026, 12, 15), date(2026, 12, 22)):
            make_session(held_on=held_on, status="agenda_frozen")
        client.get(address)
        with statements_run(app) as many:
            three = client.get(address)
    assert len(page(one).select("main a[href$='/meeting']")) == 1
    assert len(page(three).select("main a[href$='/meeting']")) == 3
    assert len(many) == len(few)
