"""Sessions as iCalendar events (RFC 5545): when, where and a link, never case details.

A download and a member's feed are both published copies (iTIP METHOD:PUBLISH, RFC 5546) of
the same events: each session keeps one UID, and its SEQUENCE (`calendar_sequence`, raised by
every move or cancellation) tells a calendar that already holds the event to replace it.
"""

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from moderation.calendar import UK

TZID = "Europe/London"  # the key of formatting.UK, which every DTSTART and DTEND carries


def session_calendar(sessions, partnership_name, link_for):
    """An iCalendar document of `sessions`; `link_for(session)` gives each one's page URL."""
    calendar = Calendar()
    calendar.add("prodid", "-//Threshold moderation//Panel sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{partnership_name}: threshold moderation panel")
    calendar.add_component(uk_timezone())
    stamp = datetime.now(UTC)  # DTSTAMP must be UTC (RFC 5545 3.8.7.2)
    organizer = _organizer(partnership_name)
    for panel_session in sessions:
        calendar.add_component(
            _event(panel_session, partnership_name, link_for(panel_session), stamp, organizer))
    return calendar.to_ical()


def uk_timezone():
    """Europe/London as yearly rules (BST from 01:00 GMT on the last Sunday in March to 01:00
    GMT on the last Sunday in October, the rule since 1996). Written out rather than generated
    with icalendar's Timezone.from_tzinfo, whose RDATE lists Outlook misreads and whose BST
    onset is the wall-clock time after the change (02:00) where RFC 5545 3.6.5 wants the local
    time before it (01:00)."""
    timezone = Timezone()
    timezone.add("tzid", TZID)
    timezone.add_component(_observance(TimezoneDaylight, "BST", datetime(1996, 3, 31, 1),
                                       3, timedelta(0), timedelta(hours=1)))
    timezone.add_component(_observance(TimezoneStandard, "GMT", datetime(1996, 10, 27, 2),
                                       10, timedelta(hours=1), timedelta(0)))
    return timezone


def _observance(kind, name, onset, month, offset_from, offset_to):
    observance = kind()
    observance.add("tzname", name)
    observance.add("dtstart", onset)  # local time, as the previous offset reads it
    observance.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
    observance.add("tzoffsetfrom", offset_from)
    observance.add("tzoffsetto", offset_to)
    return observance


def _organizer(partnership_name):
    # RFC 5546 requires an ORGANIZER in a PUBLISH: the partnership, at the address emails
    # come from.
    organizer = vCalAddress("mailto:" + parseaddr(current_app.config["MAIL_FROM"])[1])
    organizer.params["cn"] = partnership_name
    return organizer


def _uid(panel_session):
    # Globally unique (RFC 5545 3.8.4.7): a person on two partnerships' panels must not have
    # one partnership's session 3 replace the other's in their calendar.
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "threshold-moderation"
    return f"panel-session-{panel_session.id}@{host}"


def _event(panel_session, partnership_name, link, stamp, organizer):
    starts = datetime.combine(panel_session.held_on, panel_session.starts_at, tzinfo=UK)
    event = Event()
    event.add("uid", _uid(panel_session))
    event.add("dtstamp", stamp)
    event.add("sequence", panel_session.calendar_sequence)
    event.add("dtstart", starts)
    event.add("dtend", starts + timedelta(minutes=panel_session.duration_minutes))
    event.add("summary", f"Threshold moderation panel ({partnership_name})")
    event.add("organizer", organizer)
    if panel_session.place:
        event.add("location", panel_session.place)
    event.add("url", link)
    online = panel_session.online_link
    event.add("description", "Details and papers: " + link
              + (f"\nJoin online: {online}" if online else ""))
    cancelled = panel_session.is_cancelled
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event
