"""Dispute pages as people use them: raising, answering, escalating, the policy and the queue."""

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from moderation.models import AuditEvent, Dispute, DisputeStage
from tests.conftest import banners, error_summary, heading, page, post, url
from tests.helpers import RAISE_FORM, counting_queries, fetch

pytestmark = pytest.mark.usefixtures("on_a_monday")  # the clock at 09:00 on 23 November 2026


def actions(app):
    with app.app_context():
        return app.extensions["sqlalchemy"].session.scalars(
            sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()


# Raising a dispute ----------------------------------------------------------------------------


def test_an_empty_dispute_form_lists_every_missing_answer(client, signed_in):
    signed_in("referrer")
    response = post(client, url(client, "disputes.raise_dispute"), {})
    assert error_summary(response) == [
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
    assert page(response).select_one('a[href="#child_dob-day"]')


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
def test_impossible_answers_are_explained(app, client, signed_in, changes, message):
    signed_in("referrer")
    response = post(client, url(client, "disputes.raise_dispute"), {**RAISE_FORM, **changes})
    assert error_summary(response) == [message]
    assert fetch(app, Dispute, 1) is None


def test_check_answers_then_submit_raises_the_dispute(app, client, signed_in):
    referrer = signed_in("referrer")
    check = post(client, url(client, "disputes.raise_dispute"), RAISE_FORM)
    assert heading(check) == "Check your answers before you submit"
    assert "Neglect, Domestic abuse" in check.text
    hidden = {(field["name"], field["value"]) for field in page(check).select("input[type=hidden]")}
    assert ("child_dob", "14") in hidden and ("concern_categories", "domestic_abuse") in hidden
    response = post(client, url(client, "disputes.raise_dispute"),
                    {**RAISE_FORM, "action": "submit"})
    dispute = fetch(app, Dispute, 1)
    assert response.headers["Location"] == url(client, "disputes.raised", dispute_id=dispute.id)
    assert (dispute.referrer_id, dispute.reference) == (referrer.id, "D-2026-0001")
    raised = client.get(response.headers["Location"])
    assert "Children's social care should answer by 25 November 2026" in page(raised).get_text()
    assert "dispute_raised" in actions(app)


def test_changing_answers_keeps_what_was_typed(client, signed_in):
    signed_in("referrer")
    response = post(client, url(client, "disputes.raise_dispute"),
                    {**RAISE_FORM, "action": "change"})
    assert heading(response) == "Challenge a children's social care decision"
    assert page(response).select_one("#child_name")["value"] == "Amelia Jones"
    assert page(response).select_one("#child_dob-day")["value"] == "14"
    assert error_summary(response) == []


def test_immediate_risk_says_what_to_do_now_and_heads_the_csc_list(app, client, signed_in,
                                                                    make_user, make_dispute):
    make_dispute(on=date(2026, 11, 16))  # older, ordinary
    signed_in("referrer")
    response = post(client, url(client, "disputes.raise_dispute"), {
        **RAISE_FORM, "immediate_risk": "yes", "action": "submit"}, follow_redirects=True)
    assert "What to do now" in response.text
    assert "Call the children's social care duty senior manager now" in page(response).get_text()
    csc = app.test_client()
    from tests.conftest import sign_in

    sign_in(csc, make_user("csc_manager"))
    rows = page(csc.get(url(csc, "home.csc_manager"))).select("tbody tr")
    assert "Urgent" in rows[0].get_text() and "Due today" in rows[0].get_text()


# Need to know ---------------------------------------------------------------------------------


def test_a_referrer_cannot_open_another_referrers_dispute(client, signed_in, make_dispute):
    dispute = make_dispute()
    signed_in("referrer")
    response = client.get(url(client, "disputes.show", dispute_id=dispute))
    assert response.status_code == 404
    assert heading(response) == "Page not found"


def test_a_panel_member_without_a_session_cannot_see_case_detail(client, signed_in,
                                                                  make_dispute):
    dispute = make_dispute()
    signed_in("panel_member")
    response = client.get(url(client, "disputes.show", dispute_id=dispute))
    assert (response.status_code, heading(response)) == (404, "Page not found")
    assert "Amelia" not in response.text


def test_every_view_of_a_dispute_is_audited(app, client, signed_in, make_dispute):
    signed_in("csc_manager")
    dispute = make_dispute()
    for endpoint in ("disputes.show", "disputes.respond", "disputes.confirm"):
        client.get(url(client, endpoint, dispute_id=dispute))
    assert actions(app).count("dispute_viewed") == 3


def test_the_dispute_page_shows_the_mismatch_in_plain_words(client, make_user, make_dispute):
    referrer = make_user("referrer")
    dispute = make_dispute(referrer)
    from tests.conftest import sign_in

    sign_in(client, referrer)
    response = client.get(url(client, "disputes.show", dispute_id=dispute))
    assert "You made a referral; CSC recorded it as a contact" in response.text
    assert "A contact is logged but does not start an assessment" in response.text


# The CSC side ---------------------------------------------------------------------------------


def test_csc_response_mistakes_are_explained(client, signed_in, make_dispute):
    signed_in("csc_manager")
    dispute = make_dispute()
    respond = url(client, "disputes.respond", dispute_id=dispute)
    assert error_summary(post(client, respond, {})) == [
        "Enter CSC's response", "Select whether the dispute is settled"]
    assert error_summary(post(client, respond, {
        "response": "Reviewed.", "next_step": "settle"})) == [
        "Select CSC's decision now", "Enter what the referrer should be told"]


def test_csc_settles_a_dispute_and_the_referrer_sees_it(app, client, signed_in, make_user,
                                                        make_dispute):
    referrer = make_user("referrer")
    dispute = make_dispute(referrer)
    signed_in("csc_manager")
    response = post(client, url(client, "disputes.respond", dispute_id=dispute), {
        "response": "On review the threshold is met.", "next_step": "settle",
        "settlement_outcome": "child_and_family_assessment",
        "settlement_note": "A social worker will contact the family this week.",
    }, follow_redirects=True)
    assert "The dispute is settled and the referrer has been told." in banners(response)
    assert fetch(app, Dispute, dispute).status == "settled"
    from tests.conftest import sign_in

    theirs = app.test_client()
    sign_in(theirs, referrer)
    mine = theirs.get(url(theirs, "disputes.show", dispute_id=dispute))
    assert "A social worker will contact the family this week." in mine.text


def test_the_settled_dispute_page_shows_the_settlement_under_a_heading(app, client, signed_in,
                                                                       make_user, make_dispute):
    referrer = make_user("referrer")
    dispute = make_dispute(referrer)
    signed_in("csc_manager")
    post(client, url(client, "disputes.respond", dispute_id=dispute), {
        "response": "On review the threshold is met.", "next_step": "settle",
        "settlement_outcome": "child_and_family_assessment",
        "settlement_note": "A social worker will visit <b>this week</b>."})
    from tests.conftest import sign_in

    theirs = app.test_client()
    sign_in(theirs, referrer)
    shown = theirs.get(url(theirs, "disputes.show", dispute_id=dispute))
    settlement = page(shown).select_one(".govuk-inset-text")
    assert settlement.h2.get_text(strip=True) == "Settled on 23 November 2026"
    assert "CSC's decision now: Child and family assessment (section 17)" in settlement.get_text()
    assert "A social worker will visit <b>this week</b>." in settlement.get_text()
    assert settlement.b is None  # what CSC typed is shown as typed, never as markup
    assert "<h2" not in settlement.get_text() and "&lt;" not in settlement.get_text()


def test_the_decision_maker_is_told_they_cannot_answer_second_screening(app, client, signed_in,
                                                                        make_dispute):
    csc = signed_in("csc_manager")
    dispute = make_dispute()
    respond = url(client, "disputes.respond", dispute_id=dispute)
    post(client, url(client, "disputes.confirm", dispute_id=dispute), {
        "csc_recorded_as": "contact", "csc_outcome": "no_further_action",
        "csc_rationale": "Universal services are involved.", "decision_maker_id": str(csc.id),
        "authorising_manager_name": "Pat Team Manager", "told_how": "phone",
        "told_on": ["4", "11", "2026"]})
    post(client, respond, {"response": "Decision stands.", "next_step": "unresolved"})
    post(client, url(client, "disputes.escalate", dispute_id=dispute), {
        "to_position": "3", "skip_reason": "Agreed by both managers"})
    response = post(client, respond, {"response": "Still NFA.", "next_step": "unresolved"})
    assert error_summary(response) == [
        "You made the original decision, so another CSC manager must answer stage 3 "
        "(independent second screening)"]


# Escalating -----------------------------------------------------------------------------------


def test_skipping_a_stage_without_a_reason_is_refused(app, client, make_user, make_dispute):
    from tests.conftest import sign_in

    referrer = make_user("referrer")
    dispute = make_dispute(referrer, on=date(2026, 11, 16))  # stage 1 is overdue
    sign_in(client, referrer)
    escalate = url(client, "disputes.escalate", dispute_id=dispute)
    response = post(client, escalate, {"to_position": "3"})
    assert error_summary(response) == ["Give the reason for skipping a stage"]
    response = post(client, escalate, {"to_position": "2"}, follow_redirects=True)
    assert "The dispute has been escalated." in banners(response)
    assert "Stage 2: Manager to manager" in response.text


def test_a_stage_cannot_be_escalated_too_early(client, make_user, make_dispute):
    from tests.conftest import sign_in

    referrer = make_user("referrer")
    dispute = make_dispute(referrer)
    sign_in(client, referrer)
    response = client.get(url(client, "disputes.escalate", dispute_id=dispute),
                          follow_redirects=True)
    assert "This dispute cannot be escalated now." in banners(response)


def test_the_last_stage_unresolved_puts_the_dispute_in_the_panel_queue(app, client, signed_in,
                                                                       make_dispute):
    signed_in("csc_manager")
    dispute = make_dispute(on=date(2026, 11, 9))
    post(client, url(client, "disputes.escalate", dispute_id=dispute), {
        "to_position": "4", "skip_reason": "Both managers agree."})
    assert fetch(app, Dispute, dispute).status == "queued"


# The escalation policy ------------------------------------------------------------------------


def test_everyone_signed_in_can_read_the_policy(client, signed_in):
    signed_in("panel_member")
    response = client.get(url(client, "disputes.policy"))
    assert heading(response) == "How to challenge a children's social care decision"
    assert "Stage 3: Independent second screening" in response.text
    assert "Change" not in [a.get_text(strip=True) for a in page(response).select("main a")]


@pytest.mark.parametrize(
    ("working_days", "message"),
    [("abc", "The time limit must be a whole number of working days, like 5"),
     ("0", "The time limit must be between 1 and 60 working days"),
     ("", "Enter the time limit in working days, like 5")],
)
def test_policy_stage_mistakes_are_explained(client, signed_in, working_days, message):
    signed_in("partnership_manager")
    response = post(client, url(client, "disputes.policy_stage", position=1), {
        "name": "Practitioner to practitioner", "who_acts": "The referrer and practitioner.",
        "answering_role": "csc_manager", "working_days": working_days, "independent": "no"})
    assert error_summary(response) == [message]


def test_a_partnership_manager_changes_a_stage(app, client, signed_in):
    signed_in("partnership_manager")
    response = post(client, url(client, "disputes.policy_stage", position=2), {
        "name": "Manager to manager", "who_acts": "Managers talk.",
        "answering_role": "csc_manager", "working_days": "3", "independent": "no"},
        follow_redirects=True)
    assert any("escalation policy has been updated" in b for b in banners(response))
    assert "Time limit: 3 working days." in response.text
    assert "policy_updated" in actions(app)


# The panel queue ------------------------------------------------------------------------------


def test_the_queue_page_runs_the_same_queries_for_few_or_many_rows(app, client, signed_in,
                                                                   queue_disputes):
    signed_in("chair", seat="chair")
    queue_disputes({}, {})
    with counting_queries(app) as few:
        client.get(url(client, "disputes.panel_queue"))
    queue_disputes(*[{}] * 20)
    with counting_queries(app) as many:
        response = client.get(url(client, "disputes.panel_queue"))
    assert len(page(response).select("tbody tr")) == 22
    assert many["n"] == few["n"]


def test_the_queue_filters_and_exports_without_names(app, client, signed_in, queue_disputes):
    signed_in("partnership_manager")
    queue_disputes({"immediate_risk": True})
    queue_disputes(*[{"level_of_need": 2, "concern_categories": ["sexual_abuse"]}] * 2)

    def queue(**query):
        return url(client, "disputes.panel_queue", **query)

    # The urgent dispute waits in no monthly queue (rule 14): it is listed above the table.
    assert len(page(client.get(queue())).select("#urgent dd.govuk-summary-list__value")) == 1
    assert len(page(client.get(queue(level=2))).select("tbody tr")) == 2
    assert len(page(client.get(queue(category="sexual_abuse"))).select("tbody tr")) == 2
    assert len(page(client.get(queue(reference="D-2026-0002"))).select("tbody tr")) == 1
    assert len(page(client.get(queue(level="nonsense", stage="x"))).select("tbody tr")) == 2
    exported = client.get(url(client, "disputes.panel_queue_csv", level=2))
    lines = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert lines[0][0] == "Reference" and len(lines) == 3
    assert "Amelia" not in exported.get_data(as_text=True)
    assert "queue_exported" in actions(app)


def test_stages_keep_their_terms_when_the_policy_changes(app, client, signed_in, make_dispute):
    dispute = make_dispute()
    signed_in("partnership_manager")
    post(client, url(client, "disputes.policy_stage", position=1), {
        "name": "Practitioner to practitioner", "who_acts": "Talk.",
        "answering_role": "csc_manager", "working_days": "9", "independent": "no"})
    with app.app_context():
        stage = app.extensions["sqlalchemy"].session.scalar(
            sa.select(DisputeStage).where(DisputeStage.dispute_id == dispute))
        assert stage.working_days == 2
