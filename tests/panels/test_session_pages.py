"""Chairs schedule, move and cancel sessions; members download them into their calendars."""

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from moderation.models import PanelSession
from tests.conftest import banners, error_summary, heading, page, post, url

FORM = {"held_on": ["8", "12", "2026"], "starts_at": "10:00", "duration_minutes": "180",
        "place": "Council House, Room 2", "online_link": "", "capacity": "8",
        "cutoff_working_days": "5"}


pytestmark = pytest.mark.usefixtures("on_a_monday")  # the clock at 09:00 on 23 November 2026


def test_a_chair_schedules_a_session(client, signed_in):
    signed_in("chair", seat="chair")
    response = post(client, url(client, "panels.new_session"), FORM, follow_redirects=True)
    assert "The session has been scheduled." in banners(response)
    assert heading(response) == "Panel session, 8 December 2026"
    assert "1 December 2026" in response.text  # agenda cut-off: five working days before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": ["", "", ""]}, "Enter the session's date"),
        ({"held_on": ["25", "12", "2026"]},
         "25 December 2026 is not a working day: choose a weekday that is not a bank holiday"),
        ({"starts_at": "25:00"}, "Enter the start time in the 24-hour clock, like 10:00"),
        ({"capacity": "lots"}, "The number of cases must be a whole number, like 8"),
        ({"capacity": "0"}, "The number of cases must be between 1 and 30"),
        ({"place": "", "online_link": ""}, "Enter a place or an online link"),
        ({"online_link": "teams"},
         "Enter the online link in the correct format, like https://meet.example.org/panel"),
    ],
)
def test_session_form_mistakes_are_explained(app, client, signed_in, changes, message):
    signed_in("chair", seat="chair")
    response = post(client, url(client, "panels.new_session"), {**FORM, **changes})
    assert error_summary(response) == [message]
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        assert session.scalar(sa.select(sa.func.count(PanelSession.id))) == 0


def test_a_chair_schedules_a_series_and_sees_bank_holiday_moves(client, signed_in):
    signed_in("chair", seat="chair")
    response = post(client, url(client, "panels.new_series"), {
        **FORM, "position": "1", "weekday": "MO", "first_on": ["1", "4", "2027"]},
        follow_redirects=True)
    assert any("first Monday of each month" in banner for banner in banners(response))
    assert "Moved from 3 May 2027 (a bank holiday) to 4 May 2027" in response.text
    assert len(page(response).select("tbody tr")) == 6


def test_series_form_asks_which_week_and_day(client, signed_in):
    signed_in("chair", seat="chair")
    response = post(client, url(client, "panels.new_series"),
                    {**FORM, "first_on": ["1", "4", "2027"]})
    assert error_summary(response) == ["Select which week of the month",
                                       "Select which day of the week"]


def test_moving_and_cancelling_need_a_reason(client, signed_in, make_session):
    signed_in("chair", seat="chair")
    session = make_session()
    cancel = url(client, "panels.cancel", session_id=session)
    assert error_summary(post(client, cancel, {"reason": ""})) == [
        "Enter why the session is cancelled"]
    response = post(client, url(client, "panels.move", session_id=session),
                    {"held_on": ["10", "12", "2026"], "reason": "The chair is at court"},
                    follow_redirects=True)
    assert "Moved from 8 December 2026: The chair is at court" in response.text
    response = post(client, cancel, {"reason": "Too few cases"}, follow_redirects=True)
    assert "The session has been cancelled." in banners(response)
    assert "No sessions are scheduled." in client.get(url(client, "panels.schedule")).text


def test_a_member_downloads_the_session_for_their_calendar(client, signed_in, make_session):
    signed_in("panel_member", seat="representative")
    session = make_session(online_link="https://meet.example.org/panel")
    response = client.get(url(client, "panels.calendar_file", session_id=session))
    assert response.mimetype == "text/calendar"
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["location"]) == "Council House, Room 2"
    assert event.decoded("dtstart").isoformat() == "2026-12-08T10:00:00+00:00"
    assert event.decoded("dtend").hour == 13
    assert "https://meet.example.org/panel" in str(event["description"])


def test_only_chairs_can_schedule(client, signed_in):
    signed_in("panel_member", seat="representative")
    assert client.get(url(client, "panels.new_session")).status_code == 403
    assert "Schedule a monthly series" not in client.get(url(client, "panels.schedule")).text
