"""The outbox: every notification lands in the recipient's in-app inbox, in their own language,
and in the same transaction its push deliveries are written for the devices of those who want
that kind pushed now. This is the one place deliveries are queued; it knows no feature."""

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import Select, insert, select, update
from sqlalchemy.orm import Session

from community.accounts.models import User
from community.core.db import utcnow
from community.notify.kinds import always_on
from community.notify.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationSettings,
    PushPreference,
    PushSubscription,
)

# session.info key: this transaction wrote deliveries, so wake a worker once it commits.
PUSH_QUEUED = "community.push_queued"


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
    unless it is urgent. A kind declared always-on is pushed whatever they chose. One query,
    however many people."""
    rows = session.execute(
        select(
            PushSubscription.user_id,
            PushSubscription.id,
            # NULL when the person never chose: the default is to push.
            PushPreference.wanted,
            NotificationSettings.quiet_from,
            NotificationSettings.quiet_until,
        )
        .outerjoin(
            PushPreference,
            (PushPreference.user_id == PushSubscription.user_id) & (PushPreference.kind == kind),
        )
        .outerjoin(NotificationSettings, NotificationSettings.user_id == PushSubscription.user_id)
        .where(PushSubscription.user_id.in_(who))
        .order_by(PushSubscription.id)
    ).all()
    minute = local_minute(now or utcnow())
    always = always_on(kind)
    return [
        (user_id, subscription_id)
        for user_id, subscription_id, wants, start, end in rows
        if always or wants is None or wants
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
