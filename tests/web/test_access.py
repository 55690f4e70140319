"""Need-to-know access: every route × every role, generated from the app's URL map."""

import pytest

from moderation import create_app
from moderation.config import TestConfig
from moderation.models import Role
from moderation.web.access import ASSET_ENDPOINTS, check_every_route_has_a_rule, public
from tests.conftest import csrf_token, heading, page, sign_in

PUBLIC = "public"
ANYONE_SIGNED_IN = "anyone signed in"
ADMIN = {Role.ADMIN}
# Every panel role reaches a session's pages, to be told "Page not found" by the record's own
# test where the page is not for them (a member at the chair's page): the same answer as for a
# session that is not there.
SESSION_PAGES = {Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER}

# The expected rule for every route. A route missing here fails test_every_route_has_a_rule.
EXPECTED = {
    "auth.sign_in": PUBLIC,
    "auth.sign_out": ANYONE_SIGNED_IN,
    "auth.change_password": ANYONE_SIGNED_IN,
    "home.index": ANYONE_SIGNED_IN,
    "home.referrer": {Role.REFERRER},
    "home.csc_manager": {Role.CSC_MANAGER},
    "home.panel_member": {Role.PANEL_MEMBER},
    "home.chair": {Role.CHAIR},
    "home.partnership": {Role.PARTNERSHIP_MANAGER},
    "home.data_protection": {Role.DATA_PROTECTION_OFFICER},
    "admin.home": ADMIN,
    "admin.agencies": {Role.ADMIN, Role.PARTNERSHIP_MANAGER},
    "admin.agency_new": {Role.ADMIN, Role.PARTNERSHIP_MANAGER},
    "admin.agency_edit": {Role.ADMIN, Role.PARTNERSHIP_MANAGER},
    "admin.users": ADMIN,
    "admin.user_new": ADMIN,
    "admin.user_edit": ADMIN,
    "admin.user_reset_password": ADMIN,
    "admin.audit_log": ADMIN,
    "disputes.raise_dispute": {Role.REFERRER},
    "disputes.raised": {Role.REFERRER},
    "disputes.show": {Role.REFERRER, Role.CSC_MANAGER, Role.CHAIR, Role.PARTNERSHIP_MANAGER,
                      Role.PANEL_MEMBER},
    "disputes.confirm": {Role.CSC_MANAGER},
    "disputes.respond": {Role.CSC_MANAGER, Role.PARTNERSHIP_MANAGER},
    "disputes.settlement_reply": {Role.REFERRER},
    "disputes.escalate": {Role.REFERRER, Role.CSC_MANAGER},
    "disputes.policy": ANYONE_SIGNED_IN,
    "disputes.policy_stage": {Role.PARTNERSHIP_MANAGER},
    "disputes.policy_stage_remove": {Role.PARTNERSHIP_MANAGER},
    "disputes.urgent_contact": {Role.PARTNERSHIP_MANAGER},
    "disputes.urgent_stage": {Role.PARTNERSHIP_MANAGER},
    "disputes.urgent_stage_remove": {Role.PARTNERSHIP_MANAGER},
    "disputes.time_limits": {Role.PARTNERSHIP_MANAGER},
    "disputes.panel_queue": {Role.CHAIR, Role.PARTNERSHIP_MANAGER},
    "disputes.panel_queue_csv": {Role.CHAIR, Role.PARTNERSHIP_MANAGER},
    "disputes.add_information": {Role.REFERRER},
    "disputes.record_birth": {Role.REFERRER, Role.CSC_MANAGER},
    "panels.schedule": {Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER},
    "panels.show": {Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER},
    "panels.calendar_file": {Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER},
    "panels.new_session": {Role.CHAIR},
    "panels.new_series": {Role.CHAIR},
    "panels.move": SESSION_PAGES,
    "panels.cancel": SESSION_PAGES,
    "panels.members": {Role.CHAIR, Role.PARTNERSHIP_MANAGER},
    "panels.remove_member": {Role.CHAIR, Role.PARTNERSHIP_MANAGER},
    "panels.calendar_feed": {Role.CHAIR, Role.PANEL_MEMBER},
    "panels.feed": PUBLIC,
    "panels.agenda_builder": SESSION_PAGES,
    "panels.add_urgent_item": {Role.CHAIR},
    "panels.new_extraordinary": SESSION_PAGES,
    "papers.item": ANYONE_SIGNED_IN,
    "papers.pack_pdf": {Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER},
    "papers.agenda_pdf": SESSION_PAGES,
    "papers.notes_page": SESSION_PAGES,
    "papers.guests_page": SESSION_PAGES,
    "papers.remove_guest": {Role.CHAIR},
    "meeting.show": {Role.CHAIR, Role.PANEL_MEMBER},
    "meeting.register": {Role.CHAIR},
    "meeting.guest_register": {Role.CHAIR},
    "meeting.acknowledge": {Role.CHAIR, Role.PANEL_MEMBER},
    "meeting.chair_step": {Role.CHAIR},
    "meeting.item": {Role.CHAIR, Role.PANEL_MEMBER},
    "meeting.vote": {Role.PANEL_MEMBER},
    "meeting.declare_conflict": {Role.CHAIR, Role.PANEL_MEMBER},
    "meeting.voting_step": SESSION_PAGES,
    "meeting.in_room_vote": SESSION_PAGES,
    "meeting.defer": {Role.CHAIR},
    "meeting.add_action": {Role.CHAIR},
    "meeting.decision": SESSION_PAGES,
    "actions.index": ANYONE_SIGNED_IN,
    "actions.for_session": {Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER},
    "actions.update": ANYONE_SIGNED_IN,
    "notifications.index": ANYONE_SIGNED_IN,
    "notifications.mark_read": ANYONE_SIGNED_IN,
    "meeting.minutes_page": {Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER},
    "meeting.minutes_step": {Role.CHAIR},
    "meeting.minutes_pdf": {Role.CHAIR, Role.PANEL_MEMBER, Role.PARTNERSHIP_MANAGER},
    "meeting.minutes_comment": {Role.CHAIR, Role.PANEL_MEMBER},
    "meeting.minutes_approve": SESSION_PAGES,
    "outcomes.disputes": {Role.PARTNERSHIP_MANAGER},
    "admin.outbox": ADMIN,
    "admin.outbox_retry": ADMIN,
    "notifications.settings": ANYONE_SIGNED_IN,
    "outcomes.export": {Role.PARTNERSHIP_MANAGER},
    "outcomes.summaries": {Role.PARTNERSHIP_MANAGER},
    "outcomes.new_summary": {Role.PARTNERSHIP_MANAGER},
    "outcomes.summary_pdf": {Role.PARTNERSHIP_MANAGER},
    "outcomes.themes": {Role.PARTNERSHIP_MANAGER},
    "documents.attach": {Role.REFERRER, Role.CSC_MANAGER},
    "documents.download": ANYONE_SIGNED_IN,
    "documents.withdraw": {Role.REFERRER, Role.CSC_MANAGER},
    "retention.schedule": {Role.PARTNERSHIP_MANAGER, Role.DATA_PROTECTION_OFFICER},
    "retention.edit_rule": {Role.PARTNERSHIP_MANAGER},
    "retention.runs": {Role.PARTNERSHIP_MANAGER, Role.DATA_PROTECTION_OFFICER},
    "retention.due": {Role.PARTNERSHIP_MANAGER, Role.DATA_PROTECTION_OFFICER},
    "retention.holds": {Role.PARTNERSHIP_MANAGER, Role.DATA_PROTECTION_OFFICER},
    "retention.hold": {Role.PARTNERSHIP_MANAGER},
    "retention.release": {Role.PARTNERSHIP_MANAGER},
    "retention.inactive": {Role.PARTNERSHIP_MANAGER},
    "retention.withdraw": {Role.PARTNERSHIP_MANAGER},
    "subject_access.search": {Role.PARTNERSHIP_MANAGER, Role.DATA_PROTECTION_OFFICER},
    "subject_access.export": {Role.PARTNERSHIP_MANAGER, Role.DATA_PROTECTION_OFFICER},
}

