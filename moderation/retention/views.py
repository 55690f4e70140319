"""The retention schedule, the retention job's reports, and legal holds on disputes."""

from flask import Blueprint

from moderation.retention import permissions  # noqa: F401 (its rules)

bp = Blueprint("retention", __name__)
