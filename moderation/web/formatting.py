"""Template filters: dates and times as people in the UK read them."""

import re
from datetime import datetime

from markupsafe import Markup

from moderation.calendar import UK


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
    """'23 November 2026'; a moment's date in the UK."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UK)
    return "" if value is None else f"{value.day} {value:%B %Y}"


# A sentence already ends at . ! ? or …, perhaps inside closing quotes or brackets.
SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u2019\u201d)\]]*$")


def full_stop(text):
    """The text as a sentence: a full stop added unless it already ends one, so that typed text
    ending "enough." is not printed "enough..". Keeps Markup as Markup (e.g. after |join)."""
    text = text.rstrip()
    plain = text.unescape() if isinstance(text, Markup) else text  # "stop.&#34;" ends one
    return text if not text or SENTENCE_END.search(plain) else text + "."


def choice_label(value, field):
    """The words a form showed for one of its choices."""
    for choice in field.choices:
        if str(choice.value) == str(value):
            return choice.label
    return value or ""


def enum_label(value, enum_name):
    """The words for a stored enum value, e.g. {{ dispute.told_outcome | label('CscOutcome') }}."""
    from moderation import models
    from moderation.models.dispute_terms import LEVELS_OF_NEED

    if value is None:
        return ""
    if enum_name == "LevelOfNeed":
        return LEVELS_OF_NEED.get(value, value)
    return getattr(models, enum_name)(value).label


def register(app):
    from moderation.web import words
    from moderation.web.forms import page_errors, page_has_errors

    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(choice_label)
    app.add_template_filter(full_stop)
    app.add_template_filter(enum_label, "label")
    app.add_template_filter(lambda value: enum_label(value, "DisputeStatus"), "status_label")
    app.add_template_global(page_has_errors)
    app.add_template_global(page_errors)
    words.register(app)