# Routes that open no record and need more than the chair role: the chair's or deputy chair's
# seat on the panel today. A chair without one is refused at the door, in the rule's own words.
NEEDS_A_CHAIR_SEAT = {"disputes.panel_queue", "disputes.panel_queue_csv", "panels.new_session",
                      "panels.new_series", "panels.members", "panels.remove_member"}


def routes(app):
    return {
        rule.endpoint: rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in ASSET_ENDPOINTS
    }


def test_every_route_has_an_expected_rule(app):
    assert set(routes(app)) == set(EXPECTED)


def test_the_start_up_check_refuses_a_route_that_has_no_rule():
    app = create_app(TestConfig)
    app.add_url_rule("/forgotten", "forgotten", lambda: "case detail")
    with pytest.raises(RuntimeError, match="forgotten"):
        check_every_route_has_a_rule(app)


def test_a_route_without_a_rule_is_closed_even_if_the_check_is_bypassed(app, client, make_user):
    app.add_url_rule("/forgotten", "forgotten", lambda: "case detail")
    sign_in(client, make_user("admin"))
    assert client.get("/forgotten").status_code == 403


def _url(rule, ids):
    return rule.build({arg: ids[arg] for arg in rule.arguments}, append_unknown=False)[1]


def _request(client, rule, url):
    if "GET" in rule.methods:
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(client)})


