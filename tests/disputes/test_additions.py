"""The referrer's manager, named at escalation, and the new information the referrer (or that
manager) adds at each escalation and while the dispute waits for panel, until the papers are
fixed."""

from datetime import date

import pytest
import sqlalchemy as sa

from moderation.disputes import papers, responding, settling
from moderation.models import (
    AuditEvent,
    Dispute,
    DisputeAddition,
    Notification,
    PanelSession,
    User,
)
from moderation.panels import agenda
from moderation.web.boundary import Refusal
from tests.conftest import banners, client_for, error_summary, heading, page, post, url

pytestmark = pytest.mark.usefixtures("on_a_monday")


@pytest.fixture
def people(make_agency, make_user):
    """A health visitor, her manager and a colleague in one agency; a referrer of another."""
    health = make_agency("Northshire Health")
    return {
        "referrer": make_user("referrer", name="Hana Visitor", agency_id=health),
        "manager": make_user("referrer", name="Morgan Manager", agency_id=health),
        "outsider": make_user("referrer", name="Olu Other", agency_id=make_agency("School")),
        "csc": make_user("csc_manager", name="Casey Csc"),
    }


def answered(app, dispute, csc):
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        responding.respond(session.get(Dispute, dispute), session.get(User, csc.id),
                           "The decision stands.")
        session.commit()


def escalate(app, people, dispute, **fields):
    return post(client_for(app, people["referrer"]),
                url(app, "disputes.escalate", dispute_id=dispute),
                {"to_position": "2", **fields}, follow_redirects=True)


def additions(app):
    with app.app_context():
        return app.extensions["sqlalchemy"].session.execute(
            sa.select(DisputeAddition.text, DisputeAddition.stage_position,
                      DisputeAddition.author_id)).all()


