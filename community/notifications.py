"""Notifications: every one lands in the recipient's in-app inbox, in their own language.
This is the one place deliveries are queued; web push plugs in here."""

from collections.abc import Iterable

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from community.links import path_for
from community.models import Notification, User, WorkOrder, WorkOrderFollower, utcnow


def queue(
    session: Session,
    recipients: Iterable[User],
    kind: str,
    render,
    link: str = "",
    urgent: bool = False,
) -> list[Notification]:
    """One notification per recipient; render() is called in the recipient's language and
    returns (title, body)."""
    rows = []
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    for user in {user.id: user for user in recipients}.values():
        with force_locale(user.locale or default):
            title, body = render()
        row = Notification(
            user_id=user.id,
            kind=kind,
            title=title[:200],
            body=body[:500],
            link=link,
            urgent=urgent,
        )
        session.add(row)
        rows.append(row)
    return rows


def order_changed(session: Session, order: WorkOrder, event, actor: User | None) -> None:
    """Tell the people who care about an order what just happened to it."""
    from community.workflow import EVENT_TEXTS, STATUS_LABELS

    session.refresh(order)
    people = {order.requester, order.on_behalf_of, order.assignee}
    followers = session.scalars(
        select(User)
        .join(WorkOrderFollower, WorkOrderFollower.user_id == User.id)
        .where(WorkOrderFollower.order_id == order.id)
    )
    people.update(followers)
    people.discard(None)
    if actor is not None:
        people.discard(actor)
    if not people:
        return

    def render():
        title = _("Repair #%(number)d: %(what)s", number=order.id, what=EVENT_TEXTS[event.action])
        body = event.note or _("Status: %(status)s", status=STATUS_LABELS[order.status])
        return title, body

    queue(
        session,
        people,
        "workorder",
        render,
        link=path_for("repairs.detail", order_id=order.id),
        urgent=order.priority == "urgent",
    )


def unread_count(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def mark_all_read(session: Session, user: User) -> None:
    session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
