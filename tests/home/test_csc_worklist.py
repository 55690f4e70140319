"""The CSC front-door manager's home: every dispute CSC is party to, by status, searchable by
reference and filtered, a page at a time; and the actions CSC owes after the panel overturned
a decision, with when each is due or how late it is (issue #25, point 1)."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from moderation.disputes import responding, settling
from moderation.models import Action, AuditEvent, Dispute, User
from tests.helpers import counting_queries, error_summary, words


def _rows(page):
    """Each row of the disputes table as the words a person reads in it."""
    table = page.find("caption", string="Disputes CSC is party to").parent
    return [words(row) for row in table.select("tbody tr")]


def _references(page):
    table = page.find("caption", string="Disputes CSC is party to").parent
    return [link.get_text(strip=True) for link in table.select("tbody tr a")]


def _reference(app, db, dispute_id):
    with app.app_context():
        return db.session.get(Dispute, dispute_id).reference


def _home(browser, _expected_status=200, **args):
    return browser.get("home.csc_manager", _expected_status=_expected_status, **args)


@pytest.fixture
def csc(make_user, make_agency):
    return make_user("csc_manager", name="Casey Frontdoor",
                     agency_id=make_agency("Northshire CSC Front Door"))


@pytest.fixture
def disputes(app, db, make_dispute, queue_disputes, make_user, make_agency):
    """Four disputes from two agencies: one escalating at stage 1, one urgent, one waiting for
    the panel and one settled. Returns their references by name."""
    trust = make_agency("Northshire Community Health NHS Trust")
    school = make_agency("Northshire Primary School")
    escalating = make_dispute(make_user("referrer", agency_id=trust), on=date(2026, 11, 5))
    urgent = make_dispute(make_user("referrer", agency_id=school), on=date(2026, 11, 23),
                          immediate_risk=True)
    queued, = queue_disputes({"referrer": make_user("referrer", agency_id=school)})
    settled = make_dispute(make_user("referrer", agency_id=trust), on=date(2026, 11, 6))
    with app.app_context():
        dispute = db.session.get(Dispute, settled)
        csc_user = db.session.get(User, make_user("csc_manager").id)
        responding.respond(dispute, csc_user, "On review we will assess.")
        settling.settle(dispute, csc_user, "child_and_family_assessment", "Assessment agreed.",
                        on=date(2026, 11, 9))
        db.session.commit()
    ids = {"escalating": escalating, "urgent": urgent, "queued": queued, "settled": settled}
    return {name: _reference(app, db, ident) for name, ident in ids.items()}


def test_csc_sees_every_open_dispute_it_is_party_to_not_only_those_waiting_for_it(
        app, as_, csc, disputes, on_a_monday):
    response = _home(as_(csc))
    # Open ones, newest received first: the settled one is under its own status.
    assert _references(response) == [disputes["urgent"], disputes["queued"],
                                     disputes["escalating"]]
    rows = _rows(response)
    assert "Northshire Community Health NHS Trust" in rows[2]
    assert "5 November 2026" in rows[2]
    assert "Waiting for panel" in rows[1]
    assert "3 disputes" in words(response.find(id="worklist-count"))


def test_urgent_open_disputes_top_the_list_however_old(app, as_, db, csc, make_dispute,
                                                      on_a_monday):
    urgent = _reference(app, db, make_dispute(on=date(2026, 11, 9), immediate_risk=True))
    newer = _reference(app, db, make_dispute(on=date(2026, 11, 20)))
    browser = as_(csc)
    assert _references(_home(browser)) == [urgent, newer]
    # Among every dispute ever raised, newest first.
    assert _references(_home(browser, status="any")) == [newer, urgent]


def test_csc_filters_by_status_and_searches_by_reference(app, as_, csc, disputes, on_a_monday):
    browser = as_(csc)
    assert _references(_home(browser, status="settled")) == [disputes["settled"]]
    assert len(_references(_home(browser, status="any"))) == 4
    # A reference as people type it: lower case, spaces around it.
    found = _home(browser, status="any", reference=f" {disputes['queued'].lower()} ")
    assert _references(found) == [disputes["queued"]]
    assert "1 dispute" in words(found.find(id="worklist-count"))


def test_csc_filters_by_waiting_for_csc_urgent_overdue_and_received_date(
        app, as_, csc, disputes, on_a_monday):
    browser = as_(csc)
    assert _references(_home(browser, waiting="y")) == [disputes["urgent"],
                                                       disputes["escalating"]]
    assert _references(_home(browser, urgent="y")) == [disputes["urgent"]]
    # Raised on 5 November with two working days for stage 1: long overdue by 23 November.
    assert _references(_home(browser, overdue="y")) == [disputes["escalating"]]
    received = _home(browser, status="any", **{
        "received_from": ["5", "11", "2026"], "received_to": ["6", "11", "2026"]})
    assert _references(received) == [disputes["settled"], disputes["escalating"]]


# What a value the form could never send gets, by the filter's name: a refusal (a NUL in the
# reference) or the list (a page past the end), never a 500.
NOT_A_FILTER = {"reference": 400, "page": 200}


@pytest.mark.parametrize("args, message", [
    ({"reference": "Amelia Jones"}, "Enter a reference like D-2026-0042"),
    ({"reference": "D-2026-" + "9" * 40}, "Enter a reference like D-2026-0042"),
    ({"status": "archived"}, "Select a status from the list"),
    ({"received_from": ["31", "2", "2026"]}, "'Received from' must be a real date"),
    ({"received_from": ["1", "1", "99999"]}, "'Received from' must be a real date"),
    ({"received_from": ["3", "11", "2026"], "received_to": ["1", "11", "2026"]},
     "'Received to' must be the same as or after 'Received from'"),
    ({"reference": "D-2026-\x000042"}, None),
    ({"page": "99999999999999999999"}, None),
])
def test_bad_filters_are_a_govuk_error_never_a_500(app, as_, csc, disputes, on_a_monday, args,
                                                   message):
    if message is None:
        _home(as_(csc), _expected_status=NOT_A_FILTER[next(iter(args))], **args)
        return
    response = _home(as_(csc), **args)
    summary = error_summary(response)
    assert summary and summary[0].startswith(message)
    assert response.title.get_text().startswith("Error: ")
    assert response.select_one(".govuk-error-summary__title").get_text(
        strip=True) == "There is a problem"
    # The list is still there, unfiltered.
    assert len(_references(response)) == 3


def test_the_list_is_paginated_with_the_same_queries_for_few_or_many_rows(
        app, as_, csc, make_dispute, on_a_monday):
    browser = as_(csc)
    make_dispute()
    with counting_queries(app) as few:
        _home(browser)
    for _ in range(30):
        make_dispute()
    with counting_queries(app) as many:
        response = _home(browser)
    assert len(_references(response)) == 25
    assert many["n"] == few["n"]
    assert "31 disputes, page 1 of 2" in words(response.find(id="worklist-count"))
    second = _home(browser, page=2)
    assert len(_references(second)) == 6
    assert response.select_one(".govuk-pagination")


def test_each_view_of_the_list_is_audited(app, as_, db, csc, disputes, on_a_monday):
    _home(as_(csc), status="any")
    with app.app_context():
        viewed = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "dispute_list_viewed", AuditEvent.actor_id == csc.id))
        assert viewed.detail["list"] == "csc"


def test_only_csc_managers_reach_the_list(app, as_, make_user, disputes):
    for role, refused in (("referrer", 403), ("panel_member", 403), ("chair", 403)):
        response = as_(make_user(role)).get("home.csc_manager", _expected_status=refused)
        assert disputes["queued"] not in response.response.text


def test_the_list_uses_the_full_page_width(app, as_, csc, disputes, on_a_monday):
    # At two thirds, "Northshire Community Health NHS Trust" wrapped onto four lines a row.
    table = _home(as_(csc)).find(
        "caption", string="Disputes CSC is party to").parent
    assert table.find_parent(class_="govuk-grid-column-two-thirds") is None


# The panel's overturn actions ------------------------------------------------------------------


def test_csc_sees_the_panels_overturn_action_due_and_then_overdue(app, as_, db, history, csc,
                                                                  meeting_day):
    """The panel overturned one decision on 8 December 2026 (s17): CSC owes an action due the
    next working day. Nineteen working days later it is shown as overdue, on CSC's home and on
    the referrer's dispute page, not as "Open"."""
    with app.app_context():
        action = db.session.scalar(sa.select(Action).where(Action.owner_role == "csc_manager"))
        due_on, reference = action.due_on, action.agenda_item.dispute.reference
        dispute_id = action.agenda_item.dispute_id
    assert due_on == date(2026, 12, 9)
    browser = as_(csc)
    section = _home(browser).find(id="csc-actions").find_next("table")
    assert reference in words(section)
    assert "1 working day left" in words(section)

    meeting_day.move_to(datetime(2027, 1, 8, 9, 0, tzinfo=UTC))
    response = _home(as_(csc))  # signed in again: a month has passed
    section = response.find(id="csc-actions").find_next("table")
    assert "Overdue by 19 working days" in words(section)
    assert "1 open action, 1 overdue" in words(response.find(id="csc-actions")
                                               .find_next("p"))
    referrer_view = as_(history.referrer).get("disputes.show", dispute_id=dispute_id)
    after_panel = referrer_view.find(
        "h2", string="What CSC must do after the panel's decision").find_next("ul")
    assert "Overdue by 19 working days" in words(after_panel)
    assert "Open" not in words(after_panel)


