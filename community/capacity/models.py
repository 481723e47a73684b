"""A resource with a number of places, the reservations on it, and what happened to each."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.core.db import Base, UTCDateTime, utcnow


class ReservationStatus:
    HELD = "held"  # a place kept while the person finishes (reserved, not yet confirmed)
    CONFIRMED = "confirmed"
    OFFERED = "offered"  # a freed place kept for the first in line until offer_expires_at
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # an offer nobody took in time


# A person has at most one of these per resource (the partial unique index below).
ACTIVE = (
    ReservationStatus.HELD,
    ReservationStatus.CONFIRMED,
    ReservationStatus.OFFERED,
    ReservationStatus.WAITLISTED,
)
_ACTIVE_SQL = "status IN ('held', 'confirmed', 'offered', 'waitlisted')"


class Resource(Base):
    """Something with a fixed number of places. `version` is bumped by every change to its
    reservations: the UPDATE that bumps it is also the lock that serializes them."""

    __tablename__ = "capacity_resource"
    __table_args__ = (CheckConstraint("size >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # who owns it: "service_slot", ...
    size: Mapped[int]
    # How long a freed place is kept for the first in line, at most.
    hold_minutes: Mapped[int] = mapped_column(default=120)
    # When it begins: offers are shorter as it nears, and nothing is offered once it began.
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Closed for good (the session it stands for was called off): no reservation is taken.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reservation(Base):
    __tablename__ = "capacity_reservation"
    __table_args__ = (
        CheckConstraint("party_size >= 1", name="party_size_positive"),
        Index(
            "uq_capacity_reservation_active",
            "resource_id",
            "person_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        # The waiting list in order, and the offers that run out.
        Index("ix_capacity_reservation_line", "resource_id", "status", "priority", "id"),
        Index("ix_capacity_reservation_offer", "status", "offer_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("capacity_resource.id"))
    # Whom the places are for, and who made the reservation (a family member, a volunteer).
    person_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    party_size: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(12))
    # Higher first in the waiting list; the operator moves someone up, with a reason.
    priority: Mapped[int] = mapped_column(default=0)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    resource: Mapped[Resource] = relationship()
    person: Mapped[User] = relationship(foreign_keys=[person_id])


class ReservationEvent(Base):
    """One change of a reservation: the person's history and the operator's audit trail.
    Never updated, never deleted."""

    __tablename__ = "capacity_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    reservation_id: Mapped[int] = mapped_column(ForeignKey("capacity_reservation.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
