"""Notifications: every one lands in the recipient's in-app inbox, in their own language, and
in the same transaction its push deliveries are written to the outbox for the devices of
those who want that kind pushed now. This is the one place deliveries are queued."""

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, event, func, insert, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from community.errors import Invalid, NotFound
from community.links import path_for
from community.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationSettings,
    PushSubscription,
    User,
    WorkOrder,
    WorkOrderFollower,
    utcnow,
)
from community.paging import newest_first

# The kinds a person chooses to have pushed (the inbox always gets everything), and the
# settings column for each. A kind not listed here is pushed to everyone who has push.
PUSH_KINDS = {
    "workorder": "push_workorder",
    "activity": "push_activity",
    "care": "push_care",
    "notice": "push_notice",
}
KIND_LABELS = {
    "workorder": _l("Updates on my repairs and work orders"),
    "activity": _l("Activity reminders"),
    "care": _l("Care visits"),
    "notice": _l("Notices from the office"),
}
# session.info key: this transaction wrote deliveries, so wake a worker once it commits.
PUSH_QUEUED = "community.push_queued"
INBOX_PAGE = 20
UNREAD_CAP = 99


# ---- Queueing: the inbox row and its deliveries, in the caller's transaction ---------------


def local_minute(moment: datetime) -> int:
    """Minutes after midnight in the community's time zone."""
    local = moment.astimezone(ZoneInfo(current_app.config["COMMUNITY_TIMEZONE"]))
    return local.hour * 60 + local.minute


def in_quiet_hours(minute: int, start: int | None, end: int | None) -> bool:
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end  # past midnight: 22:00 to 07:00


def push_targets(
    session: Session, who, kind: str, urgent: bool, now: datetime | None = None
) -> list[tuple[int, int]]:
    """(user id, subscription id) for the devices to push this notification to: people in
    `who` (ids, or a select of ids) who want this kind pushed, outside their quiet hours
    unless it is urgent. One query, however many people."""
    column = PUSH_KINDS.get(kind)
    # NULL when the person never chose: the default is to push.
    wanted = getattr(NotificationSettings, column) if column else true()
    rows = session.execute(
        select(
            PushSubscription.user_id,
            PushSubscription.id,
            wanted,
            NotificationSettings.quiet_from,
            NotificationSettings.quiet_until,
        )
        .outerjoin(NotificationSettings, NotificationSettings.user_id == PushSubscription.user_id)
        .where(PushSubscription.user_id.in_(who))
        .order_by(PushSubscription.id)
    ).all()
    minute = local_minute(now or utcnow())
    return [
        (user_id, subscription_id)
        for user_id, subscription_id, wants, start, end in rows
        if wants is None or wants
        if urgent or not in_quiet_hours(minute, start, end)
    ]


def queue(
    session: Session,
    recipients: Iterable[User],
    kind: str,
    render,
    link: str = "",
    urgent: bool = False,
    topic: str = "",
) -> list[Notification]:
    """One notification per recipient; render() is called in the recipient's language and
    returns (title, body). Deliveries for their devices are added to the same session; a push
    held back (the kind not wanted, quiet hours) simply has none. topic: a newer push with the
    same topic replaces an older one still waiting on the device (at most 32 of [A-Za-z0-9_-])."""
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
    if rows:
        by_user = {row.user_id: row for row in rows}
        targets = push_targets(session, list(by_user), kind, urgent)
        for user_id, subscription_id in targets:
            session.add(
                Delivery(
                    notification=by_user[user_id], subscription_id=subscription_id, topic=topic
                )
            )
        if targets:
            session.info[PUSH_QUEUED] = True
    return rows


def queue_bulk(
    session: Session,
    audience: Select,
    kind: str,
    render,
    link: str = "",
    urgent: bool = False,
    topic: str = "",
) -> int:
    """queue() for thousands: everyone whose id the audience select returns. render() runs once
    per language; the rows go in with bulk INSERTs, so the number of statements stays the same
    however large the audience. Returns how many people were notified."""
    people = session.execute(select(User.id, User.locale).where(User.id.in_(audience))).all()
    if not people:
        return 0
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    texts = {}
    for locale in {locale or default for _id, locale in people}:
        with force_locale(locale):
            title, body = render()
        texts[locale] = (title[:200], body[:500])
    now = utcnow()
    # Each row comes back with its user id, so the order of the rows does not matter (asking for
    # it would make SQLite insert them one at a time).
    inserted = session.execute(
        insert(Notification).returning(Notification.id, Notification.user_id),
        [
            {
                "user_id": user_id,
                "kind": kind,
                "title": texts[locale or default][0],
                "body": texts[locale or default][1],
                "link": link,
                "urgent": urgent,
                "created_at": now,
            }
            for user_id, locale in people
        ],
    ).all()
    notification_of = {user_id: notification_id for notification_id, user_id in inserted}
    deliveries = [
        {
            "notification_id": notification_of[user_id],
            "subscription_id": subscription_id,
            "topic": topic,
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": "",
            "created_at": now,
        }
        for user_id, subscription_id in push_targets(session, audience, kind, urgent, now)
        if user_id in notification_of
    ]
    if deliveries:
        session.execute(insert(Delivery), deliveries)
        session.info[PUSH_QUEUED] = True
    return len(inserted)


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
        "care" if order.kind == "care" else "workorder",
        render,
        link=path_for("repairs.detail", order_id=order.id),
        urgent=order.priority == "urgent",
        # The latest change of an order replaces the earlier ones still waiting on a phone.
        topic=f"wo{order.id}",
    )


