"""Notifications: the in-app inbox, the devices people get web push on, what they want pushed,
and the push outbox (one row per notification and device)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.db import Base, UTCDateTime, utcnow


class Notification(Base):
    """An in-app notification: the inbox everyone has, whether or not push reaches them."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(500), default="")
    link: Mapped[str] = mapped_column(String(200), default="")
    urgent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PushSubscription(Base):
    """One browser on one device that agreed to receive web push: the PushSubscription the
    browser handed us (endpoint and keys). An endpoint belongs to one person at a time."""

    __tablename__ = "push_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(50))
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationSettings(Base):
    """When a person wants nothing pushed but urgent news. No row: any hour."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    # Quiet hours in minutes after midnight, community time; both or neither. Only urgent
    # notifications are pushed from quiet_from until quiet_until (which may be past midnight).
    quiet_from: Mapped[int | None]
    quiet_until: Mapped[int | None]


class PushPreference(Base):
    """Whether a person wants one kind of notification pushed. No row: they do. Keyed by the
    kind's name, so a feature that declares a new kind needs no new column."""

    __tablename__ = "push_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    wanted: Mapped[bool] = mapped_column(default=True)


class DeliveryStatus:
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Delivery(Base):
    """The outbox: one web push to send, written in the same transaction as its notification.
    A worker claims due rows by moving next_attempt_at past a lease, so that a worker killed
    mid-batch leaves them to be claimed again once the lease runs out."""

    __tablename__ = "push_delivery"
    __table_args__ = (
        # Claiming the due ones, and the operator's list of failed ones, newest first.
        Index("ix_push_delivery_due", "status", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"), index=True
    )
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("push_subscription.id", ondelete="CASCADE"), index=True
    )
    # A newer push with the same topic replaces an older one still waiting on the device.
    topic: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(8), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    notification: Mapped[Notification] = relationship()
    subscription: Mapped[PushSubscription] = relationship()
