"""Scheduling panel sessions: one-off sessions, monthly series, extraordinary sessions,
cancelling and moving.

Agenda cut-offs are working days before the session (calendar.py). Generating a series' sessions
is idempotent: a date that already has its session is left alone, and the database's unique
constraint stops two processes making the same session twice.
"""

from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from moderation.calendar import UK, add_working_days, is_working_day, region, today
from moderation.disputes import urgent_panel
from moderation.extensions import db
from moderation.models import AgendaItem, PanelSeries, PanelSession, SessionStatus
from moderation.notifications import notices
from moderation.panels import agenda
from moderation.panels.permissions import readable_sessions, why_not_change_now
from moderation.panels.series import describe, monthly_rule, occurrences
from moderation.web import audit
from moderation.web.boundary import Refusal
from moderation.web.formatting import format_date
from moderation.web.permissions import enforce

MONTHS_AHEAD = 6
TERMS = ("starts_at", "duration_minutes", "place", "online_link", "capacity",
         "cutoff_working_days")


def _cutoff(held_on, working_days):
    return add_working_days(held_on, -working_days, region())


def _check_working_day(day, field="held_on"):
    if day < today():
        raise Refusal("The session date must be today or in the future", field)
    if not is_working_day(day, region()):
        raise Refusal(
            f"{format_date(day)} is not a working day: choose a weekday that is not a bank "
            "holiday", field)


def schedule_session(actor, held_on, **terms):
    """A one-off session."""
    _check_working_day(held_on)
    panel_session = PanelSession(planned_on=held_on, held_on=held_on,
                           agenda_cutoff_on=_cutoff(held_on, terms["cutoff_working_days"]),
                           **terms)
    db.session.add(panel_session)
    db.session.flush()
    audit.record("session_scheduled", panel_session, actor=actor, held_on=held_on.isoformat())
    return panel_session


def extraordinary_date(starts_at):
    """The earliest working day on which `starts_at` (UK time) is still ahead: today if it is a
    working day and that time has not come, else the next working day. So an extraordinary
    session is always within two working days."""
    now = datetime.now(UK)
    if is_working_day(now.date(), region()) and starts_at > now.time():
        return now.date()
    return add_working_days(now.date(), 1, region())


def schedule_extraordinary(actor, dispute_id, starts_at, duration_minutes, place, online_link):
    """A one-off session for one dispute about a child at immediate risk (rule 14), on the
    earliest working day with the chair's chosen time: the dispute is its only item and its
    agenda is frozen at once. The panel's members are told of the session, the referrer of its
    date."""
    standing = agenda.urgent_standing(dispute_id, lock=True)
    if standing is None:
        raise Refusal("An extraordinary panel is only for a dispute about a child at immediate "
                      "risk that is waiting for the panel", "starts_at")
    dispute = standing.dispute
    held_on = extraordinary_date(starts_at)
    panel_session = PanelSession(
        planned_on=held_on, held_on=held_on, agenda_cutoff_on=held_on, extraordinary=True,
        starts_at=starts_at, duration_minutes=duration_minutes, place=place,
        online_link=online_link, capacity=1, cutoff_working_days=0)
    db.session.add(panel_session)
    db.session.flush()
    agenda.add_item(panel_session, actor, dispute.id)
    audit.record("extraordinary_session_called", panel_session, actor=actor,
                 held_on=held_on.isoformat(), dispute=dispute.id)
    agenda.freeze(panel_session, actor, tell=False)
    notices.extraordinary_session(panel_session)
    return panel_session


def create_series(actor, position, weekday, first_on, **terms):
    """A monthly series ("second Tuesday of each month") and its next six months of sessions."""
    series = PanelSeries(description=describe(position, weekday),
                         rule=monthly_rule(position, weekday), first_on=first_on,
                         created_by_id=actor.id, **terms)
    db.session.add(series)
    db.session.flush()
    created = generate_sessions(series, until=first_on + relativedelta(months=MONTHS_AHEAD))
    audit.record("series_created", series, actor=actor, description=series.description,
                 sessions=len(created))
    return series


def generate_sessions(series, until):
    """Make the series' sessions up to `until` that do not exist yet; return the new ones."""
    existing = set(db.session.scalars(
        select(PanelSession.planned_on).where(PanelSession.series_id == series.id)))
    start = max(series.first_on, today())
    new = []
    for occurrence in occurrences(series.rule, start, until, region()):
        if occurrence.planned_on in existing:
            continue
        panel_session = PanelSession(
            series=series, planned_on=occurrence.planned_on, held_on=occurrence.held_on,
            agenda_cutoff_on=_cutoff(occurrence.held_on, series.cutoff_working_days),
            schedule_note=occurrence.note,
            **{term: getattr(series, term) for term in TERMS},
        )
        db.session.add(panel_session)
        new.append(panel_session)
    db.session.flush()
    return new


