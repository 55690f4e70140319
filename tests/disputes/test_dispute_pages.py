"""Dispute pages as people use them: raising, answering, escalating, the policy and the queue."""

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from moderation.models import AuditEvent, Dispute, DisputeStage
from tests.helpers import RAISE_FORM, banners, counting_queries, error_summary, fetch, heading

pytestmark = pytest.mark.usefixtures("on_a_monday")  # the clock at 09:00 on 23 November 2026


def actions(app):
    with app.app_context():
        return app.extensions["sqlalchemy"].session.scalars(
            sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()


# Raising a dispute ----------------------------------------------------------------------------


def test_an_empty_dispute_form_lists_every_missing_answer(client_request, signed_in):
    signed_in("referrer")
    page = client_request.post("disputes.raise_dispute", {}, _expected_status=200)
    assert error_summary(page) == [
        "Enter the child's full name",
        "Enter the child's date of birth",
        "Enter the date you sent the referral",
        "Select how you sent the referral",
        "Select what you were asking children's social care to do",
        "Select at least one concern",
        "Select the level of need you believed applied",
        "Enter a summary of your referral",
        "Enter the date CSC made the decision",
        "Select whether CSC recorded it as a contact or a referral",
        "Select what CSC decided",
        "Select what you disagree with",
        "Enter why you disagree",
        "Select yes if the child is at immediate risk of significant harm",
    ]
    assert page.select_one('a[href="#child_dob-day"]')


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"child_dob": ["31", "2", "2021"]}, "The child's date of birth must be a real date"),
        ({"csc_decision_date": ["24", "11", "2026"]},
         "The date CSC made the decision must be today or in the past"),
        ({"csc_decision_date": ["1", "11", "2026"]},
         "The date CSC made the decision must be the same as or after the date you sent the "
         "referral"),
        ({"grounds": "x" * 5001}, "Your reasons must be 5000 characters or fewer"),
    ],
)
def test_impossible_answers_are_explained(app, client_request, signed_in, changes, message):
    signed_in("referrer")
    page = client_request.post("disputes.raise_dispute", {**RAISE_FORM, **changes},
                               _expected_status=200)
    assert error_summary(page) == [message]
    assert fetch(app, Dispute, 1) is None


def test_check_answers_then_submit_raises_the_dispute(app, client_request, signed_in):
    referrer = signed_in("referrer")
    check = client_request.post("disputes.raise_dispute", RAISE_FORM, _expected_status=200)
    assert heading(check) == "Check your answers before you submit"
    assert "Neglect, Domestic abuse" in check.response.text
    hidden = {(field["name"], field["value"]) for field in check.select("input[type=hidden]")}
    assert ("child_dob", "14") in hidden and ("concern_categories", "domestic_abuse") in hidden
    submitted = client_request.post("disputes.raise_dispute", {**RAISE_FORM, "action": "submit"})
    dispute = fetch(app, Dispute, 1)
    raised_at = submitted.response.headers["Location"]
    assert raised_at == client_request.url("disputes.raised", dispute_id=dispute.id)
    assert (dispute.referrer_id, dispute.reference) == (referrer.id, "D-2026-0001")
    raised = client_request.get_url(raised_at)
    assert "Children's social care should answer by 25 November 2026" in raised.get_text()
    assert "dispute_raised" in actions(app)


def test_changing_answers_keeps_what_was_typed(client_request, signed_in):
    signed_in("referrer")
    page = client_request.post("disputes.raise_dispute", {**RAISE_FORM, "action": "change"},
                               _expected_status=200)
    assert heading(page) == "Challenge a children's social care decision"
    assert page.select_one("#child_name")["value"] == "Amelia Jones"
    assert page.select_one("#child_dob-day")["value"] == "14"
    assert error_summary(page) == []


def test_immediate_risk_says_what_to_do_now_and_heads_the_csc_list(
        client_request, as_, signed_in, make_user, make_dispute):
    make_dispute(on=date(2026, 11, 16))  # older, ordinary
    signed_in("referrer")
    page = client_request.post("disputes.raise_dispute", {
        **RAISE_FORM, "immediate_risk": "yes", "action": "submit"}, _follow_redirects=True)
    assert "What to do now" in page.response.text
    assert "Call the children's social care duty senior manager now" in page.get_text()
    csc = as_(make_user("csc_manager"))
    rows = csc.get("home.csc_manager").select("tbody tr")
    assert "Urgent" in rows[0].get_text() and "Due today" in rows[0].get_text()


# Need to know ---------------------------------------------------------------------------------


def test_a_referrer_cannot_open_another_referrers_dispute(client_request, signed_in,
                                                          make_dispute):
    dispute = make_dispute()
    signed_in("referrer")
    page = client_request.get("disputes.show", _expected_status=404, dispute_id=dispute)
    assert heading(page) == "Page not found"


