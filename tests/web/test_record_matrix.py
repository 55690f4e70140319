"""Role x route x record, generated from the permission rules.

Every route that opens a record declares the action it takes (`permits`), and the action's rule
says, for one record, who may take it now. For each such route, and for people who hold each role
with and without a part in the record (the session's own chair and representatives, and a chair
and a member not on its panel, one who left before it and one who joined after; a former chair
and a former deputy chair, whose seats ended yesterday and who still hold the chair role; a
chair-role holder who sits on its panel as a representative; the case's referrer and another
agency's; a guest the chair invited to this item and a guest of another item, both after the
meeting that was their window), the route answers as the rules do:

- without one of the action's roles: 403;
- with the role but no part in the record (the rule that reads it refuses them): "Page not
  found", showing nothing of the case, and changing nothing;
- allowed by the action's rule: the page opens;
- with a part in the record but refused now (voting closed, the item decided): never 403 or an
  error, and nothing changes.

A route added to the app joins the matrix by itself.
"""

from datetime import date

import pytest
from sqlalchemy import select

from moderation import create_app
from moderation.actions import services as actions
from moderation.config import TestConfig
from moderation.meeting import register as meeting
from moderation.models import (
    Action,
    AgendaItem,
    Attendance,
    Dispute,
    DisputeDocument,
    DocumentType,
    ItemGuest,
    LegalHold,
    MinutesVersion,
    PanelSession,
    User,
)
from moderation.web.permissions import RULES, can
from tests.conftest import csrf_token, heading, sign_in

# Who has a part in a record: the rule that reads it.
READ = {PanelSession: "session.case_detail", AgendaItem: "session.case_detail",
        Dispute: "dispute.read", Action: "action.update", DisputeDocument: "document.read",
        MinutesVersion: "minutes.read", LegalHold: "dispute.read"}
# CSC managers confirm and answer for the decisions of their own service, on any case.
# Partnership managers oversee every case: whether one may hold or withdraw a dispute or release
# a hold turns on the record's state (held, released, anonymised, closed), which
# tests/retention/ tries.
SAME_FOR_EVERY_RECORD = {"dispute.confirm", "dispute.answer", "dispute.hold", "hold.release",
                         "dispute.withdraw"}
URL_VALUES = {"step": "close", "version": 1, "action": "save"}
# Whatever the rules say, these people have no part in the session (held on 8 December 2026,
# today) nor its cases, and open nothing of them: said here, not read from the rules.
OUTSIDERS = {"another agency's referrer", "a chair who is not on the panel",
             "a panel member who is not on the panel", "a member who left before the session",
             "a chair who joined after the session", "a former chair", "a former deputy chair"}


def _checked_routes(app):
    """(endpoint, rule, url rule) for every route whose action is decided per record."""
    found = []
    for url_rule in app.url_map.iter_rules():
        access = getattr(app.view_functions[url_rule.endpoint], "access_rule", None)
        action = getattr(access, "action", None)
        if action and RULES[action].check is not None and url_rule.arguments:
            found.append((url_rule.endpoint, RULES[action], url_rule))
    return sorted(found, key=lambda found: found[0])


@pytest.fixture
def world(app, db, history, make_user, make_member, make_agency):
    """The history fixture's session with its meeting closed (draft minutes), an action set at
    it, a document in the first item's papers, a guest of each item, and the people around it."""
    guest, other_guest = make_user("referrer", name="Item Guest"), make_user(
        "csc_manager", name="Other Item Guest")
    with app.app_context():
        session = db.session.get(PanelSession, history.session_id)
        chair = db.session.get(User, history.chair.id)
        first, second = session.agenda[0], session.agenda[1]
        actions.add_action(session, chair, description="Share the assessment plan",
                           owner_id=history.reps["health"].id, working_days=10, item=first)
        document = _document(db, first.dispute, history.referrer)
        for item, person in ((first, guest), (second, other_guest)):
            db.session.add(ItemGuest(agenda_item_id=item.id, user_id=person.id,
                                     purpose="To present the referral", invited_by_id=chair.id))
        hold = LegalHold(dispute_id=second.dispute_id, reason="A practice review reads it",
                         placed_by_id=chair.id)
        db.session.add(hold)
        meeting.close(session, chair)
        db.session.commit()
        records = {PanelSession: session.id, AgendaItem: first.id, Dispute: first.dispute_id,
                   Action: db.session.scalar(select(Action.id)), DisputeDocument: document.id,
                   MinutesVersion: db.session.scalar(select(MinutesVersion.id)),
                   LegalHold: hold.id}
    former = make_user("panel_member", name="Former Member")
    make_member(former, joined_on=date(2020, 1, 1), left_on=date(2026, 12, 1))
    later = make_user("chair", "panel_member", name="Later Member")
    make_member(later, role="chair", joined_on=date(2026, 12, 9))
    elsewhere = make_agency("Another Trust")
    # Today is the session's date, 8 December 2026: these seats ended yesterday.
    former_chair, former_deputy = make_user("chair", name="Former Chair"), make_user(
        "chair", name="Former Deputy Chair")
    make_member(former_chair, role="chair", left_on=date(2026, 12, 7))
    make_member(former_deputy, role="deputy_chair", left_on=date(2026, 12, 7))
    chair_as_representative = make_user("chair", "panel_member", name="Chair Sitting As Rep")
    make_member(chair_as_representative)
    people = {
        "the session's chair": history.chair,
        "its health representative": history.reps["health"],
        "its police deputy": history.deputy,
        "the case's referrer": history.referrer,
        "a CSC manager": make_user("csc_manager"),
        "a partnership manager": make_user("partnership_manager"),
        "an administrator": make_user("admin"),
        "another agency's referrer": make_user("referrer", agency_id=elsewhere),
        "a chair who is not on the panel": make_user("chair"),
        "a panel member who is not on the panel": make_user("panel_member"),
        "a member who left before the session": former,
        "a chair who joined after the session": later,
        "a former chair": former_chair,
        "a former deputy chair": former_deputy,
        "a chair-role holder who sits as a representative": chair_as_representative,
        "a guest of this item, after the meeting": guest,
        "a guest of another item": other_guest,
    }
    return records, people


