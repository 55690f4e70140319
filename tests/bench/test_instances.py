"""The two-instance benchmark (bench/instances.py) reads pages as a person would: its readers are
checked on the app's own pages, so a change to a template cannot make a check pass or fail
unnoticed. Running the instances themselves is the benchmark's part, not the tests'."""

import re
from datetime import UTC, datetime

import pytest
import time_machine

from bench import instances
from moderation.auth.views import LOCKED_OUT_MESSAGE

PAGE = """<html><body>
<form method="post" action="/sign-out"><input type="hidden" name="csrf_token" value="t0k3n">
<button type="submit">Sign out</button></form>
<main><form method="post" novalidate>
<input type="hidden" name="csrf_token" value="t0k3n">
<input class="govuk-input" id="keep_for" name="keep_for" type="text" value="12">
<textarea class="govuk-textarea" id="reason" name="reason" rows="5">
Kept a year &amp; no more</textarea>
<input type="submit" name="submit" value="Save the rule">
</form></main></body></html>"""


def test_a_forms_fields_are_read_as_filled_in_without_its_buttons():
    assert instances.form_fields(PAGE) == {"csrf_token": "t0k3n", "keep_for": "12",
                                           "reason": "Kept a year & no more"}
    assert instances.csrf_token(PAGE) == "t0k3n"
    with pytest.raises(ValueError):
        instances.form_fields("<p>No form here</p>")


def test_a_redirect_to_sign_in_is_told_from_a_page():
    assert instances.sent_to_sign_in(instances.Answer(302, "/sign-in?next=%2Fqueue", "", 0))
    assert not instances.sent_to_sign_in(instances.Answer(200, "", "<html>", 0))
    assert instances.is_signed_in(instances.Answer(200, "", "<html>", 0))


def test_the_lock_out_is_recognised_by_the_apps_own_message():
    assert LOCKED_OUT_MESSAGE.startswith(instances.LOCKED_OUT_WORDS)


@pytest.fixture
def app_config():
    return {"FIGURES_MAX_AGE": 300}  # as the benchmark serves it: the time is shown


def test_the_dashboards_counted_at_time_is_read_from_the_page(as_, make_user):
    with time_machine.travel(datetime(2026, 12, 8, 13, 5, tzinfo=UTC), tick=False):
        manager = as_(make_user("partnership_manager"))
        dashboard = manager.get_url("/partnership")
    assert instances.counted_at(dashboard.response.text) == "8 December 2026, 1:05pm"
    assert instances.counted_at("<p>No time here</p>") is None


def test_the_schedules_period_and_the_rules_form_are_read_from_the_pages(as_, make_user):
    manager = as_(make_user("partnership_manager"))
    schedule = manager.get_url("/retention").response.text
    kind = instances.SETTING_KIND
    assert instances.summary_value(schedule, f"rule-{kind}", "Kept for") == "12 months"
    assert instances.summary_value(schedule, "rule-audit_events", "Kept for") == "7 years"
    assert instances.summary_value(schedule, "rule-nothing", "Kept for") is None
    fields = instances.form_fields(manager.get_url(f"/retention/{kind}").response.text)
    assert set(fields) == {"csrf_token", "keep_for", "reason"} and fields["keep_for"] == "12"
    assert re.search(r"\w", fields["reason"])


def test_the_sign_in_form_is_read_with_its_token(client_request):
    fields = instances.form_fields(client_request.get_url("/sign-in").response.text)
    assert {"csrf_token", "email", "password"} <= set(fields) and fields["csrf_token"]
