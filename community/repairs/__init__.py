"""Repairs: residents report and follow them; staff and the operator work them."""

from flask import Blueprint

bp = Blueprint("repairs", __name__)

from community.repairs import views  # noqa: E402, F401