@event.listens_for(Session, "after_commit")
def _wake_worker(session: Session) -> None:
    """Deliveries are committed: ask a worker to send them now rather than at its next round."""
    if session.info.pop(PUSH_QUEUED, False):
        from community import tasks

        tasks.wake_worker()


@event.listens_for(Session, "after_rollback")
def _forget_queued(session: Session) -> None:
    session.info.pop(PUSH_QUEUED, None)


# ---- The inbox ---------------------------------------------------------------------------


def unread_count(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def unread_badge(session: Session, user: User) -> int:
    """Unread notifications, counted up to UNREAD_CAP + 1 (shown as "99+"): one indexed query
    that costs the same for someone who never reads their inbox."""
    unread = (
        select(Notification.id)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .limit(UNREAD_CAP + 1)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(unread))


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


# ---- What each person wants pushed ---------------------------------------------------------


def settings_for(session: Session, user: User) -> NotificationSettings:
    """The person's choices; the defaults (not saved) if they never chose."""
    found = session.get(NotificationSettings, user.id)
    if found is not None:
        return found
    return NotificationSettings(
        user_id=user.id,
        push_workorder=True,
        push_activity=True,
        push_care=True,
        push_notice=True,
    )


def save_settings(
    session: Session,
    user: User,
    kinds: Iterable[str],
    quiet_from: int | None,
    quiet_until: int | None,
) -> NotificationSettings:
    kinds = set(kinds)
    if kinds - set(PUSH_KINDS):
        raise Invalid(_("Choose from the kinds of notification offered."), field="kinds")
    quiet = (quiet_from, quiet_until)
    if (quiet_from is None) != (quiet_until is None) or any(
        value is not None and not 0 <= value < 24 * 60 for value in quiet
    ):
        raise Invalid(_("Choose when quiet hours start and end."), field="quiet_from")
    if quiet_from is not None and quiet_from == quiet_until:
        raise Invalid(_("Quiet hours must end at another time than they start."), "quiet_until")
    values = {column: kind in kinds for kind, column in PUSH_KINDS.items()}
    values.update(quiet_from=quiet_from, quiet_until=quiet_until)
    changed = session.execute(
        update(NotificationSettings)
        .where(NotificationSettings.user_id == user.id)
        .values(**values)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if not changed:
        try:
            with session.begin_nested():
                session.add(NotificationSettings(user_id=user.id, **values))
        except IntegrityError:  # saved from two devices at once: the other insert won
            session.execute(
                update(NotificationSettings)
                .where(NotificationSettings.user_id == user.id)
                .values(**values)
            )
    return session.get(NotificationSettings, user.id)


def failed_deliveries(
    session: Session, before: int | None = None, size: int = 50
) -> tuple[list[tuple[Delivery, Notification, User]], int | None]:
    """The operator's list: pushes given up on, newest first (one query)."""
    statement = (
        select(Delivery, Notification, User)
        .join(Notification, Notification.id == Delivery.notification_id)
        .join(User, User.id == Notification.user_id)
        .where(Delivery.status == DeliveryStatus.FAILED)
    )
    if before:
        statement = statement.where(Delivery.id < before)
    rows = session.execute(statement.order_by(Delivery.id.desc()).limit(size + 1)).all()
    more = len(rows) > size
    rows = [tuple(row) for row in rows[:size]]
    return rows, (rows[-1][0].id if more else None)


def retry_failed(session: Session) -> int:
    """Give every failed delivery another round of attempts (after a push service outage)."""
    count = session.execute(
        update(Delivery)
        .where(Delivery.status == DeliveryStatus.FAILED)
        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if count:
        session.info[PUSH_QUEUED] = True
    return count
