"""Unborn children and a child's details checked (#25, points 5 and 6): a dispute about an unborn
child is raised with an expected date of delivery, shown as "Unborn, due DATE", and the birth is
recorded later; a grown-up's date of birth, a one-letter name and initials from punctuation are
refused or built from letters only."""

from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from moderation.disputes import raising
from moderation.models import AuditEvent, Dispute, User
from moderation.models.disputes import initials
from moderation.retention import subject_access
from moderation.retention.anonymise import CutOffs, due
from moderation.retention.schedule import dispute_due_on, rule
from moderation.web.boundary import Refusal
from tests.conftest import (
    banners,
    client_for,
    dispute_answers,
    error_summary,
    heading,
    page,
    post,
    url,
)
from tests.helpers import RAISE_FORM, fetch

UNBORN = {**RAISE_FORM, "child_name": "Unborn Carter", "child_dob": ["", "", ""],
          "child_expected_delivery_date": ["1", "2", "2027"]}
DUE = date(2027, 2, 1)


pytestmark = pytest.mark.usefixtures("on_a_monday")  # the clock at 09:00 on 23 November 2026


@pytest.fixture
def unborn(make_dispute, make_user):
    """A referrer's dispute about Unborn Carter, due 1 February 2027; returns (referrer, id)."""
    referrer = make_user("referrer")
    return referrer, make_dispute(referrer, child_name="Unborn Carter", child_dob=None,
                                  child_expected_delivery_date=DUE)


def _summary_rows(response):
    return {row.select_one("dt").get_text(strip=True):
            row.select_one("dd").get_text(" ", strip=True)
            for row in page(response).select(".govuk-summary-list__row")}


def _record_birth_links(response):
    return [link.get_text(" ", strip=True) for link in page(response).select("a")
            if "Record the birth" in link.get_text()]


# Raising ----------------------------------------------------------------------------------------


def test_a_referrer_raises_a_dispute_about_an_unborn_child(app, client, signed_in):
    signed_in("referrer")
    check = post(client, url(client, "disputes.raise_dispute"), UNBORN)
    assert heading(check) == "Check your answers before you submit"
    assert _summary_rows(check)["Date of birth"] == "Unborn, due 1 February 2027"
    response = post(client, url(client, "disputes.raise_dispute"),
                    {**UNBORN, "action": "submit"}, follow_redirects=True)
    dispute = fetch(app, Dispute, 1)
    assert (dispute.child_dob, dispute.child_expected_delivery_date) == (None, DUE)
    shown = client.get(url(client, "disputes.show", dispute_id=1))
    assert _summary_rows(shown)["Date of birth"].startswith("Unborn, due 1 February 2027")
    assert _record_birth_links(shown) == ["Record the birth of the child"]
    assert response.status_code == 200


@pytest.mark.parametrize("changes, message", [
    ({"child_expected_delivery_date": ["", "", ""]}, "Enter the child's date of birth"),
    ({"child_dob": ["14", "3", "2021"]},
     "Enter the child's date of birth or the expected date of delivery, not both"),
    ({"child_expected_delivery_date": ["1", "10", "2026"]},
     "The expected date of delivery must be after 26 October 2026. If the child has been born, "
     "enter their date of birth instead"),
    ({"child_expected_delivery_date": ["1", "1", "2028"]},
     "The expected date of delivery must be before 13 September 2027"),
    ({"child_expected_delivery_date": ["30", "2", "2027"]},
     "The expected date of delivery must be a real date"),
], ids=["neither date", "both dates", "long passed", "too far ahead", "not a real date"])
def test_an_unborn_child_s_dates_are_checked(app, client, signed_in, changes, message):
    signed_in("referrer")
    response = post(client, url(client, "disputes.raise_dispute"), {**UNBORN, **changes})
    assert error_summary(response) == [message]
    assert page(response).title.get_text().startswith("Error: ")
    assert fetch(app, Dispute, 1) is None


# Point 6: a child's details -----------------------------------------------------------------


@pytest.mark.parametrize("changes, message", [
    ({"child_dob": ["23", "11", "2008"]},
     "The child's date of birth must be after 23 November 2008: this service is for children "
     "under 18"),
    ({"child_dob": ["1", "1", "1990"]},
     "The child's date of birth must be after 23 November 2008: this service is for children "
     "under 18"),
    ({"child_dob": ["24", "11", "2026"]}, "The child's date of birth must be today or in the past"),
    ({"child_name": "J"}, "The child's full name must have at least 2 letters"),
    ({"child_name": "<<"}, "The child's full name must have at least 2 letters"),
], ids=["18 today", "an adult", "not born yet", "one letter", "no letters"])
def test_a_child_s_details_are_refused_with_a_gov_uk_message(app, client, signed_in, changes,
                                                             message):
    signed_in("referrer")
    response = post(client, url(client, "disputes.raise_dispute"), {**RAISE_FORM, **changes})
    assert error_summary(response) == [message]
    assert fetch(app, Dispute, 1) is None


