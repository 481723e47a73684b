"""Care's own tables, keyed by the work order of each visit: when and what, the needs notes,
the visit log; weekly series; the elder's consent to what family may see, and every read of a
visit log by family or the office."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.core.db import Base, UTCDateTime, utcnow
from community.workorders.models import WorkOrder


class CareSeries(Base):
    """A weekly visit until stopped: each occurrence is its own order, made a few weeks ahead."""

    __tablename__ = "care_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    visit_kind: Mapped[str] = mapped_column(String(16))
    first_day: Mapped[date] = mapped_column(Date)
    window: Mapped[str] = mapped_column(String(12))
    needs: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    elder: Mapped[User] = relationship(foreign_keys=[elder_id])


class CareVisit(Base):
    """One visit: its order's care-specific facts and, once done, its log."""

    __tablename__ = "care_visit"
    __table_args__ = (
        UniqueConstraint("series_id", "day"),
        CheckConstraint("mood IS NULL OR (mood BETWEEN 1 AND 3)", name="mood_range"),
    )

    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), primary_key=True)
    elder_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("care_series.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    window: Mapped[str] = mapped_column(String(12))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Sensitive: mobility, hearing, where the keys are. Only the assigned volunteer, the office,
    # the elder and consenting family see them.
    needs: Mapped[str] = mapped_column(Text, default="")
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How the elder seemed: 1 unwell, 2 so-so, 3 well.
    mood: Mapped[int | None]
    concern: Mapped[str] = mapped_column(Text, default="")
    concern_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"))
    # The office was told nobody had taken it yet (once per visit).
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[WorkOrder] = relationship(foreign_keys=[order_id])
    elder: Mapped[User] = relationship(foreign_keys=[elder_id])
    series: Mapped[CareSeries | None] = relationship()


class ConsentStatus:
    PENDING, GRANTED, REVOKED = "pending", "granted", "revoked"
    ALL = (PENDING, GRANTED, REVOKED)


class CareConsent(Base):
    """What an elder lets one family member see: the visit log and the needs notes, once
    granted. Who decided, and when, is kept; no row is the same as pending."""

    __tablename__ = "care_consent"
    __table_args__ = (UniqueConstraint("elder_id", "relative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elder_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    relative_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(8), default=ConsentStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class CareLogRead(Base):
    """Family or the office read a visit's log: who, which visit, when. Append-only."""

    __tablename__ = "care_log_read"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    reader_is: Mapped[str] = mapped_column(String(8))  # family, office
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reader: Mapped[User] = relationship()
