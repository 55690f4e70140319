"""Every group of radios or checkboxes asks its question in a fieldset legend: without one a
screen reader announces the options ("Select all that apply", then eight boxes) and no question.

These read the pages through the test client (no browser needed); the crawl (test_crawl.py)
makes the same check on every page each demo role can reach in Chromium."""

import pytest
from sqlalchemy import select

from moderation.models import AgendaItem, PanelSession, User
from tests.browser.conftest import legends, questions_without_legend
from tests.conftest import sign_in, url


def _client(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def _legends_on(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    assert questions_without_legend(response.text) == []
    return legends(response.text)


@pytest.fixture
def tied(app, db, panel_meeting):
    """A meeting whose first item's vote is closed and tied: the chair must give a casting vote."""
    from moderation.meeting import voting

    m = panel_meeting()
    with app.app_context():
        item = db.session.scalar(select(AgendaItem).where(AgendaItem.session_id == m.session_id))
        chair = db.session.get(User, m.chair.id)
        voting.open_voting(item, chair)
        for rep, outcome in zip(m.reps.values(), ("overturn_s17", "overturn_s47", "upheld"),
                                strict=True):
            voting.cast_vote(item, db.session.get(User, rep.id), outcome, "Reason")
        voting.close_voting(item, chair)
        db.session.commit()
        return m, url(app, "meeting.decision", session_id=m.session_id, item_id=item.id)


def test_the_decision_page_asks_for_the_casting_vote_and_the_themes(app, tied):
    m, url = tied
    assert _legends_on(_client(app, m.chair), url) == [
        "What is the chair's casting vote?", "Which learning themes does this case show?"]


def test_the_action_update_page_asks_for_the_status(app, db, panel_meeting):
    from moderation.actions import services as actions

    m = panel_meeting()
    owner = m.reps["health"]
    with app.app_context():
        session = db.session.get(PanelSession, m.session_id)
        action = actions.add_action(session, db.session.get(User, m.chair.id),
                                    description="Send the GP report", owner_id=owner.id,
                                    working_days=10)
        db.session.commit()
        address = url(app, "actions.update", action_id=action.id)
    assert _legends_on(_client(app, owner), address) == ["What is the status of this action?"]


def test_the_dashboard_asks_which_period(app, history, make_user):
    legends_shown = _legends_on(_client(app, make_user("partnership_manager")),
                               url(app, "home.partnership"))
    assert "Which period?" in legends_shown


def test_a_group_without_a_question_is_found():
    # The check itself must be able to fail: the decision page's themes as they were.
    html = """<div class="govuk-form-group"><fieldset class="govuk-fieldset">
      <legend class="govuk-fieldset__legend"></legend><div class="govuk-checkboxes">
      <input type="checkbox" name="themes" value="1"><input type="checkbox" name="themes"
      value="2"></div></fieldset></div>
      <div class="govuk-radios"><input type="radio" name="period"><input type="radio"
      name="period"></div>"""
    assert questions_without_legend(html) == ["themes", "period"]
