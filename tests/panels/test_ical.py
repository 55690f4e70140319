"""The calendar files members download or subscribe to are valid iCalendar: every time zone
they name is defined (RFC 5545 3.2.19), each event has what 3.6.1 and a PUBLISH (RFC 5546
3.2.1) require, and a moved or cancelled session has a higher SEQUENCE so calendars apply it."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from moderation.models import PanelMember, PanelSession, User
from moderation.panels import services
from tests.conftest import post, url

# RFC 5545 3.6.1: properties a VEVENT must have once, and those it may have at most once.
EVENT_REQUIRED = {"UID", "DTSTAMP"}
EVENT_AT_MOST_ONCE = {"CLASS", "CREATED", "DESCRIPTION", "DTSTART", "GEO", "LAST-MODIFIED",
                      "LOCATION", "ORGANIZER", "PRIORITY", "DTSTAMP", "SEQUENCE", "STATUS",
                      "SUMMARY", "TRANSP", "UID", "URL", "RECURRENCE-ID", "DTEND", "DURATION"}
# RFC 5546 3.2.1: a PUBLISH also needs these in every VEVENT.
PUBLISH_REQUIRED = {"DTSTART", "ORGANIZER", "SUMMARY"}
EVENT_STATUSES = {"TENTATIVE", "CONFIRMED", "CANCELLED"}  # 3.8.1.11
OBSERVANCE_REQUIRED = {"DTSTART", "TZOFFSETTO", "TZOFFSETFROM"}  # 3.6.5


pytestmark = pytest.mark.usefixtures("on_a_monday")  # the clock at 09:00 on 23 November 2026


def names(component):
    return Counter(name for name, _ in component.property_items(recursive=False)
                   if name not in ("BEGIN", "END"))


def exactly_once(component, required, at_most_once=()):
    counted = names(component)
    return ([f"{component.name} needs one {name}" for name in required if counted[name] != 1]
            + [f"{component.name} has {name} {counted[name]} times"
               for name in at_most_once if counted[name] > 1])


def event_problems(event, method):
    problems = exactly_once(event, EVENT_REQUIRED | {"DTSTART"}, EVENT_AT_MOST_ONCE)
    if method == "PUBLISH":
        problems += exactly_once(event, PUBLISH_REQUIRED)
    if "DTEND" in event and "DURATION" in event:
        problems.append("VEVENT has both DTEND and DURATION")
    if not event["DTSTAMP"].to_ical().endswith(b"Z"):
        problems.append("DTSTAMP is not in UTC (3.8.7.2)")
    if "DTEND" in event and event.decoded("DTEND") <= event.decoded("DTSTART"):
        problems.append("DTEND is not later than DTSTART (3.8.2.2)")
    if str(event.get("STATUS", "CONFIRMED")) not in EVENT_STATUSES:
        problems.append(f"VEVENT STATUS {event['STATUS']}")
    if int(event.get("SEQUENCE", 0)) < 0:
        problems.append("SEQUENCE is negative")
    return problems


def timezone_problems(timezone):
    observances = timezone.subcomponents
    problems = exactly_once(timezone, {"TZID"})
    if not observances or any(o.name not in ("STANDARD", "DAYLIGHT") for o in observances):
        problems.append("VTIMEZONE needs STANDARD or DAYLIGHT observances only")
    for observance in observances:
        problems += exactly_once(observance, OBSERVANCE_REQUIRED)
        if observance.decoded("DTSTART").tzinfo is not None:
            problems.append("an observance's DTSTART must be a local time")
    return problems


def tzids_used(calendar):
    return {str(value.params["TZID"]) for component in calendar.walk()
            for _, value in component.property_items(recursive=False)
            if "TZID" in getattr(value, "params", {})}


def rfc5545_problems(calendar):
    """What a validator would complain of, against RFC 5545 3.6 and 3.6.1 and RFC 5546."""
    problems = exactly_once(calendar, {"PRODID", "VERSION"}, {"METHOD", "CALSCALE"})
    if str(calendar.get("VERSION")) != "2.0":
        problems.append("VERSION is not 2.0")
    method = str(calendar.get("METHOD", ""))
    timezones = {str(tz["TZID"]): tz for tz in calendar.walk("VTIMEZONE")}
    problems += [f"TZID={tzid} has no VTIMEZONE" for tzid in tzids_used(calendar) - set(timezones)]
    for timezone in timezones.values():
        problems += timezone_problems(timezone)
    for event in calendar.walk("VEVENT"):
        problems += event_problems(event, method)
    uids = Counter(str(event["UID"]) for event in calendar.walk("VEVENT"))
    problems += [f"UID {uid} used {count} times" for uid, count in uids.items() if count > 1]
    return problems


def download(client, session_id):
    response = client.get(url(client, "panels.calendar_file", session_id=session_id))
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert rfc5545_problems(calendar) == []
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_a_new_sessions_file_is_valid_with_sequence_0(client, signed_in, make_session):
    signed_in("panel_member", seat="representative")
    session = make_session()
    calendar, event = download(client, session)
    assert tzids_used(calendar) == {"Europe/London"}
    assert calendar.get_missing_tzids() == set()
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert (int(event["SEQUENCE"]), str(event["STATUS"])) == (0, "CONFIRMED")
    assert str(event["UID"]) == f"panel-session-{session}@127.0.0.1"  # BASE_URL's host
    assert event.decoded("DTSTAMP") == datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_moving_then_cancelling_raises_the_sequence_and_keeps_the_uid(
        client, signed_in, make_session):
    signed_in("chair", seat="chair")
    session = make_session()
    _, before = download(client, session)
    post(client, url(client, "panels.move", session_id=session),
         {"held_on": ["10", "12", "2026"], "reason": "The chair is at court"})
    calendar, moved = download(client, session)
    assert int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART").date() == date(2026, 12, 10)
    post(client, url(client, "panels.cancel", session_id=session), {"reason": "Too few cases"})
    calendar, cancelled = download(client, session)
    assert (int(cancelled["SEQUENCE"]), str(cancelled["STATUS"])) == (2, "CANCELLED")
    assert str(calendar["METHOD"]) == "PUBLISH"  # a cancelled event is still published
    assert str(before["UID"]) == str(moved["UID"]) == str(cancelled["UID"])


def test_a_members_feed_is_valid_and_shows_a_cancelled_session(
        app, db, client, make_user, make_member, make_session):
    chair = make_user("chair")
    member = make_member()
    winter = make_session()
    summer = make_session(held_on=date(2027, 6, 8))
    with app.app_context():
        services.cancel_session(db.session.get(PanelSession, winter),
                                db.session.get(User, chair.id), "Too few cases")
        db.session.commit()
        token = db.session.get(PanelMember, member).calendar_token
    calendar = Calendar.from_ical(client.get(url(app, "panels.feed", token=token)).data)
    assert rfc5545_problems(calendar) == []
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    cancelled = events[f"panel-session-{winter}@127.0.0.1"]
    assert (int(cancelled["SEQUENCE"]), str(cancelled["STATUS"])) == (1, "CANCELLED")
    june = events[f"panel-session-{summer}@127.0.0.1"]
    assert june.decoded("DTSTART").utcoffset() == timedelta(hours=1)  # 10:00 BST


def onsets(observance, until):
    """The UTC instants an observance begins (RFC 5545 3.6.5: DTSTART is the local time
    before the change, read with TZOFFSETFROM)."""
    start = observance.decoded("DTSTART")
    rule = rrulestr(observance["RRULE"].to_ical().decode(), dtstart=start)
    offset = observance.decoded("TZOFFSETFROM")
    return [(local - offset).replace(tzinfo=UTC) for local in rule.between(start, until, inc=True)]


def test_the_uk_time_zone_changes_when_the_time_zone_database_says(client, signed_in,
                                                                    make_session):
    signed_in("panel_member", seat="representative")
    calendar, _ = download(client, make_session())
    (timezone,) = calendar.walk("VTIMEZONE")
    london = ZoneInfo("Europe/London")
    for observance in timezone.subcomponents:
        changes = [at for at in onsets(observance, datetime(2040, 1, 1))
                   if at.year >= 2000]
        assert len(changes) == 40
        for at in changes:
            assert at.astimezone(london).utcoffset() == observance.decoded("TZOFFSETTO"), at
            before = (at - timedelta(seconds=1)).astimezone(london).utcoffset()
            assert before == observance.decoded("TZOFFSETFROM"), at
