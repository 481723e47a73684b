"""The in-app inbox: what every person has, whether or not push reaches them."""

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from community.accounts.models import User
from community.core.db import utcnow
from community.core.errors import NotFound
from community.core.paging import newest_first
from community.notify.models import Notification

INBOX_PAGE = 20
UNREAD_CAP = 99


def unread_count(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


# Built once (every page runs it): building a statement costs more than running this one.
_UNREAD_BADGE = select(func.count()).select_from(
    select(Notification.id)
    .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))
    .limit(UNREAD_CAP + 1)
    .subquery()
)


def unread_badge(session: Session, user: User) -> int:
    """Unread notifications, counted up to UNREAD_CAP + 1 (shown as "99+"): one indexed query
    that costs the same for someone who never reads their inbox."""
    return session.scalar(_UNREAD_BADGE, {"user_id": user.id})


def inbox_page(
    session: Session, user: User, before: int | None = None, size: int = INBOX_PAGE
) -> tuple[list[Notification], int | None]:
    """A page of the inbox, newest first, and the id to continue before (None at the end)."""
    statement = select(Notification).where(Notification.user_id == user.id)
    return newest_first(session, statement, Notification.id, before, size)


def mark_read(session: Session, user: User, notification_id: int) -> Notification:
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        raise NotFound(_("No such notification."))
    if row.read_at is None:
        row.read_at = utcnow()
    return row


def mark_all_read(session: Session, user: User) -> None:
    session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
