"""Whatever a person puts in an address or a form, they get a page they can read: the page they
asked for, the form with its error, or "Page not found" — never "Sorry, there is a problem"."""

import re
from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from moderation.models import AgendaItem, LearningTheme
from moderation.web.forms import ID_MAX, coerce_id
from tests.helpers import error_summary, heading, url

TOO_LARGE = "99999999999999999999"


def test_a_record_id_is_a_whole_number_the_database_can_hold():
    assert [coerce_id(v) for v in ("1", " 42 ", 42, str(ID_MAX))] == [1, 42, 42, ID_MAX]
    for value in ("", None, "0", "-1", str(ID_MAX + 1), TOO_LARGE, "1.5", "1e3", "²", "x"):
        assert coerce_id(value) is None, value


# Addresses -------------------------------------------------------------------------------------


def _addresses(rule, bad):
    """The rule's address once for each of its <int:...> parts set to `bad`, the others 1.
    Written out from the rule, not built: url_for refuses ids the route cannot take."""
    parts = list(re.finditer(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", rule.rule))
    ints = [p for p in parts if isinstance(rule._converters[p.group(3)], IntegerConverter)]
    for chosen in ints:
        url = rule.rule
        for part in reversed(parts):
            if part in ints:
                value = bad if part is chosen else "1"
            elif part.group(1) == "any":
                value = part.group(2).split(",")[0].strip()
            else:
                value = "x"
            url = url[:part.start()] + value + url[part.end():]
        yield url


def test_every_address_with_an_impossible_id_is_not_found(app, client_request, signed_in):
    signed_in("admin", "partnership_manager")
    checked = 0
    for rule in app.url_map.iter_rules():
        for bad in (TOO_LARGE, "-1", "0", str(ID_MAX + 1)):
            for address in _addresses(rule, bad):
                ask = client_request.get_url if "GET" in rule.methods else client_request.post_url
                assert heading(ask(address, _expected_status=404)) == "Page not found", address
                checked += 1
    assert checked > 100  # every <int:...> route of every blueprint


def test_an_address_with_a_real_id_still_finds_the_page(client_request, signed_in, make_dispute):
    dispute = make_dispute()
    signed_in("partnership_manager")
    client_request.get("disputes.show", dispute_id=dispute)


# The confirmation of a dispute that has moved on -----------------------------------------------


def test_the_confirmation_of_a_dispute_that_has_moved_on_opens_the_dispute(
        client_request, make_user, make_dispute):
    referrer = make_user("referrer")
    dispute = make_dispute(referrer, on=date(2026, 11, 9))
    client_request.sign_in(referrer)
    client_request.get("disputes.raised", dispute_id=dispute)
    client_request.post("disputes.escalate", {"to_position": "4", "skip_reason": "Agreed."},
                        dispute_id=dispute)
    moved_on = client_request.get("disputes.raised", _expected_status=302, dispute_id=dispute)
    shown = client_request.url("disputes.show", dispute_id=dispute)
    assert moved_on.response.location == shown
    assert heading(client_request.get_url(shown)).startswith("Dispute D-")


# The partnership manager's home page and outcome pages -----------------------------------------


def test_the_overview_ignores_what_it_does_not_filter_by(client_request, signed_in):
    signed_in("partnership_manager")
    overview = client_request.url("home.partnership")
    # The query strings are written out: url_for would take _scheme, _anchor... as its own.
    for query in ("outcome=x", "event=x", "endpoint=x", "_scheme=x", "_external=x",
                  "_anchor=x", f"agency={TOO_LARGE}", f"level={TOO_LARGE}", "agency=-1&level=²"):
        response = client_request.get_url(f"{overview}?{query}")
        assert heading(response) == "Partnership overview", query


def test_the_lists_and_export_ignore_an_impossible_filter(client_request, signed_in):
    signed_in("partnership_manager")
    period = "start=2026-11-01&end=2026-12-31"
    for query in (f"agency={TOO_LARGE}", f"level={TOO_LARGE}", "level=-1", "level=²"):
        for endpoint in ("outcomes.disputes", "outcomes.export", "outcomes.new_summary"):
            client_request.get_url(f"{client_request.url(endpoint)}?{period}&{query}")


def test_retiring_a_theme_that_cannot_exist_is_not_found(app, db, client_request, signed_in):
    signed_in("partnership_manager")
    for field in ("retire", "restore"):
        for value in ("-99999999999999999999", TOO_LARGE, "0", "x", "2.5"):
            response = client_request.post("outcomes.themes", {field: value},
                                           _expected_status=404)
            assert heading(response) == "Page not found"
    with app.app_context():
        assert all(db.session.scalars(select(LearningTheme.active)))


# The panel queue -------------------------------------------------------------------------------


def test_the_queue_ignores_an_impossible_filter_or_page(client_request, signed_in,
                                                        queue_disputes):
    queue_disputes({})
    signed_in("chair", seat="chair")
    queue = client_request.url("disputes.panel_queue")
    exported = client_request.url("disputes.panel_queue_csv")
    for query in (f"agency={TOO_LARGE}", f"stage={TOO_LARGE}", f"level={TOO_LARGE}",
                  f"page={TOO_LARGE}", "page=-1", "page=²"):
        client_request.get_url(f"{queue}?{query}")
        client_request.get_url(f"{exported}?{query}")


# The meeting's forms ---------------------------------------------------------------------------


@pytest.fixture
def item_url(app, db, panel_meeting):
    """A meeting, and the address of an endpoint about its first agenda item."""
    meeting = panel_meeting()
    with app.app_context():
        item_id = db.session.scalar(select(AgendaItem.id))

    def item(endpoint, **values):
        return url(app, endpoint, session_id=meeting.session_id, item_id=item_id, **values)

    return meeting, item


def test_a_conflict_for_a_member_who_cannot_exist_is_refused(as_, item_url):
    meeting, item = item_url
    response = as_(meeting.chair).post_url(item("meeting.declare_conflict"), {
        "conflict-member_id": TOO_LARGE, "conflict-nature": "Line manager"},
        _expected_status=200)
    assert error_summary(response) == ["Select whose conflict of interest it is"]


def test_an_in_room_vote_for_a_member_who_cannot_exist_is_refused(as_, item_url):
    meeting, item = item_url
    chair = as_(meeting.chair)
    chair.post_url(item("meeting.voting_step", step="open"))
    response = chair.post_url(item("meeting.in_room_vote"), {
        "in_room-member_id": TOO_LARGE, "in_room-outcome": "upheld", "in_room-reason": "R"},
        _expected_status=200)
    assert error_summary(response) == ["Select a present representative without a conflict"]


def test_an_action_for_an_owner_who_cannot_exist_is_refused(as_, item_url):
    meeting, item = item_url
    response = as_(meeting.chair).post_url(item("meeting.add_action"), {
        "action-description": "Send the GP report", "action-owner_id": TOO_LARGE,
        "action-working_days": "10"}, _expected_status=200)
    assert error_summary(response) == ["Select who owns the action"]


def test_a_decision_with_a_theme_that_cannot_exist_is_refused(as_, item_url):
    meeting, item = item_url
    chair = as_(meeting.chair)
    chair.post_url(item("meeting.voting_step", step="open"))
    for rep in meeting.reps.values():
        as_(rep).post_url(item("meeting.vote"), {"outcome": "upheld", "reason": "Reason"})
    chair.post_url(item("meeting.voting_step", step="close"))
    response = chair.post_url(item("meeting.decision"), {
        "rationale": "R", "feedback": "F", "themes": [TOO_LARGE]}, _expected_status=200)
    assert error_summary(response) == ["Select learning themes from the list"]


HUGE = "99999999999999999999"


@pytest.mark.parametrize("role, endpoint, query", [
    ("admin", "admin.users", f"agency={HUGE}"),
    ("admin", "admin.users", f"page={HUGE}"),
    ("admin", "admin.audit_log", f"page={HUGE}"),
    ("referrer", "actions.index", f"page={HUGE}"),
])
def test_lists_ignore_an_impossible_page_or_filter(client_request, signed_in, role, endpoint,
                                                   query):
    signed_in(role)
    client_request.get_url(f"{client_request.url(endpoint)}?{query}")


def test_adding_a_member_who_cannot_exist_is_refused(client_request, signed_in):
    signed_in("chair", seat="chair")
    response = client_request.post("panels.members", {
        "user_id": HUGE, "role": "representative", "agency_id": HUGE, "deputy_for_id": HUGE},
        _expected_status=200)
    assert "Select who is joining the panel" in error_summary(response)


def test_adding_an_agenda_item_that_cannot_exist_is_refused(client_request, signed_in,
                                                            make_session):
    session = make_session()
    signed_in("chair", seat="chair")
    response = client_request.post("panels.agenda_builder", {"action": "add", "dispute_id": HUGE},
                                   _expected_status=200, session_id=session)
    assert error_summary(response)