def test_many_open_actions_show_the_most_overdue_and_say_how_many_more(
        app, as_, db, csc, make_session, make_agency, on_a_monday):
    session_id = make_session(held_on=date(2026, 11, 2))
    agency_id = make_agency("Northshire Council Children's Social Care")
    with app.app_context():
        for n in range(22):
            db.session.add(Action(
                session_id=session_id, owner_role="csc_manager", agency_id=agency_id,
                description=f"Action {n + 1}", working_days=1, created_by_id=csc.id,
                due_on=date(2026, 11, 3 + n)))
        db.session.commit()
    browser = as_(csc)
    with counting_queries(app) as counted:
        response = _home(browser)
    section = response.find(id="csc-actions")
    assert ("22 open actions, 20 overdue: the 20 due earliest are shown."
            in words(section.find_next("p")))
    rows = section.find_next("table").select("tbody tr")
    assert len(rows) == 20
    assert "Overdue by 14 working days" in words(rows[0])
    with app.app_context():
        db.session.execute(sa.delete(Action).where(Action.description != "Action 1"))
        db.session.commit()
    with counting_queries(app) as one:
        _home(browser)
    assert one["n"] == counted["n"]


def test_the_filters_read_the_same_drawn_afresh_or_remembered(app):
    """The filters' GOV.UK widgets are drawn once per way they look (web/forms.remembered):
    with values, errors and all, the HTML is what the library's own widget writes."""
    from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
    from markupsafe import Markup, escape
    from werkzeug.datastructures import MultiDict

    from moderation.disputes.worklist_forms import WorklistForm

    sent = MultiDict([("reference", "<b>d-1"), ("received_from", "31"),
                      ("received_from", "2"), ("received_from", "2026")])
    with app.test_request_context("/csc"):
        form = WorklistForm(sent)
        form.validate()
        for field, widget in ((form.reference, GovTextInput()),
                              (form.received_from, GovDateInput())):
            remembered = (field(), field())
            assert remembered[0] == remembered[1] == widget(field)
            assert escape(form.errors[field.name][0]) in remembered[0]
        assert "&lt;b&gt;d-1" in form.reference()
        assert (form.reference(params={"label": {"html": Markup("<i>Ref</i>")}})
                != form.reference(params={"label": {"text": "<i>Ref</i>"}}))
