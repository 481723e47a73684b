"""The notice board: notices from the office to the community, a building, or one role."""

from flask import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/notices")

from community.notices import views  # noqa: E402, F401