def test_the_service_refuses_what_the_form_refuses(app, make_user):
    referrer = make_user("referrer")
    with app.app_context():
        user = app.extensions["sqlalchemy"].session.get(User, referrer.id)
        for answers in (dispute_answers(child_name="J"),
                        dispute_answers(child_dob=date(2008, 11, 23))):
            with pytest.raises(Refusal):
                raising.raise_dispute(user, answers, on=date(2026, 11, 23))


def test_a_child_under_18_is_accepted(app, client, signed_in):
    signed_in("referrer")
    response = post(client, url(client, "disputes.raise_dispute"),
                    {**RAISE_FORM, "child_dob": ["24", "11", "2008"]})
    assert heading(response) == "Check your answers before you submit"


@pytest.mark.parametrize("name, expected", [
    ("<script>", "S"), ("Zoë Ó'Brien", "ZÓ"), ("Amelia Jones", "AJ"), ("'Leo' - Carter", "LC"),
    ("Unborn Carter", "UC"), (None, "")])
def test_initials_are_built_from_letters_only(name, expected):
    assert initials(name) == expected


def test_a_script_name_shows_its_letters_as_initials_on_the_queue_and_papers(make_dispute, app):
    ident = make_dispute(child_name="<script>alert(1)</script> Smith")
    assert fetch(app, Dispute, ident).child_initials == "SS"


# Recording the birth ----------------------------------------------------------------------------


def test_the_referrer_records_the_birth_and_the_dispute_keeps_its_reference(app, unborn):
    referrer, ident = unborn
    before = fetch(app, Dispute, ident)
    client = client_for(app, referrer)
    form = client.get(url(client, "disputes.record_birth", dispute_id=ident))
    assert heading(form) == "Record the child's birth"
    response = post(client, url(client, "disputes.record_birth", dispute_id=ident),
                    {"child_name": "Leo Carter", "child_dob": ["20", "11", "2026"]},
                    follow_redirects=True)
    assert "The child's birth has been recorded." in banners(response)
    rows = _summary_rows(response)
    assert (rows["Name"], rows["Date of birth"]) == ("Leo Carter", "20 November 2026")
    after = fetch(app, Dispute, ident)
    assert after.reference == before.reference
    assert (after.child_expected_delivery_date, after.child_name_pair) == (None, "carter leo")
    assert _record_birth_links(response) == []
    with app.app_context():
        event = app.extensions["sqlalchemy"].session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "child_birth_recorded")).one()
        assert event.detail == {"before": {"unborn": True}, "after": {"unborn": False},
                                "name_changed": True}
        assert event.actor_id == referrer.id
    # Born, the dispute has nothing left to record.
    again = client.get(url(client, "disputes.record_birth", dispute_id=ident))
    assert again.status_code == 404


@pytest.mark.parametrize("form, message", [
    ({"child_name": "Leo Carter", "child_dob": ["24", "11", "2026"]},
     "The date of birth must be today or in the past"),
    ({"child_name": "Leo Carter", "child_dob": ["1", "6", "2026"]},
     "The date of birth must be between 14 September 2026 and 23 November 2026, near the "
     "expected date of delivery (1 February 2027)"),
    ({"child_name": "L", "child_dob": ["20", "11", "2026"]},
     "The child's full name must have at least 2 letters"),
    ({"child_name": "Leo Carter", "child_dob": ["", "", ""]}, "Enter the date of birth"),
    ({"child_name": "", "child_dob": ["20", "11", "2026"]}, "Enter the child's full name"),
], ids=["future", "far from the due date", "one letter", "no date", "no name"])
def test_a_birth_is_refused_with_a_gov_uk_message_and_nothing_changes(app, unborn, form,
                                                                      message):
    referrer, ident = unborn
    client = client_for(app, referrer)
    response = post(client, url(client, "disputes.record_birth", dispute_id=ident), form)
    assert error_summary(response) == [message]
    assert page(response).title.get_text().startswith("Error: ")
    after = fetch(app, Dispute, ident)
    assert (after.child_name, after.child_expected_delivery_date) == ("Unborn Carter", DUE)


def test_a_csc_manager_may_record_the_birth_but_not_another_referrer(app, unborn, make_user):
    _, ident = unborn
    client = client_for(app, make_user("referrer"))  # the right role, not this record (rule 12)
    assert client.get(url(client, "disputes.record_birth", dispute_id=ident)).status_code == 404
    refused = post(client, url(client, "disputes.record_birth", dispute_id=ident),
                   {"child_name": "Leo Carter", "child_dob": ["20", "11", "2026"]})
    assert refused.status_code == 404
    assert fetch(app, Dispute, ident).child_dob is None
    client = client_for(app, make_user("csc_manager"))
    response = post(client, url(client, "disputes.record_birth", dispute_id=ident),
                    {"child_name": "Leo Carter", "child_dob": ["20", "11", "2026"]})
    assert response.status_code == 302
    assert fetch(app, Dispute, ident).child_dob == date(2026, 11, 20)


# The rules that read the date of birth ----------------------------------------------------------


