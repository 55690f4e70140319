"""Dispute records read plainly: a skipped stage reads as skipped (when and why, no due date),
the queue's CSV is written in words, the repeat flag links only those who may follow it, and the
policy's time limit for comments on draft minutes is set, shown and checked."""

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa

from moderation.models import EscalationPolicy
from tests.conftest import banners, client_for, error_summary, heading, page, post, url

pytestmark = pytest.mark.usefixtures("on_a_monday")


# Skipped stages -------------------------------------------------------------------------------


def test_a_skipped_stage_says_when_and_why_with_no_due_date(app, make_user, queue_disputes):
    referrer = make_user("referrer")
    (dispute,) = queue_disputes({"referrer": referrer})
    shown = page(client_for(app, referrer).get(url(app, "disputes.show", dispute_id=dispute)))
    items = shown.select(".app-timeline__item")
    stage_two = next(item for item in items if "Stage 2:" in item.h3.get_text())
    text = " ".join(stage_two.get_text(" ", strip=True).split())
    assert "Skipped on 20 November 2026: test" in text
    assert "Due" not in text and "Opened" not in text and "working day" not in text
    stage_one = next(item for item in items if "Stage 1:" in item.h3.get_text())
    assert "Due 11 November 2026" in stage_one.get_text(" ", strip=True)  # it did open


# The queue's CSV ------------------------------------------------------------------------------


def test_the_queue_csv_is_written_in_words(app, make_user, queue_disputes):
    queue_disputes({"level_of_need": 4, "told_outcome": "no_further_action",
                    "told_recorded_as": "contact", "dispute_type": "contact_not_referral",
                    "child_name": "=HYPERLINK(1)"})
    exported = client_for(app, make_user("partnership_manager")).get(
        url(app, "disputes.panel_queue_csv"))
    header, row = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    cells = dict(zip(header, row, strict=True))
    assert cells["Level of need claimed"] == "Level 4: statutory or specialist"
    assert cells["Referrer intended"] == "A referral asking children's social care to act"
    assert cells["CSC recorded as"] == "Contact"
    assert cells["CSC decision"] == "No further action"
    assert cells["Dispute type"] == "CSC recorded my referral as a contact"
    assert (cells["Immediate risk"], cells["Repeat"]) == ("No", "No")
    assert "no_further_action" not in exported.get_data(as_text=True)
    assert "HYPERLINK" not in exported.get_data(as_text=True)  # no child names at all


def test_the_queue_csv_still_neutralises_formulas(app, make_user, make_agency, queue_disputes):
    referrer = make_user("referrer", agency_id=make_agency("=cmd|' /C calc'!A0"))
    queue_disputes({"referrer": referrer})
    exported = client_for(app, make_user("partnership_manager")).get(
        url(app, "disputes.panel_queue_csv"))
    _, row = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert row[2] == "'=cmd|' /C calc'!A0"


# The repeat flag ------------------------------------------------------------------------------


@pytest.fixture
def repeat(make_user, make_agency, make_dispute):
    """Two disputes about the same child: `first` raised by `referrer`, the second (`second`) by
    the same referrer or (`other_agency`) by someone in another agency."""
    referrer = make_user("referrer", agency_id=make_agency("Northshire Health"))
    outsider = make_user("referrer", agency_id=make_agency("Northshire Primary School"))
    first = make_dispute(referrer, on=date(2026, 6, 1), referral_date=date(2026, 5, 1),
                         csc_decision_date=date(2026, 5, 4))
    return {"referrer": referrer, "outsider": outsider, "first": first,
            "second": make_dispute(referrer), "other_agency": make_dispute(outsider)}


def _earlier(response):
    rows = page(response).select(".govuk-summary-list__row")
    row = next(r for r in rows if r.dt.get_text(strip=True) == "Earlier dispute")
    return row.dd


def test_the_referrer_of_both_follows_the_repeat_link(app, repeat):
    client = client_for(app, repeat["referrer"])
    earlier = _earlier(client.get(url(app, "disputes.show", dispute_id=repeat["second"])))
    link = earlier.a
    assert link["href"] == url(app, "disputes.show", dispute_id=repeat["first"])
    assert link.get_text(strip=True) == f"D-2026-{repeat['first']:04d}"
    assert "raised 1 June 2026" in earlier.get_text(" ", strip=True)
    assert heading(client.get(link["href"])) == f"Dispute D-2026-{repeat['first']:04d}"


def test_another_agencys_referrer_learns_only_that_there_is_a_repeat(app, repeat):
    client = client_for(app, repeat["outsider"])
    shown = client.get(url(app, "disputes.show", dispute_id=repeat["other_agency"]))
    earlier = _earlier(shown)
    assert earlier.a is None
    assert " ".join(earlier.get_text(" ", strip=True).split()) == (
        "Repeat: an earlier dispute about this child in the last 12 months")
    for theirs in (repeat["first"], repeat["second"]):
        assert f"D-2026-{theirs:04d}" not in shown.text
        assert heading(client.get(url(app, "disputes.show", dispute_id=theirs))) == (
            "Page not found")


def test_a_csc_manager_sees_the_link_on_either(app, make_user, repeat):
    client = client_for(app, make_user("csc_manager"))
    earlier = _earlier(client.get(url(app, "disputes.show", dispute_id=repeat["other_agency"])))
    # The most recent earlier dispute about the child: the referrer's second.
    assert earlier.a["href"] == url(app, "disputes.show", dispute_id=repeat["second"])


# The draft minutes' time limit ----------------------------------------------------------------


def test_the_minutes_comment_time_limit_is_set_and_shown(app, make_user):
    client = client_for(app, make_user("partnership_manager"))
    form = page(client.get(url(app, "disputes.time_limits")))
    assert form.select_one("#minutes_comment_days")["value"] == "5"  # the default
    response = post(client, url(app, "disputes.time_limits"), {
        "settlement_reply_days": "5", "csc_action_days": "1", "minutes_comment_days": "7",
        "urgent_due_time": "17:00"},
        follow_redirects=True)
    assert "The time limits have been updated." in banners(response)
    assert ("When the chair circulates the draft minutes, the members present have 7 working "
            "days to comment on them.") in " ".join(page(response).get_text(" ").split())
    with app.app_context():
        policy = app.extensions["sqlalchemy"].session.scalar(sa.select(EscalationPolicy))
        assert policy.minutes_comment_days == 7


@pytest.mark.parametrize(("days", "message"), [
    ("0", "The working days must be between 1 and 30"),
    ("-1", "The working days must be between 1 and 30"),
    ("31", "The working days must be between 1 and 30"),
    ("", "Enter the working days members have to comment, like 5"),
    ("five", "Enter a whole number of working days, like 5"),
])
def test_the_minutes_comment_time_limit_refuses_nonsense(app, make_user, days, message):
    client = client_for(app, make_user("partnership_manager"))
    response = post(client, url(app, "disputes.time_limits"), {
        "settlement_reply_days": "5", "csc_action_days": "1", "minutes_comment_days": days,
        "urgent_due_time": "17:00"})
    assert heading(response) == "Change the time limits"
    assert error_summary(response) == [message]
    with app.app_context():
        policy = app.extensions["sqlalchemy"].session.scalar(sa.select(EscalationPolicy))
        assert policy.minutes_comment_days == 5
