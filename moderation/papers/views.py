"""The papers pages, the papers pack, the chair's notes and guests."""

from flask import Blueprint

bp = Blueprint("papers", __name__, url_prefix="/sessions")