def _bounced_to_sign_in(response):
    location = response.headers.get("Location", "")
    return response.status_code == 302 and location.startswith("/sign-in?next=")


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_route_access_by_role(app, make_user, make_dispute, make_session, make_member,
                              endpoint):
    rule = routes(app)[endpoint]
    subject = make_user("referrer")
    ids = {"user_id": subject.id, "agency_id": subject.agency_id,
           "dispute_id": make_dispute(subject), "position": 1, "session_id": make_session(),
           "member_id": make_member(), "token": "not-a-real-token", "item_id": 1,
           "action_id": 1, "step": "close", "version": 1, "action": "save", "summary_id": 1,
           "message_id": 1, "kind": "disputes", "hold_id": 1}
    ids["document_id"] = 1  # no such document: "Page not found" to everyone who may ask
    url = _url(rule, ids)
    expected = EXPECTED[endpoint]

    anonymous = _request(app.test_client(), rule, url)
    if expected == PUBLIC:
        assert anonymous.status_code in (200, 404), f"{endpoint} should be open to everyone"
        assert not _bounced_to_sign_in(anonymous)
    else:
        assert _bounced_to_sign_in(anonymous), f"{endpoint} should need sign-in"

    for role in Role:
        client = app.test_client()
        sign_in(client, make_user(role))
        response = _request(client, rule, url)
        allowed = expected in (PUBLIC, ANYONE_SIGNED_IN) or role in expected
        if allowed and role == Role.CHAIR and endpoint in NEEDS_A_CHAIR_SEAT:
            assert response.status_code == 403, f"a chair without a seat reached {endpoint}"
            assert heading(response) == "You do not have access to this page"
            assert "You do not chair the panel" in page(response).select_one("main").text
            seated = make_user(role)
            make_member(seated, role="chair")
            client = app.test_client()
            sign_in(client, seated)
            response = _request(client, rule, url)
        if allowed:
            assert response.status_code != 403, f"{role} should reach {endpoint}"
            assert not _bounced_to_sign_in(response), f"{role} was sent to sign in at {endpoint}"
        else:
            assert response.status_code == 403, f"{role} should not reach {endpoint}"
            assert heading(response) == "You do not have access to this page"


def test_public_decorator_marks_a_view_open():
    def view():
        return "ok"

    assert public(view).access_rule.public
