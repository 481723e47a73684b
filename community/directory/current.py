"""The community this app serves, loaded once per request."""

from flask import g
from sqlalchemy import select

from community.core.extensions import db
from community.directory.models import Community


def current_community() -> Community | None:
    if "community" not in g:
        g.community = db.session.scalar(select(Community).order_by(Community.id).limit(1))
    return g.community
