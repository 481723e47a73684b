"""Help alerts, what was done about each, and which staff are on duty now."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.core.db import Base, UTCDateTime, utcnow


class AlertStatus:
    RAISED = "raised"  # sent; nobody has answered yet
    ESCALATED = "escalated"  # nobody answered in time: everyone who may help was told
    ACKNOWLEDGED = "acknowledged"  # someone answered and is on the way
    RESOLVED = "resolved"  # over, with a note of what happened

    OPEN = (RAISED, ESCALATED, ACKNOWLEDGED)
    UNANSWERED = (RAISED, ESCALATED)


class HelpAlert(Base):
    """One press of "I need help": by the elder, or by someone acting for them."""

    __tablename__ = "help_alert"
    __table_args__ = (
        # The office's list: open ones first, newest first.
        Index("ix_help_alert_status_raised", "status", "raised_at"),
        # One open alert per elder: a second press (or two family members at once) joins it.
        Index(
            "uq_help_alert_open_elder",
            "elder_id",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    raised_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(12), default=AlertStatus.RAISED)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(300), default="")

    elder: Mapped[User] = relationship(foreign_keys=[elder_id], lazy="joined")
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def is_open(self) -> bool:
        return self.status in AlertStatus.OPEN


class HelpAlertEvent(Base):
    """The alert's record: who did what, when. Append-only."""

    __tablename__ = "help_alert_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("help_alert.id", ondelete="CASCADE"), index=True
    )
    # None: the system (the escalation).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(300), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class OnDuty(Base):
    """A member of staff the office marked as on duty now. No row: off duty."""

    __tablename__ = "help_on_duty"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    marked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
