"""The meeting's blueprint: the meeting pages (views.py) and the minutes pages
(minutes_views.py) add their routes to it, so neither imports the other."""

from flask import Blueprint

bp = Blueprint("meeting", __name__, url_prefix="/sessions")