def test_a_repeat_about_an_unborn_child_is_found_by_name_and_a_near_expected_date(
        app, make_dispute):
    first = make_dispute(child_name="Unborn Carter", child_dob=None,
                         child_expected_delivery_date=DUE, on=date(2026, 11, 9))
    near = make_dispute(child_name="Unborn Carter", child_dob=None,
                        child_expected_delivery_date=date(2027, 2, 20))
    far = make_dispute(child_name="Unborn Carter", child_dob=None,
                       child_expected_delivery_date=date(2027, 6, 20))
    assert fetch(app, Dispute, near).repeat_of_id == first
    assert fetch(app, Dispute, far).repeat_of_id is None


def test_a_child_born_since_repeats_the_dispute_raised_before_the_birth(app, make_dispute):
    before_birth = make_dispute(child_name="Unborn Carter", child_dob=None,
                                child_expected_delivery_date=date(2026, 11, 1),
                                on=date(2026, 11, 9))
    born = make_dispute(child_name="Leo Carter", child_dob=date(2026, 10, 20))
    other_family = make_dispute(child_name="Leo Smith", child_dob=date(2026, 10, 20))
    older_sibling = make_dispute(child_name="Mia Carter", child_dob=date(2024, 10, 20))
    assert fetch(app, Dispute, born).repeat_of_id == before_birth
    assert fetch(app, Dispute, other_family).repeat_of_id is None
    assert fetch(app, Dispute, older_sibling).repeat_of_id is None


def test_retention_counts_an_unborn_child_s_age_from_the_expected_date(app, unborn):
    _, ident = unborn
    with app.app_context():
        disputes_rule = rule("disputes")
        dispute = app.extensions["sqlalchemy"].session.get(Dispute, ident)
        assert dispute.child_age_from == DUE
        assert dispute_due_on(date(2026, 12, 1), dispute.child_age_from, disputes_rule) == \
            date(2027 + disputes_rule.until_age, 2, 1)
        session = app.extensions["sqlalchemy"].session
        reached = date(2027 + disputes_rule.until_age, 2, 1)
        due_then = session.scalars(sa.select(Dispute.id).where(due(CutOffs.on(reached)))).all()
        before = session.scalars(sa.select(Dispute.id).where(
            due(CutOffs.on(date(2027 + disputes_rule.until_age, 1, 31))))).all()
    assert ident in due_then and ident not in before


def test_a_subject_access_search_finds_an_unborn_child(app, unborn):
    _, ident = unborn
    with app.app_context():  # before the birth: by the name given and the expected date
        assert subject_access.find("Unborn Carter", DUE).ids == [ident]
        with pytest.raises(Refusal, match="must be in the past"):
            subject_access.find("Unborn Carter", date(2027, 12, 1))
    with time_machine.travel("2027-03-01 09:00:00+00:00", tick=False), app.app_context():
        exact = subject_access.find("Unborn Carter", DUE)
        assert [d.id for d in exact.exact] == [ident]
        born = subject_access.find("Leo Carter", date(2027, 1, 28))
        assert [(p.dispute.id, p.reasons) for p in born.possible] == [
            (ident, ["Same surname, unborn when raised and due 1 February 2027"])]
        other = subject_access.find("Leo Smith", date(2027, 1, 28))
        assert other.ids == []


@pytest.mark.parametrize("reason", ["The baby due 01/02/2027 has moved away.",
                                    "Unborn Carter has moved out of the area."])
def test_rule_13_refuses_an_unborn_child_s_expected_date_or_name_in_typed_text(
        app, unborn, make_user, reason):
    """A withdrawal's reason is shown to people who may not read the dispute: the expected date
    identifies an unborn child as a date of birth does."""
    from moderation.retention import withdrawal

    _, ident = unborn
    manager = make_user("partnership_manager")
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        with pytest.raises(Refusal, match="must not contain a child's name, date of birth"):
            withdrawal.withdraw(session.get(Dispute, ident), session.get(User, manager.id),
                                reason, date(2026, 11, 23))


def test_anonymising_an_unborn_child_s_dispute_clears_the_expected_date(app, unborn):
    from moderation.retention.anonymise import anonymise

    _, ident = unborn
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        anonymise([ident], date(2060, 1, 1))
        session.commit()
    dispute = fetch(app, Dispute, ident)
    assert (dispute.child_name, dispute.child_dob, dispute.child_expected_delivery_date,
            dispute.child_name_pair) == (None, None, None, None)


def test_the_subject_access_export_reads_an_unborn_child_s_date(app, unborn, make_user):
    from tests.conftest import pdf_pages

    _, ident = unborn
    officer = make_user("partnership_manager")
    with app.test_request_context(), app.app_context():
        data = subject_access.export(subject_access.load([ident]))
        body = subject_access.as_pdf(data, app.extensions["sqlalchemy"].session.get(
            User, officer.id))
        assert '"expected_date_of_delivery": "2027-02-01"' in subject_access.as_json(data)
    assert "Date of birth Unborn, due 1 February 2027" in " ".join(pdf_pages(body))
