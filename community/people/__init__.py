"""The operator's and admin's pages for people: reviewing sign-ups, roles, community settings."""

from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/operator")

from community.people import views  # noqa: E402, F401
