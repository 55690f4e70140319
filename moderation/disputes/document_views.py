"""A dispute's documents: attaching, downloading and withdrawing them."""

from flask import Blueprint

bp = Blueprint("documents", __name__)