def test_a_panel_member_without_a_session_cannot_see_case_detail(client_request, signed_in,
                                                                  make_dispute):
    dispute = make_dispute()
    signed_in("panel_member")
    page = client_request.get("disputes.show", _expected_status=404, dispute_id=dispute)
    assert heading(page) == "Page not found"
    assert "Amelia" not in page.response.text


def test_every_view_of_a_dispute_is_audited(app, client_request, signed_in, make_dispute):
    signed_in("csc_manager")
    dispute = make_dispute()
    for endpoint in ("disputes.show", "disputes.respond", "disputes.confirm"):
        client_request.get(endpoint, dispute_id=dispute)
    assert actions(app).count("dispute_viewed") == 3


def test_the_dispute_page_shows_the_mismatch_in_plain_words(client_request, make_user,
                                                            make_dispute):
    referrer = make_user("referrer")
    dispute = make_dispute(referrer)
    client_request.sign_in(referrer)
    page = client_request.get("disputes.show", dispute_id=dispute)
    assert "You made a referral; CSC recorded it as a contact" in page.response.text
    assert "A contact is logged but does not start an assessment" in page.response.text


# The CSC side ---------------------------------------------------------------------------------


def test_csc_response_mistakes_are_explained(client_request, signed_in, make_dispute):
    signed_in("csc_manager")
    dispute = make_dispute()

    def respond(answers):
        return client_request.post("disputes.respond", answers, _expected_status=200,
                                   dispute_id=dispute)

    assert error_summary(respond({})) == [
        "Enter CSC's response", "Select whether the dispute is settled"]
    assert error_summary(respond({"response": "Reviewed.", "next_step": "settle"})) == [
        "Select CSC's decision now", "Enter what the referrer should be told"]


def test_csc_settles_a_dispute_and_the_referrer_sees_it(app, client_request, as_,
                                                        signed_in, make_user, make_dispute):
    referrer = make_user("referrer")
    dispute = make_dispute(referrer)
    signed_in("csc_manager")
    page = client_request.post("disputes.respond", {
        "response": "On review the threshold is met.", "next_step": "settle",
        "settlement_outcome": "child_and_family_assessment",
        "settlement_note": "A social worker will contact the family this week.",
    }, _follow_redirects=True, dispute_id=dispute)
    assert "The dispute is settled and the referrer has been told." in banners(page)
    assert fetch(app, Dispute, dispute).status == "settled"
    mine = as_(referrer).get("disputes.show", dispute_id=dispute)
    assert "A social worker will contact the family this week." in mine.response.text


def test_the_settled_dispute_page_shows_the_settlement_under_a_heading(
        client_request, as_, signed_in, make_user, make_dispute):
    referrer = make_user("referrer")
    dispute = make_dispute(referrer)
    signed_in("csc_manager")
    client_request.post("disputes.respond", {
        "response": "On review the threshold is met.", "next_step": "settle",
        "settlement_outcome": "child_and_family_assessment",
        "settlement_note": "A social worker will visit <b>this week</b>."}, dispute_id=dispute)
    shown = as_(referrer).get("disputes.show", dispute_id=dispute)
    settlement = shown.select_one(".govuk-inset-text")
    assert settlement.h2.get_text(strip=True) == "Settled on 23 November 2026"
    assert "CSC's decision now: Child and family assessment (section 17)" in settlement.get_text()
    assert "A social worker will visit <b>this week</b>." in settlement.get_text()
    assert settlement.b is None  # what CSC typed is shown as typed, never as markup
    assert "<h2" not in settlement.get_text() and "&lt;" not in settlement.get_text()


def test_the_decision_maker_is_told_they_cannot_answer_second_screening(client_request,
                                                                        signed_in, make_dispute):
    csc = signed_in("csc_manager")
    dispute = make_dispute()
    client_request.post("disputes.confirm", {
        "csc_recorded_as": "contact", "csc_outcome": "no_further_action",
        "csc_rationale": "Universal services are involved.", "decision_maker_id": str(csc.id),
        "authorising_manager_name": "Pat Team Manager", "told_how": "phone",
        "told_on": ["4", "11", "2026"]}, dispute_id=dispute)
    client_request.post("disputes.respond", {"response": "Decision stands.",
                                             "next_step": "unresolved"}, dispute_id=dispute)
    client_request.post("disputes.escalate", {
        "to_position": "3", "skip_reason": "Agreed by both managers"}, dispute_id=dispute)
    page = client_request.post("disputes.respond", {"response": "Still NFA.",
                                                    "next_step": "unresolved"},
                               _expected_status=200, dispute_id=dispute)
    assert error_summary(page) == [
        "You made the original decision, so another CSC manager must answer stage 3 "
        "(independent second screening)"]


# Escalating -----------------------------------------------------------------------------------


def test_skipping_a_stage_without_a_reason_is_refused(client_request, make_user, make_dispute):
    referrer = make_user("referrer")
    dispute = make_dispute(referrer, on=date(2026, 11, 16))  # stage 1 is overdue
    client_request.sign_in(referrer)
    page = client_request.post("disputes.escalate", {"to_position": "3"}, _expected_status=200,
                               dispute_id=dispute)
    assert error_summary(page) == ["Give the reason for skipping a stage"]
    page = client_request.post("disputes.escalate", {"to_position": "2"},
                               _follow_redirects=True, dispute_id=dispute)
    assert "The dispute has been escalated." in banners(page)
    assert "Stage 2: Manager to manager" in page.response.text


