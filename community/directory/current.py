"""The community this app serves: the entity, loaded once per request, for the pages that change
or link it; and its card (name, address, the office's phone) that every page's header and
call buttons show, kept for a minute.

Every page showed the community's name, and reading it was one of the three statements every
page ran. The card is kept in the app's short cache (core.shortcache) for KEEP_SECONDS, and
forgotten in this process the moment a change to the community is committed, so the admin who
saves new settings sees them on the next page; another worker process may show the old name or
phone for up to KEEP_SECONDS."""

from dataclasses import dataclass

from flask import g, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session, object_session

from community.core.extensions import db
from community.core.shortcache import short_cache
from community.directory.models import Community

KEEP_SECONDS = 60
_KEY = ("community-card",)

# Built once: every page runs one of them, and building a statement costs more than running it.
_FIRST = select(Community).order_by(Community.id).limit(1)
_CARD = (
    select(Community.id, Community.name, Community.address, Community.operator_phone)
    .order_by(Community.id)
    .limit(1)
)


@dataclass(frozen=True)
class CommunityCard:
    id: int
    name: str
    address: str
    operator_phone: str


def current_community() -> Community | None:
    if "community" not in g:
        g.community = db.session.scalar(_FIRST)
    return g.community


def community_card() -> CommunityCard | None:
    """What pages show of the community, at most KEEP_SECONDS old (see above)."""
    card, _computed_at = short_cache().get(_KEY, KEEP_SECONDS, _read_card)
    return card


def _read_card() -> CommunityCard | None:
    row = db.session.execute(_CARD).first()
    return CommunityCard(*row) if row is not None else None


@event.listens_for(Community, "after_insert")
@event.listens_for(Community, "after_update")
@event.listens_for(Community, "after_delete")
def _changed(_mapper, _connection, target) -> None:
    session = object_session(target)
    if session is not None:
        session.info["community_changed"] = True


@event.listens_for(Session, "after_commit")
def _forget_the_card(session) -> None:
    if session.info.pop("community_changed", False) and has_app_context():
        short_cache().forget(_KEY)


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session) -> None:
    session.info.pop("community_changed", None)
