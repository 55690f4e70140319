"""Actions the panel sets: due dates in working days, who updates them, overdue ones returning,
and the pages where the chair sets one and its owner updates it."""

from datetime import date

import pytest
from sqlalchemy import select

from moderation.actions import services as actions
from moderation.models import Action, ActionStatus, PanelSession, User
from moderation.web.boundary import Refusal
from tests.helpers import banners, error_summary, first_item, words


class Held:
    """The panel_meeting fixture's records, opened in the current app context."""

    def __init__(self, db, m):
        self.db, self.m = db, m
        self.session = db.session.get(PanelSession, m.session_id)
        self.chair = db.session.get(User, m.chair.id)

    def user(self, kind):
        return self.db.session.get(User, self.m.reps[kind].id)


@pytest.fixture
def held(db, panel_meeting):
    return lambda: Held(db, panel_meeting())


def test_an_actions_due_date_counts_working_days_from_the_session(app, held):
    with app.app_context():
        o = held()  # the session is on Tuesday 8 December 2026
        action = actions.add_action(o.session, o.chair, description="Share the GP report",
                                    owner_id=o.user("health").id, working_days=15)
        # 15 working days skip two weekends and the Christmas and Boxing Day bank holidays.
        assert action.due_on == date(2026, 12, 31)
        assert action.agency.name == "Northshire Health"


def test_owners_update_their_own_actions_and_say_why_one_was_not_done(app, held):
    with app.app_context():
        o = held()
        action = actions.add_action(o.session, o.chair, description="Share the GP report",
                                    owner_id=o.user("health").id, working_days=5)
        with pytest.raises(Refusal, match="Only the action's owner or the chair"):
            actions.update_status(action, o.user("police"), ActionStatus.DONE)
        with pytest.raises(Refusal, match="Say why the action was not done"):
            actions.update_status(action, o.user("health"), ActionStatus.NOT_POSSIBLE)
        actions.update_status(action, o.user("health"), ActionStatus.NOT_POSSIBLE,
                              "The family moved out of the area")
        assert action.status == ActionStatus.NOT_POSSIBLE


def test_overdue_actions_come_back_on_the_next_agenda(app, db, held, make_session):
    later = make_session(held_on=date(2027, 1, 12))
    with app.app_context():
        o = held()
        overdue = actions.add_action(o.session, o.chair, description="Audit the contact",
                                     owner_id=o.user("csc").id, working_days=5)
        done = actions.add_action(o.session, o.chair, description="Write to the school",
                                  owner_id=o.user("csc").id, working_days=5)
        actions.update_status(done, o.chair, ActionStatus.DONE)
        actions.add_action(o.session, o.chair, description="Review in spring",
                           owner_id=o.user("csc").id, working_days=60)
        db.session.flush()
        following = db.session.get(PanelSession, later)
        assert actions.overdue_before(following) == [overdue]
        assert actions.overdue_before(o.session) == []


# The pages --------------------------------------------------------------------------------------


def test_the_chair_sets_an_action_and_its_owner_updates_it(app, db, as_, panel_meeting):
    m = panel_meeting()
    add = first_item(app, db, m)("meeting.add_action")
    chair = as_(m.chair)
    response = chair.post_url(add, {"action-description": "Send the GP report",
                                    "action-owner_id": m.reps["health"].id,
                                    "action-working_days": "ten"}, _expected_status=200)
    assert error_summary(response) == [
        "The due date must be a whole number of working days, like 10"]
    response = chair.post_url(add, {"action-description": "Send the GP report",
                                    "action-owner_id": m.reps["health"].id,
                                    "action-working_days": "10"}, _follow_redirects=True)
    assert "Send the GP report (Health Rep, Northshire Health; due 22 December 2026; open)" in \
        words(response)
    with app.app_context():
        action_id = db.session.scalar(select(Action.id))
    as_(m.reps["police"]).get("actions.update", _expected_status=404, action_id=action_id)
    owner = as_(m.reps["health"])
    response = owner.post("actions.update", {"status": "not_done"}, _expected_status=200,
                          action_id=action_id)
    assert error_summary(response) == ["Say why the action was not done"]
    response = owner.post("actions.update", {"status": "done"}, _follow_redirects=True,
                          action_id=action_id)
    assert banners(response) == ["The action has been updated."]
    response = owner.get("actions.index", status="done")
    assert "Send the GP report" in response.response.text
