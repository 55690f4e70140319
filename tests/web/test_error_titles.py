"""Every refused form says so in the page's title: "Error: " first (GOV.UK's pattern), so that
a screen reader user hears it before anything else, whichever form on the page was refused and
whatever the view called it (issue #25, point 9)."""

import pytest

from tests.conftest import client_for, error_summary, page
from tests.helpers import comment_on_minutes, first_item, open_voting_as_chair
from tests.web import form_crawl
from tests.web.form_crawl import Filled, opened


@pytest.fixture(autouse=True)
def _a_crawl_of_its_own(monkeypatch):
    """This file crawls for itself: sharing the crawl would leave the other file's tests to
    sign in after they have counted the rows nobody may change."""
    monkeypatch.setattr(form_crawl, "_CRAWLS", {})


def _title(response):
    return page(response).title.get_text(" ", strip=True)


def _shows_a_problem(response):
    return page(response).select_one(".govuk-error-summary") is not None


def test_the_title_says_error_when_a_minutes_comment_is_refused(app, closed_meeting):
    health = client_for(app, closed_meeting.reps["health"])
    response = comment_on_minutes(health, closed_meeting, "   ")
    assert error_summary(response) == ["Enter your comment on the draft minutes"]
    assert _title(response).startswith("Error: Minutes")


def test_the_title_says_error_when_voting_cannot_close(app, db, panel_meeting):
    m = panel_meeting()
    item, chair = open_voting_as_chair(app, db, m)
    refused = chair.post_url(item("meeting.voting_step", step="close"), _follow_redirects=True)
    assert error_summary(refused) == [
        "No votes have been cast: wait for the representatives to vote"]
    assert _title(refused.response).startswith("Error: ")


def test_a_page_with_no_problem_has_no_error_in_its_title(app, db, panel_meeting):
    m = panel_meeting()
    response = client_for(app, m.chair).get(first_item(app, db, m)())
    assert not _shows_a_problem(response)
    assert not _title(response).startswith("Error")


def test_every_form_sent_empty_says_error_in_the_title_whenever_it_shows_a_problem(world):
    """Each form every role is shown (a search's too), sent with its boxes left empty: a page
    that shows an error summary has "Error: " at the start of its title, and one that does not,
    has not."""
    refused = set()
    for form in world.found.forms:
        client, token = opened(world.clients, form)
        empty = {index: "" for index, control in enumerate(form.controls) if control.typed}
        response = Filled(form, world.someone, empty, form.button_after(-1)).send(client, token)
        if response.status_code in (301, 302, 303) or response.mimetype != "text/html":
            continue
        shown = _shows_a_problem(response)
        assert _title(response).startswith("Error: ") == shown, (
            form.describe(), _title(response), error_summary(response))
        if shown:
            refused.add(form.action)
    assert len(refused) >= {"demo": 20, "meeting": 5}[world.name], sorted(refused)


def test_the_title_says_error_for_a_form_that_is_not_called_form(app):
    """The page's title sees every form it was given, not only the one named `form`."""
    from flask import render_template_string

    from moderation.meeting.forms import CommentForm
    from moderation.web.forms import add_error

    with app.test_request_context():
        comment_form = CommentForm(formdata=None)
        add_error(comment_form.text, "Enter your comment on the draft minutes")
        html = render_template_string(
            '{% extends "base.html" %}{% set title = "Minutes" %}', comment_form=comment_form)
    assert "<title>Error: Minutes" in html
