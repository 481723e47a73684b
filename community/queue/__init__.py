"""The operator's triage queue: every work order, filtered, paged, assigned in bulk, exported."""

from flask import Blueprint

# "/operator" rather than "/operator/orders": the export lives at /operator/orders.csv, and a
# blueprint prefix always adds a slash before the rule.
bp = Blueprint("queue", __name__, url_prefix="/operator")

from community.queue import views  # noqa: E402, F401