def _document(db, dispute, referrer):
    document = DisputeDocument(
        dispute_id=dispute.id, document_type=DocumentType.CHRONOLOGY, filename="chronology.txt",
        file_kind="txt", media_type="text/plain", size=9, sha256="0" * 64, content=b"chronology",
        added_by_id=referrer.id)
    db.session.add(document)
    db.session.flush()
    return document


def _url(url_rule, records):
    values = {"session_id": records[PanelSession], "item_id": records[AgendaItem],
              "dispute_id": records[Dispute], "action_id": records[Action],
              "document_id": records[DisputeDocument], "hold_id": records[LegalHold],
              **URL_VALUES}
    return url_rule.build({name: values[name] for name in url_rule.arguments},
                          append_unknown=False)[1]


def _expected(app, db, rule, record_id, person):
    """(holds one of the roles, has a part in the record, the rule allows)"""
    with app.test_request_context():
        user = db.session.get(User, person.id)
        record = db.session.get(rule.on, record_id)
        read = _read_through(db, record)
        return (rule.allows_role(user), can(user, READ[rule.on], read),
                can(user, rule.action, record))


def _read_through(db, record):
    """The record whose reading rule decides who has a part in `record`."""
    if isinstance(record, AgendaItem):
        return record.session
    if isinstance(record, MinutesVersion):
        return db.session.get(PanelSession, record.session_id)
    if isinstance(record, LegalHold):
        return record.dispute
    return record


def _client(app, person):
    client = app.test_client()
    assert sign_in(client, person).status_code == 302
    return client


def test_every_route_that_opens_a_record_is_in_the_matrix(app):
    """Each checked route's record is one the matrix builds."""
    for endpoint, rule, _ in _checked_routes(app):
        assert rule.on in READ, endpoint


def _endpoints():
    """Read from the app's own URL map, so that a new route joins the matrix by itself."""
    return [endpoint for endpoint, _, _ in _checked_routes(create_app(TestConfig))]


@pytest.mark.parametrize("endpoint", _endpoints())
def test_a_route_answers_each_person_as_its_rule_does(app, db, world, endpoint):
    records, people = world
    routes = {found[0]: found for found in _checked_routes(app)}
    _, rule, url_rule = routes[endpoint]
    url, is_get = _url(url_rule, records), "GET" in url_rule.methods
    with app.app_context():
        references = [db.session.get(Dispute, records[Dispute]).reference]
        register_before = db.session.scalar(select(Attendance.id).order_by(Attendance.id.desc()))
    refused_with_the_role = []
    for who, person in people.items():
        has_role, has_part, allowed = _expected(app, db, rule, records[rule.on], person)
        if allowed and not is_get:
            continue  # what those allowed send is tested by the journeys
        client = _client(app, person)
        response = (client.get(url) if is_get
                    else client.post(url, data={"csrf_token": csrf_token(client)}))
        response.get_data()  # a streamed download runs to its end, leaving its request
        response.close()
        if who in OUTSIDERS:
            assert not has_part and not allowed, f"the rules let {who} into {endpoint}"
        if not has_role:
            assert response.status_code == 403, f"{who} reached {endpoint}"
        elif allowed:
            assert response.status_code in (200, 302), f"{who} should reach {endpoint}"
        elif has_part:
            assert response.status_code in (200, 302, 404), f"{who} at {endpoint}"
        else:
            refused_with_the_role.append(who)
            assert response.status_code == 404, f"{who} reached {endpoint}"
            assert heading(response) == "Page not found"
        if not has_part:
            assert not any(r in response.text for r in references), f"{who} read {endpoint}"
    if rule.action not in SAME_FOR_EVERY_RECORD:
        # Need-to-know is per record: somebody holding the role is refused this one.
        assert refused_with_the_role, f"{endpoint}: its rule refuses nobody who has the role"
    with app.app_context():  # nothing a refused person sent changed the register
        assert db.session.scalar(
            select(Attendance.id).order_by(Attendance.id.desc())) == register_before