def audit_actions(app):
    with app.app_context():
        return app.extensions["sqlalchemy"].session.scalars(
            sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()


def manager_of(app, dispute):
    with app.app_context():
        return app.extensions["sqlalchemy"].session.get(Dispute, dispute).referrer_manager_id


# At escalation --------------------------------------------------------------------------------


def test_the_referrer_adds_information_and_names_their_manager_at_escalation(app, people,
                                                                            make_dispute):
    dispute = make_dispute(people["referrer"])
    answered(app, dispute, people["csc"])
    form = page(client_for(app, people["referrer"]).get(url(app, "disputes.escalate",
                                                     dispute_id=dispute)))
    offered = [option.get_text(strip=True) for option in
               form.select("#referrer_manager_id option")]
    assert offered == ["Not named", "Morgan Manager"]  # her agency, not herself, no outsider
    response = escalate(app, people, dispute, referrer_manager_id=str(people["manager"].id),
                        new_information="The child missed <b>two</b> nursery sessions this week.")
    assert "The dispute has been escalated." in banners(response)
    shown = page(response)
    timeline = [h3.get_text(" ", strip=True) for h3 in shown.select(".app-timeline h3")]
    assert timeline[-1] == ("New information added by Hana Visitor, 23 November 2026, 9:00am, "
                            "at stage 2")
    (card,) = shown.select(".app-addition")
    assert card.select_one(".govuk-tag").get_text(strip=True) == "New"
    assert "The child missed <b>two</b> nursery sessions this week." in card.get_text()
    assert card.b is None
    assert shown.find("h2", string="New information from the referrer")
    assert additions(app) == [("The child missed <b>two</b> nursery sessions this week.", 2,
                               people["referrer"].id)]
    assert manager_of(app, dispute) == people["manager"].id
    assert {"information_added", "referrer_manager_named"} <= set(audit_actions(app))


def test_escalating_without_information_adds_nothing(app, people, make_dispute):
    dispute = make_dispute(people["referrer"])
    answered(app, dispute, people["csc"])
    assert "The dispute has been escalated." in banners(escalate(app, people, dispute))
    assert additions(app) == [] and manager_of(app, dispute) is None


def test_a_user_of_another_agency_cannot_be_named_manager(app, people, make_dispute):
    dispute = make_dispute(people["referrer"])
    answered(app, dispute, people["csc"])
    response = escalate(app, people, dispute, referrer_manager_id=str(people["outsider"].id),
                        new_information="More news.")
    assert heading(response) == "Escalate the dispute"
    assert error_summary(response) == ["Select your manager from the people in your own agency"]
    with app.app_context():
        record = app.extensions["sqlalchemy"].session.get(Dispute, dispute)
        assert (record.referrer_manager_id, len(record.stages)) == (None, 1)  # nothing kept
    assert additions(app) == []


def test_csc_escalating_is_not_offered_the_referrers_fields(app, people, make_dispute):
    dispute = make_dispute(people["referrer"])
    answered(app, dispute, people["csc"])
    form = page(client_for(app, people["csc"]).get(
        url(app, "disputes.escalate", dispute_id=dispute)))
    assert form.select_one("#new_information") is None
    assert form.select_one("#referrer_manager_id") is None
    assert form.select_one("#to_position")


# The referrer's manager -----------------------------------------------------------------------


@pytest.fixture
def with_manager(app, people, make_dispute):
    dispute = make_dispute(people["referrer"])
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        papers.name_referrer_manager(session.get(Dispute, dispute),
                                     session.get(User, people["referrer"].id),
                                       people["manager"].id)
        session.commit()
    return dispute


def test_the_named_manager_reads_the_dispute_and_adds_information(app, people, with_manager):
    client = client_for(app, people["manager"])
    shown = client.get(url(app, "disputes.show", dispute_id=with_manager))
    assert heading(shown).startswith("Dispute D-2026-")
    assert page(shown).find("a", string="Add new information")
    assert page(shown).find("a", string="Escalate") is None
    response = post(client, url(app, "disputes.add_information", dispute_id=with_manager),
                    {"text": "I have spoken to the school: attendance is 60%."},
                    follow_redirects=True)
    assert "Your new information has been added to the dispute." in banners(response)
    timeline = [h3.get_text(" ", strip=True) for h3 in page(response).select(".app-timeline h3")]
    assert "New information added by Morgan Manager, 23 November 2026, 9:00am, at stage 1" in (
        timeline)


def test_the_named_manager_is_told_and_finds_the_dispute_on_their_home_page(app, people,
                                                                          with_manager):
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        told = session.scalars(sa.select(Notification).where(
            Notification.user_id == people["manager"].id)).all()
        reference = session.get(Dispute, with_manager).reference
    assert [notice.message for notice in told] == [
        f"Hana Visitor has named you as their manager on dispute {reference}. You can read it "
        "and add information to it."]
    home = page(client_for(app, people["manager"]).get(url(app, "home.referrer")))
    table = home.find("caption", string="Disputes you are named manager on").find_parent("table")
    assert table.find("a", string=reference)
    outsider = page(client_for(app, people["outsider"]).get(url(app, "home.referrer")))
    assert outsider.find("caption", string="Disputes you are named manager on") is None


def test_the_manager_cannot_escalate_or_answer_a_settlement(app, people, with_manager):
    client = client_for(app, people["manager"])
    answered(app, with_manager, people["csc"])
    post(client, url(app, "disputes.escalate", dispute_id=with_manager), {"to_position": "2"})
    with app.app_context():
        assert len(app.extensions["sqlalchemy"].session.get(Dispute, with_manager).stages) == 1
    refused = post(client, url(app, "disputes.settlement_reply", dispute_id=with_manager),
                   {"reply": "confirm"})
    assert heading(refused) == "Page not found"


def test_only_the_referrer_names_their_manager(app, people, with_manager):
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        with pytest.raises(Refusal, match="Only the referrer who raised the dispute"):
            papers.name_referrer_manager(session.get(Dispute, with_manager),
                                         session.get(User, people["manager"].id),
                                           people["referrer"].id)


def test_a_referrer_neither_raising_nor_named_sees_nothing(app, people, make_user,
                                                           with_manager):
    colleague = make_user("referrer", agency_id=people["referrer"].agency_id)
    for person in (people["outsider"], colleague):
        client = client_for(app, person)
        assert heading(client.get(url(app, "disputes.show", dispute_id=with_manager))) == (
            "Page not found")
        refused = post(client, url(app, "disputes.add_information", dispute_id=with_manager),
                       {"text": "Not mine to add."})
        assert heading(refused) == "Page not found"
    assert additions(app) == []


# While the papers are open --------------------------------------------------------------------


def test_an_empty_addition_is_refused(app, people, make_dispute):
    dispute = make_dispute(people["referrer"])
    response = post(client_for(app, people["referrer"]),
                    url(app, "disputes.add_information", dispute_id=dispute), {"text": "  "})
    assert error_summary(response) == ["Enter the new information"]
    assert additions(app) == []


def test_information_added_while_waiting_for_panel_says_so(app, people, queue_disputes):
    (dispute,) = queue_disputes({"referrer": people["referrer"]})
    response = post(client_for(app, people["referrer"]),
                    url(app, "disputes.add_information", dispute_id=dispute),
                    {"text": "Police attended the home at the weekend."}, follow_redirects=True)
    timeline = [h3.get_text(" ", strip=True) for h3 in page(response).select(".app-timeline h3")]
    assert timeline[-1] == ("New information added by Hana Visitor, 23 November 2026, 9:00am, "
                            "while waiting for panel")
    assert additions(app)[0][1] is None


def test_nothing_can_be_added_once_the_agenda_is_frozen(app, people, make_user, queue_disputes,
                                                        make_session):
    (dispute,) = queue_disputes({"referrer": people["referrer"]})
    chair = make_user("chair")
    session_id = make_session()
    with app.app_context():
        db_session = app.extensions["sqlalchemy"].session
        session = db_session.get(PanelSession, session_id)
        agenda.add_item(session, db_session.get(User, chair.id), dispute)
        agenda.freeze(session, db_session.get(User, chair.id), tell=False)
        db_session.commit()
    client = client_for(app, people["referrer"])
    shown = page(client.get(url(app, "disputes.show", dispute_id=dispute)))
    assert shown.find("a", string="Add new information") is None
    reason = ("The panel's papers are fixed: the agenda of the meeting that will hear this "
              "dispute is frozen, so no new information can be added")
    form = client.get(url(app, "disputes.add_information", dispute_id=dispute))
    assert reason in page(form).get_text() and page(form).select_one("textarea") is None
    refused = post(client, url(app, "disputes.add_information", dispute_id=dispute),
                   {"text": "Too late?"})
    assert error_summary(refused) == [reason]
    assert additions(app) == []


def test_nothing_can_be_added_to_a_settled_dispute(app, people, make_dispute):
    dispute = make_dispute(people["referrer"])
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        settling.settle(session.get(Dispute, dispute), session.get(User, people["csc"].id),
                        "child_and_family_assessment", "Assessment agreed.", on=date(2026, 11, 23))
        session.commit()
    refused = post(client_for(app, people["referrer"]),
                   url(app, "disputes.add_information", dispute_id=dispute), {"text": "More."})
    assert error_summary(refused) == [
        "This dispute is closed, so no new information can be added to it"]
    assert additions(app) == []
