"""Work orders: something a person asked for that someone must do (repairs, care visits,
at-home bookings), with an append-only timeline of events."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.core.db import Base, UTCDateTime, utcnow
from community.directory.models import Place, Unit


class WorkOrder(Base):
    __tablename__ = "work_order"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating_range"),
        # The operator's queue pages by (created_at, id) within a status. The queue's other
        # filters ride along, so that a filtered page and the per-status counts are read from
        # the index alone, never a table row per active order.
        Index(
            "ix_work_order_queue",
            "status",
            "created_at",
            "id",
            "category",
            "building_id",
            "priority",
            "assignee_id",
        ),
        Index("ix_work_order_created", "created_at", "id"),
        Index("ix_work_order_due", "due_at", "id"),
        # "Most urgent first" and "overdue only" within the open statuses; created_at so that
        # the overdue orders, newest first, come from the index alone.
        Index("ix_work_order_status_due", "status", "due_at", "created_at", "id"),
        Index("ix_work_order_assignee_status", "assignee_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), default="repair")
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    category: Mapped[str] = mapped_column(String(16), index=True)
    description: Mapped[str] = mapped_column(Text)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # Denormalized from the place or unit, so that the queue filters by building on one table.
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    rating: Mapped[int | None]
    rating_comment: Mapped[str] = mapped_column(String(500), default="")
    status_note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    place: Mapped[Place | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    events: Mapped[list["WorkOrderEvent"]] = relationship(
        back_populates="order", order_by="WorkOrderEvent.id"
    )
    photos: Mapped[list["WorkOrderPhoto"]] = relationship(
        back_populates="order", order_by="WorkOrderPhoto.id"
    )


class WorkOrderEvent(Base):
    """One step of an order's life. Never updated, never deleted."""

    __tablename__ = "work_order_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[WorkOrder] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    photos: Mapped[list["WorkOrderPhoto"]] = relationship(back_populates="event")


class WorkOrderFollower(Base):
    """Someone who follows an order: its requester, and those who said "me too"."""

    __tablename__ = "work_order_follower"
    __table_args__ = (UniqueConstraint("order_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkOrderPhoto(Base):
    """A photo re-encoded without metadata, stored outside static/ under a random name."""

    __tablename__ = "work_order_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("work_order_event.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[WorkOrder] = relationship(back_populates="photos")
    event: Mapped[WorkOrderEvent | None] = relationship(back_populates="photos")
