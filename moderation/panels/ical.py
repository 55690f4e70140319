"""Sessions as iCalendar events: when, where and a link, never case details."""

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from moderation.formatting import UK
from moderation.models import SessionStatus


def session_calendar(sessions, partnership_name, link_for):
    """An iCalendar document of `sessions`; `link_for(session)` gives each one's page URL."""
    calendar = Calendar()
    calendar.add("prodid", "-//Threshold moderation//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{partnership_name}: threshold moderation panel")
    for session in sessions:
        calendar.add_component(_event(session, partnership_name, link_for(session)))
    return calendar.to_ical()


def _event(session, partnership_name, link):
    starts = datetime.combine(session.held_on, session.starts_at, tzinfo=UK)
    event = Event()
    event.add("uid", f"panel-session-{session.id}@threshold-moderation")
    event.add("dtstamp", datetime.now(UK))
    event.add("dtstart", starts)
    event.add("dtend", starts + timedelta(minutes=session.duration_minutes))
    event.add("summary", f"Threshold moderation panel ({partnership_name})")
    if session.place:
        event.add("location", session.place)
    event.add("url", link)
    event.add("description", "Details and papers: " + link
              + (f"\nJoin online: {session.online_link}" if session.online_link else ""))
    if session.status == SessionStatus.CANCELLED:
        event.add("status", "CANCELLED")
    return event
