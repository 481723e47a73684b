"""The inbox everyone has, what each person wants pushed, their devices, and the operator's
list of pushes that failed."""

from flask import Blueprint

bp = Blueprint("inbox", __name__)

from community.inbox import views  # noqa: E402, F401
