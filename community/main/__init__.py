"""Home, settings, health and the installable-app shell."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from community.main import pwa, views  # noqa: E402, F401
