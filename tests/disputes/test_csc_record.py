"""CSC's own record of its decision, beside the referrer's account, and the independent second
screening that refuses whoever made, authorised or already answered the decision."""

from datetime import date

import pytest
import sqlalchemy as sa

from moderation.disputes import escalating, responding
from moderation.models import AuditEvent, Dispute, DisputeStage, User
from tests.conftest import banners, client_for, error_summary, heading, page, post, url

pytestmark = pytest.mark.usefixtures("on_a_monday")


RECORD = {
    "csc_recorded_as": "contact", "csc_outcome": "no_further_action",
    "csc_rationale": "Universal services are involved and <b>no</b> harm was seen.",
    "decision_maker_name": "Dana Duty Worker", "told_how": "phone",
    "told_on": ["5", "11", "2026"],
}


def record_for(client, dispute, **changes):
    fields = {**RECORD, **changes}
    return post(client, url(client, "disputes.confirm", dispute_id=dispute),
                {k: v for k, v in fields.items() if v is not None}, follow_redirects=True)


def stored(app, dispute):
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        record = session.get(Dispute, dispute)
        session.expunge_all()
        return record


def audit_actions(app):
    with app.app_context():
        return app.extensions["sqlalchemy"].session.scalars(
            sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()


# Recording CSC's decision ---------------------------------------------------------------------


def test_an_empty_record_lists_what_csc_must_say(app, make_user, make_dispute):
    csc = make_user("csc_manager")
    dispute = make_dispute()
    response = post(client_for(app, csc), url(app, "disputes.confirm", dispute_id=dispute), {
        "csc_recorded_as": "contact", "csc_outcome": "no_further_action"})
    assert heading(response) == "Confirm or correct CSC's decision"
    assert error_summary(response) == [
        "Enter CSC's rationale for its decision",
        "Select the decision maker, or enter their name if they do not use this service",
        "Select the authorising manager, or enter their name if they do not use this service",
        "Select how CSC told the referrer of its decision",
    ]
    assert stored(app, dispute).csc_confirmed_at is None


@pytest.mark.parametrize(("changes", "message"), [
    ({"told_on": ["24", "11", "2026"]},
     "The date CSC told the referrer must be today or in the past"),
    ({"told_on": ["3", "11", "2026"]},
     "The date CSC told the referrer must be the same as or after the date CSC made the "
     "decision (4 November 2026)"),
    ({"told_on": ["31", "2", "2026"]}, "The date CSC told the referrer must be a real date"),
    ({"told_on": None}, "Enter the date CSC told the referrer"),
    ({"told_how": "not_told"}, "Leave the date empty if the referrer was not told"),
    ({"authorising_manager_name": "Sam Senior", "authorising_manager_id": "CSC"},
     "Select the authorising manager or enter their name, not both"),
])
def test_impossible_records_are_refused_and_nothing_is_kept(app, make_user, make_dispute,
                                                          changes, message):
    csc = make_user("csc_manager", name="Casey Manager")
    dispute = make_dispute()
    if changes.get("authorising_manager_id") == "CSC":
        changes["authorising_manager_id"] = str(csc.id)
    else:
        changes.setdefault("authorising_manager_id", str(csc.id))
    response = record_for(client_for(app, csc), dispute, **changes)
    assert error_summary(response) == [message]
    assert stored(app, dispute).csc_rationale is None


def test_a_manager_who_uses_the_service_is_chosen_not_typed(app, make_user, make_dispute):
    csc = make_user("csc_manager", name="Casey Manager")
    dispute = make_dispute()
    response = record_for(client_for(app, csc), dispute, authorising_manager_name="casey manager")
    assert error_summary(response) == [
        "casey manager uses this service: select them as the authorising manager instead of "
        "typing their name"]


def test_someone_who_is_not_a_csc_manager_cannot_be_chosen(app, make_user, make_dispute):
    csc = make_user("csc_manager")
    referrer = make_user("referrer")
    dispute = make_dispute(referrer)
    response = record_for(client_for(app, csc), dispute, authorising_manager_id=str(referrer.id))
    assert error_summary(response) == [
        "Select one of the CSC managers listed as the authorising manager"]


def test_the_referrer_not_told_needs_no_date(app, make_user, make_dispute):
    csc = make_user("csc_manager")
    dispute = make_dispute()
    response = record_for(client_for(app, csc), dispute, told_how="not_told", told_on=None,
                          authorising_manager_id=str(csc.id))
    assert "CSC's decision has been recorded." in banners(response)
    record = page(response).select_one("#cscs-record").get_text(" ", strip=True)
    assert "The referrer was not told" in record


def test_before_csc_records_its_decision_the_page_says_so(app, make_user, make_dispute):
    referrer = make_user("referrer")
    dispute = make_dispute(referrer)
    shown = page(client_for(app, referrer).get(url(app, "disputes.show", dispute_id=dispute)))
    assert "CSC has not recorded its decision yet" in shown.select_one("#cscs-record").get_text()
    account = shown.select_one("#referrers-account").get_text(" ", strip=True)
    assert "No further action" in account and "Duty social worker" in account


def test_the_referrers_account_and_cscs_record_are_side_by_side(app, make_user, make_dispute):
    referrer = make_user("referrer")
    csc = make_user("csc_manager", name="Casey Manager")
    dispute = make_dispute(referrer)
    response = record_for(client_for(app, csc), dispute, csc_recorded_as="referral",
                          csc_outcome="information_or_advice",
                          authorising_manager_id=str(csc.id))
    assert "CSC's decision has been recorded." in banners(response)
    shown = page(client_for(app, referrer).get(url(app, "disputes.show", dispute_id=dispute)))
    row = shown.select_one("#csc-decision")
    assert "govuk-grid-row" in row["class"]
    columns = row.select(":scope > .govuk-grid-column-one-half")
    assert [column.h3.get_text(strip=True) for column in columns] == [
        "What the referrer was told", "CSC's record"]
    told = dict(_rows(columns[0]))
    assert told == {"Recorded as": "Contact", "Decision": "No further action",
                    "Decision maker": "Duty social worker",
                    "Reasons given": "Universal services involved."}
    record = dict(_rows(columns[1]))
    assert record == {
        "Recorded as": "Referral", "Decision": "Information or advice",
        "Rationale": "Universal services are involved and <b>no</b> harm was seen.",
        "Decision maker": "Dana Duty Worker", "Authorising manager": "Casey Manager",
        "Told the referrer": "5 November 2026, by phone"}
    assert columns[1].b is None  # what CSC typed is shown as typed, never as markup


def _rows(column):
    for row in column.select(".govuk-summary-list__row"):
        yield (row.select_one("dt").get_text(strip=True),
               row.select_one("dd").get_text(" ", strip=True))


def test_recording_the_decision_is_audited_and_a_correction_tells_the_referrer(
        app, make_user, make_dispute):
    referrer = make_user("referrer")
    csc = make_user("csc_manager")
    dispute = make_dispute(referrer)
    record_for(client_for(app, csc), dispute, csc_recorded_as="referral",
               authorising_manager_id=str(csc.id))
    assert "csc_decision_confirmed" in audit_actions(app)
    notes = page(client_for(app, referrer).get(url(app, "notifications.index"))).get_text(" ")
    assert (f"CSC has corrected how it recorded the decision you disputed in "
            f"{stored(app, dispute).reference}.") in " ".join(notes.split())


def test_the_confirm_page_shows_what_csc_recorded_last_time(app, make_user, make_dispute):
    csc = make_user("csc_manager")
    dispute = make_dispute()
    client = client_for(app, csc)
    record_for(client, dispute, authorising_manager_id=str(csc.id))
    form = page(client.get(url(app, "disputes.confirm", dispute_id=dispute)))
    assert form.select_one("#csc_rationale").get_text().strip().startswith("Universal services")
    assert form.select_one("#decision_maker_name")["value"] == "Dana Duty Worker"
    selected = form.select_one("#authorising_manager_id option[selected]")
    assert selected["value"] == str(csc.id)


# Independent second screening -----------------------------------------------------------------


@pytest.fixture
def at_second_screening(app, make_user, make_dispute):
    """A dispute whose stage 1 `first` answered, whose decision `maker` made and `authoriser`
    authorised (CSC's record), escalated to the independent second screening (stage 3)."""

    def make():
        referrer = make_user("referrer")
        people = {name: make_user("csc_manager", name=name.title())
                  for name in ("first", "maker", "authoriser", "other")}
        dispute = make_dispute(referrer)
        with app.app_context():
            session = app.extensions["sqlalchemy"].session
            record = session.get(Dispute, dispute)
            get = lambda person: session.get(User, person.id)  # noqa: E731
            responding.confirm_decision(record, get(people["first"]), "contact",
                                        "no_further_action", record=responding.CscRecord(
                                          rationale="Universal services are enough.",
                                          decision_maker_id=people["maker"].id,
                                          authorising_manager_id=people["authoriser"].id,
                                          told_how="phone", told_on=date(2026, 11, 5)))
            responding.respond(record, get(people["first"]), "The decision stands.")
            escalating.escalate(record, get(referrer), to_position=3,
                                skip_reason="Both managers agreed to go straight to screening",
                              on=date(2026, 11, 23))
            assert record.current_stage.independent
            session.commit()
        return dispute, people

    return make


@pytest.mark.parametrize(("who", "reason"), [
    ("first", "You answered stage 1 of this dispute"),
    ("maker", "You made the original decision"),
    ("authoriser", "You authorised the original decision"),
])
def test_a_manager_who_is_not_independent_is_refused_before_typing(app, at_second_screening,
                                                                  who, reason):
    dispute, people = at_second_screening()
    client = client_for(app, people[who])
    explanation = (f"{reason}, so another CSC manager must answer stage 3 (independent "
                   "second screening).")
    respond = client.get(url(app, "disputes.respond", dispute_id=dispute))
    assert heading(respond) == "Respond for children's social care"
    assert page(respond).select_one(".govuk-warning-text__text").get_text(
        " ", strip=True) == f"Warning {explanation}"
    assert page(respond).select_one("textarea") is None  # no form to type into

    shown = page(client.get(url(app, "disputes.show", dispute_id=dispute)))
    assert shown.select_one("#not-independent").get_text(" ", strip=True) == explanation
    assert "Respond for CSC" not in shown.get_text()


@pytest.mark.parametrize("who", ["first", "maker", "authoriser"])
def test_a_response_sent_anyway_is_refused_and_not_kept(app, at_second_screening, who):
    dispute, people = at_second_screening()
    response = post(client_for(app, people[who]), url(app, "disputes.respond", dispute_id=dispute),
                    {"response": "I still think so.", "next_step": "unresolved"})
    (message,) = error_summary(response)
    assert message.endswith(
        "so another CSC manager must answer stage 3 (independent second screening)")
    with app.app_context():
        stage = app.extensions["sqlalchemy"].session.scalar(
            sa.select(DisputeStage).where(DisputeStage.dispute_id == dispute,
                                          DisputeStage.position == 3))
        assert stage.response is None


def test_another_csc_manager_answers_the_second_screening(app, at_second_screening):
    dispute, people = at_second_screening()
    client = client_for(app, people["other"])
    shown = page(client.get(url(app, "disputes.show", dispute_id=dispute)))
    assert shown.select_one("#not-independent") is None
    assert shown.find("a", string="Respond for CSC")
    assert page(client.get(url(app, "disputes.respond", dispute_id=dispute))).select_one(
        "textarea#response")
    response = post(client, url(app, "disputes.respond", dispute_id=dispute), {
        "response": "Screened again: the decision stands.", "next_step": "unresolved"},
        follow_redirects=True)
    assert ("Your response has been sent. The referrer can escalate the dispute."
            in banners(response))
    assert "Screened again: the decision stands." in response.text


def test_the_manager_who_answered_stage_one_may_answer_stage_two(app, make_user, make_dispute):
    """Only the independent stage asks for someone new: stage 2 is the managers talking."""
    csc = make_user("csc_manager")
    referrer = make_user("referrer")
    dispute = make_dispute(referrer)
    client = client_for(app, csc)
    post(client, url(app, "disputes.respond", dispute_id=dispute),
         {"response": "The decision stands.", "next_step": "unresolved"})
    post(client_for(app, referrer), url(app, "disputes.escalate", dispute_id=dispute),
         {"to_position": "2"})
    form = page(client.get(url(app, "disputes.respond", dispute_id=dispute)))
    assert form.select_one("textarea#response") and form.select_one(".govuk-warning-text") is None


def test_on_the_urgent_route_the_independent_stage_is_named_as_it_is_there(
        app, make_user, make_dispute):
    """Urgent stage 2 is the head of service's review, not an independent second screening:
    the manager who made the decision is told which stage another manager must answer."""
    referrer, maker = make_user("referrer"), make_user("csc_manager", name="Maker")
    dispute = make_dispute(referrer, immediate_risk=True)
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        record = session.get(Dispute, dispute)
        responding.confirm_decision(record, session.get(User, maker.id), "contact",
                                    "no_further_action", record=responding.CscRecord(
                                      rationale="Universal services are enough.",
                                      decision_maker_id=maker.id,
                                      authorising_manager_name="Pat Senior",
                                      told_how="phone",
                                      told_on=date(2026, 11, 5)))
        escalating.escalate(record, session.get(User, referrer.id), to_position=2,
                            skip_reason="The team manager is away today", on=date(2026, 11, 23))
        assert record.current_stage.independent
        session.commit()
    client = client_for(app, maker)
    shown = page(client.get(url(app, "disputes.show", dispute_id=dispute)))
    assert shown.select_one("#not-independent").get_text(" ", strip=True) == (
        "You made the original decision, so another CSC manager must answer urgent stage 2 "
        "(head of service).")
    other = client_for(app, make_user("csc_manager", name="Other"))
    confirm = page(other.get(url(app, "disputes.confirm", dispute_id=dispute))).get_text(" ")
    assert "second screening" not in confirm
    assert "Urgent stage 2 (head of service) cannot be answered by this person." in " ".join(
        confirm.split())
