"""Scheduling sessions: one-offs, monthly series across bank holidays, cancelling and moving."""

from datetime import date, time

import pytest
import sqlalchemy as sa
import time_machine

from moderation.models import AuditEvent, PanelSession, User
from moderation.panels import services
from moderation.web.boundary import Refusal

TERMS = {"starts_at": time(10, 0), "duration_minutes": 180, "place": "Council House, Room 2",
         "online_link": None, "capacity": 8, "cutoff_working_days": 5}


@pytest.fixture
def chair_ctx(app, db, make_user, make_member):
    chair = make_user("chair")
    make_member(chair, role="chair")
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False), app.app_context():
        yield db.session, db.session.get(User, chair.id)


def test_a_one_off_session_has_its_agenda_cut_off_in_working_days(chair_ctx):
    session_, chair = chair_ctx
    panel = services.schedule_session(chair, date(2026, 12, 29), **TERMS)
    # Five working days before 29 December skips Christmas Day and the Boxing Day substitute.
    assert panel.agenda_cutoff_on == date(2026, 12, 18)
    assert session_.scalars(sa.select(AuditEvent.action)).all() == ["session_scheduled"]


@pytest.mark.parametrize(
    ("day", "message"),
    [(date(2026, 12, 25), "25 December 2026 is not a working day"),
     (date(2026, 12, 26), "26 December 2026 is not a working day"),
     (date(2026, 11, 20), "The session date must be today or in the future")],
)
def test_a_one_off_session_must_be_on_a_coming_working_day(chair_ctx, day, message):
    _, chair = chair_ctx
    with pytest.raises(Refusal, match=message):
        services.schedule_session(chair, day, **TERMS)


def test_a_series_makes_six_months_of_sessions_moved_off_bank_holidays(chair_ctx):
    session_, chair = chair_ctx
    series = services.create_series(chair, 1, "MO", date(2026, 12, 1), **TERMS)
    sessions = session_.scalars(sa.select(PanelSession).order_by(PanelSession.held_on)).all()
    assert series.description == "first Monday of each month"
    assert [s.held_on for s in sessions] == [
        date(2026, 12, 7), date(2027, 1, 4), date(2027, 2, 1), date(2027, 3, 1),
        date(2027, 4, 5), date(2027, 5, 4)]  # six months ahead of 1 December
    may = sessions[5]
    assert may.planned_on == date(2027, 5, 3)
    assert may.schedule_note == "Moved from 3 May 2027 (a bank holiday) to 4 May 2027"
    assert all(s.capacity == 8 and s.place == "Council House, Room 2" for s in sessions)


def test_generating_a_series_twice_makes_no_duplicates(chair_ctx):
    session_, chair = chair_ctx
    series = services.create_series(chair, 2, "TU", date(2026, 12, 1), **TERMS)
    assert services.generate_sessions(series, until=date(2027, 6, 1)) == []
    later = services.generate_sessions(series, until=date(2027, 8, 31))
    assert [s.held_on for s in later] == [date(2027, 6, 8), date(2027, 7, 13), date(2027, 8, 10)]
    total = session_.scalar(sa.select(sa.func.count(PanelSession.id)))
    assert total == 9


def test_the_database_refuses_a_second_session_for_the_same_series_date(chair_ctx):
    session_, chair = chair_ctx
    series = services.create_series(chair, 2, "TU", date(2026, 12, 1), **TERMS)
    first = series.sessions[0]
    session_.add(PanelSession(series=series, planned_on=first.planned_on, held_on=first.held_on,
                              agenda_cutoff_on=first.agenda_cutoff_on, **TERMS))
    with pytest.raises(sa.exc.IntegrityError):
        session_.flush()
    session_.rollback()


def test_moving_a_session_recomputes_the_cut_off_and_records_why(chair_ctx):
    _, chair = chair_ctx
    panel = services.schedule_session(chair, date(2026, 12, 8), **TERMS)
    with pytest.raises(Refusal, match="Give the reason"):
        services.move_session(panel, chair, date(2026, 12, 10), " ")
    services.move_session(panel, chair, date(2026, 12, 10), "The chair is at court")
    assert (panel.held_on, panel.agenda_cutoff_on) == (date(2026, 12, 10), date(2026, 12, 3))
    assert panel.schedule_note == "Moved from 8 December 2026: The chair is at court"
    assert panel.calendar_sequence == 1  # calendars replace the event they hold


def test_a_cancelled_session_leaves_the_upcoming_list(chair_ctx):
    _, chair = chair_ctx
    panel = services.schedule_session(chair, date(2026, 12, 8), **TERMS)
    assert panel.calendar_sequence == 0
    assert services.upcoming_sessions(chair) == [panel]
    services.cancel_session(panel, chair, "Not enough cases")
    assert panel.calendar_sequence == 1
    assert services.upcoming_sessions(chair) == []
    with pytest.raises(Refusal, match="Only a scheduled session"):
        services.move_session(panel, chair, date(2026, 12, 9), "Try again")
