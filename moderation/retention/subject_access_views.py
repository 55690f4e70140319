"""Subject access: find every record about one child, and export them."""

from flask import Blueprint

from moderation.retention import permissions  # noqa: F401 (its rules)

bp = Blueprint("subject_access", __name__)
