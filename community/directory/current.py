"""The community this app serves, loaded once per request."""

from flask import g
from sqlalchemy import select

from community.core.extensions import db
from community.directory.models import Community

# Built once: every page runs it, and building a statement costs more than running this one.
_FIRST = select(Community).order_by(Community.id).limit(1)


def current_community() -> Community | None:
    if "community" not in g:
        g.community = db.session.scalar(_FIRST)
    return g.community