def cancel_session(panel_session, actor, reason):
    """Cancel a scheduled session. An urgent dispute on its agenda goes back to the chair's
    urgent box, and the chairs hear at once that it needs a panel (rule 17)."""
    _require_reason(reason)
    enforce(why_not_change_now(panel_session))
    urgent = _urgent_on_agenda(panel_session)
    panel_session.status = SessionStatus.CANCELLED
    panel_session.change_reason = reason.strip()
    panel_session.calendar_sequence += 1  # calendars replace an event only for a higher SEQUENCE
    audit.record("session_cancelled", panel_session, actor=actor,
                 reason=panel_session.change_reason)
    notices.session_cancelled(panel_session)
    for standing in urgent:
        notices.urgent_panel_needed(
            standing.dispute, standing.hear_by, event=f"cancelled-session-{panel_session.id}",
            why=f"has lost its panel: the session on {format_date(panel_session.held_on)} was "
                "cancelled")


def _urgent_on_agenda(panel_session):
    """Where each urgent dispute on the session's agenda stands (rule 17)."""
    ids = [item.dispute_id for item in panel_session.agenda if not item.deferred]
    return urgent_panel.standings(dispute_ids=ids) if ids else []


def _refuse_moving_urgent_past(panel_session, held_on):
    """A session holding an urgent dispute never moves past the day a panel must hear it."""
    for standing in _urgent_on_agenda(panel_session):
        if held_on > standing.hear_by:
            raise Refusal(
                f"The agenda holds {standing.dispute.reference}, about a child at immediate risk, "
                f"which a panel must hear by {format_date(standing.hear_by)}. Move the session to "
                "that date or earlier, or take the dispute off the agenda and call an "
                "extraordinary panel for it", "held_on")


def move_session(panel_session, actor, held_on, reason):
    _require_reason(reason)
    enforce(why_not_change_now(panel_session))
    _check_working_day(held_on)
    _refuse_moving_urgent_past(panel_session, held_on)
    moved_from = panel_session.held_on
    panel_session.held_on = held_on
    panel_session.agenda_cutoff_on = _cutoff(held_on, panel_session.cutoff_working_days)
    panel_session.change_reason = reason.strip()
    panel_session.schedule_note = (f"Moved from {format_date(moved_from)}: "
                                   f"{panel_session.change_reason}")
    panel_session.calendar_sequence += 1  # calendars replace an event only for a higher SEQUENCE
    audit.record("session_moved", panel_session, actor=actor, moved_from=moved_from.isoformat(),
                 held_on=held_on.isoformat())
    notices.session_moved(panel_session)


def _require_reason(reason):
    if not (reason or "").strip():
        raise Refusal("Give the reason", "reason")


def upcoming_sessions(reader, limit=None):
    """The sessions still to come that `reader` may read (rule 12: those of their panel), in
    date order: one held today whose meeting has closed is past."""
    return db.session.scalars(
        select(PanelSession)
        .where(PanelSession.held_on >= today(), PanelSession.to_come,
               readable_sessions(reader))
        .order_by(PanelSession.held_on, PanelSession.id)
        .limit(limit)
    ).all()


def agenda_counts(sessions):
    """How many items each session's agenda holds, in one query for the whole list."""
    ids = [panel_session.id for panel_session in sessions]
    return dict(db.session.execute(
        select(AgendaItem.session_id, func.count(AgendaItem.id))
        .where(AgendaItem.session_id.in_(ids)).group_by(AgendaItem.session_id)).all())


# The schedule counts each past session's cases.
PAST = (selectinload(PanelSession.agenda),)


def past_sessions(reader, limit=12):
    """The most recent sessions before today, or today's once its meeting is over, that
    `reader` may read, newest first (for their record and actions)."""
    return db.session.scalars(
        select(PanelSession)
        .where(or_(PanelSession.held_on < today(), PanelSession.has_minutes),
               ~PanelSession.is_cancelled, readable_sessions(reader))
        .options(*PAST)
        .order_by(PanelSession.held_on.desc(), PanelSession.id.desc())
        .limit(limit)
    ).all()
