"""One error summary per page (issue #26, point 3): the layout draws it from every form the page
was given and from a refusal's problems alike, and starts the title with "Error: " exactly when
it shows. No template draws a second one."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from flask import render_template_string

from tests.helpers import (
    client_for,
    comment_on_minutes,
    error_summary,
    first_item,
    open_voting_as_chair,
    page,
    post,
    url,
)
from tests.web import form_crawl
from tests.web.form_crawl import Filled, opened

PAGE = '{% extends "base.html" %}{% set title = "Minutes" %}'


@pytest.fixture(autouse=True)
def _a_crawl_of_its_own(monkeypatch):
    """This file crawls for itself: sharing the crawl would leave the other file's tests to
    sign in after they have counted the rows nobody may change."""
    monkeypatch.setattr(form_crawl, "_CRAWLS", {})


def _summaries(response):
    return page(response).select(".govuk-error-summary")


def _title(response):
    return page(response).title.get_text(" ", strip=True)


def test_every_form_sent_empty_shows_one_error_summary(world):
    """Each form every role is shown, sent with its boxes left empty: a page that shows a
    problem shows one error summary, and its title says "Error: "; one that shows none, not."""
    refused, doubled, mistitled = set(), [], []
    for form in world.found.forms:
        client, token = opened(world.clients, form)
        empty = {index: "" for index, control in enumerate(form.controls) if control.typed}
        response = Filled(form, world.someone, empty, form.button_after(-1)).send(client, token)
        if response.status_code in (301, 302, 303) or response.mimetype != "text/html":
            continue
        summaries = len(_summaries(response))
        if summaries > 1:
            doubled.append(form.describe())
        if _title(response).startswith("Error: ") != (summaries > 0):
            mistitled.append((form.describe(), _title(response)))
        if summaries:
            refused.add(form.action)
    assert doubled == []
    assert mistitled == []
    assert len(refused) >= {"demo": 20, "meeting": 5}[world.name], sorted(refused)


def test_a_refusal_with_no_form_shows_one_summary(app, db, panel_meeting):
    """The chair's "close voting" is a button, not a form with fields: the refusal's problem is
    the summary."""
    item, chair = open_voting_as_chair(app, db, panel_meeting())
    response = chair.post_url(item("meeting.voting_step", step="close"),
                              _follow_redirects=True).response
    assert len(_summaries(response)) == 1
    assert error_summary(response) == [
        "No votes have been cast: wait for the representatives to vote"]
    assert _title(response).startswith("Error: ")


def test_a_refused_minutes_comment_shows_one_summary(app, closed_meeting):
    response = comment_on_minutes(client_for(app, closed_meeting.reps["health"]), closed_meeting,
                                  "   ")
    assert len(_summaries(response)) == 1
    assert error_summary(response) == ["Enter your comment on the draft minutes"]
    assert _title(response).startswith("Error: Minutes")


def test_a_page_with_no_problem_has_no_summary(app, db, panel_meeting):
    m = panel_meeting()
    response = client_for(app, m.chair).get(first_item(app, db, m)())
    assert _summaries(response) == []
    assert not _title(response).startswith("Error")


def test_a_rule_change_with_every_box_wrong_names_every_box_at_once(app, make_user):
    """One refusal carries every problem: the retention rule's period, age and reason are all
    named in the one summary, each on its box."""
    client = client_for(app, make_user("partnership_manager"))
    response = post(client, url(client, "retention.edit_rule", kind="disputes"),
                    {"keep_for": "0", "until_age": "17", "reason": " "})
    assert len(_summaries(response)) == 1
    assert error_summary(response) == [
        "The number of years must be 1 or more", "The child's age must be between 18 and 100",
        "Enter why the partnership keeps disputes this long"]
    assert [link["href"] for link in page(response).select(".govuk-error-summary__list a")] == [
        "#keep_for", "#until_age", "#reason"]
    assert len(page(response).select(".govuk-error-message")) == 3
    assert _title(response).startswith("Error: ")


def test_a_search_with_no_name_and_a_birth_ahead_names_both(app, make_user):
    client = client_for(app, make_user("data_protection_officer"))
    ahead = date.today() + timedelta(days=800)
    response = post(client, url(client, "subject_access.search"), {
        "child_name": " ", "child_dob": [str(ahead.day), str(ahead.month), str(ahead.year)]})
    assert len(_summaries(response)) == 1
    assert error_summary(response) == [
        "Enter the child's full name", "The child's date of birth must be in the past"]
    assert _title(response).startswith("Error: ")


# The layout's summary itself ------------------------------------------------------------------


def _comment_form(message=None):
    from moderation.meeting.forms import CommentForm
    from moderation.web.forms import add_error

    form = CommentForm(formdata=None)
    if message:
        add_error(form.text, message)
    return form


def _render(app, context):
    """The layout rendered with `context()` (its forms need a request), read like a response."""
    with app.test_request_context():
        return SimpleNamespace(text=render_template_string(PAGE, **context()))


def test_a_refusal_on_a_forms_field_is_summarised_once(app):
    """A refusal on a form is put on its field and is among the page's problems: one item,
    linked to the field."""
    message = "Enter your comment on the draft minutes"
    html = _render(app, lambda: {"comment_form": _comment_form(message),
                                     "problems": [{"text": message, "href": "#text"}]})
    assert len(_summaries(html)) == 1
    assert error_summary(html) == [message]
    assert _title(html).startswith("Error: Minutes")


def test_every_form_and_every_problem_are_in_the_one_summary(app):
    """Two forms the page was given, one of them twice under two names, and a problem of the
    page's own: one summary with each once."""

    def context():
        form = _comment_form("Enter your comment on the draft minutes")
        return {"form": form, "comment_form": form,
                "other_form": _comment_form("Your comment must be 5000 characters or fewer"),
                "problems": [{"text": "Choose 5 vignettes or fewer", "href": "#vignettes"}]}

    html = _render(app, context)
    assert len(_summaries(html)) == 1
    assert error_summary(html) == ["Enter your comment on the draft minutes",
                                   "Your comment must be 5000 characters or fewer",
                                   "Choose 5 vignettes or fewer"]
    assert _title(html).startswith("Error: ")


def test_no_error_no_summary_and_no_prefix(app):
    html = _render(app, lambda: {"comment_form": _comment_form(), "problems": []})
    assert _summaries(html) == []
    assert _title(html).startswith("Minutes")
