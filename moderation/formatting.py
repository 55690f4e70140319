"""Template filters: dates and times as people in the UK read them."""

from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def format_datetime(value):
    """'23 November 2026, 2:05pm' in UK time."""
    if value is None:
        return ""
    local = value.astimezone(UK)
    hour = local.strftime("%I").lstrip("0")
    return f"{local.day} {local:%B %Y}, {hour}:{local:%M}{local:%p}".replace("AM", "am").replace(
        "PM", "pm"
    )


def format_date(value):
    """'23 November 2026'."""
    return "" if value is None else f"{value.day} {value:%B %Y}"


def register(app):
    from moderation.forms import error_summary

    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.add_template_global(error_summary)
