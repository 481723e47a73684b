"""Notifications beyond the inbox: the devices people get web push on, what they want pushed,
the push outbox (one row per notification and device), and the community notice board."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.models.accounts import User
from community.models.base import Base, UTCDateTime, utcnow
from community.models.directory import Building
from community.models.workorders import Notification


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
    """What a person wants pushed, and when not. No row: every kind, at any hour."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    push_workorder: Mapped[bool] = mapped_column(default=True)
    push_activity: Mapped[bool] = mapped_column(default=True)
    push_care: Mapped[bool] = mapped_column(default=True)
    push_notice: Mapped[bool] = mapped_column(default=True)
    # Quiet hours in minutes after midnight, community time; both or neither. Only urgent
    # notifications are pushed from quiet_from until quiet_until (which may be past midnight).
    quiet_from: Mapped[int | None]
    quiet_until: Mapped[int | None]


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


class NoticeAudience:
    COMMUNITY = "community"
    BUILDING = "building"
    ROLE = "role"


class Notice(Base):
    """A notice from the office to the whole community, one building, or everyone holding
    one role. Urgent ones (water cut, elevator stopped) are pushed even in quiet hours."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(12), default=NoticeAudience.COMMUNITY)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"), index=True)
    role: Mapped[str | None] = mapped_column(String(12))
    urgent: Mapped[bool] = mapped_column(default=False)
    recipient_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()
    building: Mapped[Building | None] = relationship()