def test_a_stage_cannot_be_escalated_too_early(client_request, make_user, make_dispute):
    referrer = make_user("referrer")
    dispute = make_dispute(referrer)
    client_request.sign_in(referrer)
    page = client_request.get("disputes.escalate", _follow_redirects=True, dispute_id=dispute)
    assert "This dispute cannot be escalated now." in banners(page)


def test_the_last_stage_unresolved_puts_the_dispute_in_the_panel_queue(app, client_request,
                                                                       signed_in, make_dispute):
    signed_in("csc_manager")
    dispute = make_dispute(on=date(2026, 11, 9))
    client_request.post("disputes.escalate", {
        "to_position": "4", "skip_reason": "Both managers agree."}, dispute_id=dispute)
    assert fetch(app, Dispute, dispute).status == "queued"


# The escalation policy ------------------------------------------------------------------------


def test_everyone_signed_in_can_read_the_policy(client_request, signed_in):
    signed_in("panel_member")
    page = client_request.get("disputes.policy")
    assert heading(page) == "How to challenge a children's social care decision"
    assert "Stage 3: Independent second screening" in page.response.text
    assert "Change" not in [a.get_text(strip=True) for a in page.select("main a")]


@pytest.mark.parametrize(
    ("working_days", "message"),
    [("abc", "The time limit must be a whole number of working days, like 5"),
     ("0", "The time limit must be between 1 and 60 working days"),
     ("", "Enter the time limit in working days, like 5")],
)
def test_policy_stage_mistakes_are_explained(client_request, signed_in, working_days, message):
    signed_in("partnership_manager")
    page = client_request.post("disputes.policy_stage", {
        "name": "Practitioner to practitioner", "who_acts": "The referrer and practitioner.",
        "answering_role": "csc_manager", "working_days": working_days, "independent": "no"},
        _expected_status=200, position=1)
    assert error_summary(page) == [message]


def test_a_partnership_manager_changes_a_stage(app, client_request, signed_in):
    signed_in("partnership_manager")
    page = client_request.post("disputes.policy_stage", {
        "name": "Manager to manager", "who_acts": "Managers talk.",
        "answering_role": "csc_manager", "working_days": "3", "independent": "no"},
        _follow_redirects=True, position=2)
    assert any("escalation policy has been updated" in b for b in banners(page))
    assert "Time limit: 3 working days." in page.response.text
    assert "policy_updated" in actions(app)


# The panel queue ------------------------------------------------------------------------------


def test_the_queue_page_runs_the_same_queries_for_few_or_many_rows(app, client_request,
                                                                   signed_in, queue_disputes):
    signed_in("chair", seat="chair")
    queue_disputes({}, {})
    with counting_queries(app) as few:
        client_request.get("disputes.panel_queue")
    queue_disputes(*[{}] * 20)
    with counting_queries(app) as many:
        page = client_request.get("disputes.panel_queue")
    assert len(page.select("tbody tr")) == 22
    assert many["n"] == few["n"]


def test_the_queue_filters_and_exports_without_names(app, client_request, signed_in,
                                                     queue_disputes):
    signed_in("partnership_manager")
    queue_disputes({"immediate_risk": True})
    queue_disputes(*[{"level_of_need": 2, "concern_categories": ["sexual_abuse"]}] * 2)

    def rows(**query):
        return client_request.get("disputes.panel_queue", **query).select("tbody tr")

    # The urgent dispute waits in no monthly queue (rule 14): it is listed above the table.
    urgent = client_request.get("disputes.panel_queue").select(
        "#urgent dd.govuk-summary-list__value")
    assert len(urgent) == 1
    assert len(rows(level=2)) == 2
    assert len(rows(category="sexual_abuse")) == 2
    assert len(rows(reference="D-2026-0002")) == 1
    assert len(rows(level="nonsense", stage="x")) == 2
    exported = client_request.get("disputes.panel_queue_csv", level=2).response
    lines = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert lines[0][0] == "Reference" and len(lines) == 3
    assert "Amelia" not in exported.get_data(as_text=True)
    assert "queue_exported" in actions(app)


def test_stages_keep_their_terms_when_the_policy_changes(app, client_request, signed_in,
                                                         make_dispute):
    dispute = make_dispute()
    signed_in("partnership_manager")
    client_request.post("disputes.policy_stage", {
        "name": "Practitioner to practitioner", "who_acts": "Talk.",
        "answering_role": "csc_manager", "working_days": "9", "independent": "no"}, position=1)
    with app.app_context():
        stage = app.extensions["sqlalchemy"].session.scalar(
            sa.select(DisputeStage).where(DisputeStage.dispute_id == dispute))
        assert stage.working_days == 2
