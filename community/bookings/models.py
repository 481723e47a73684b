"""The service catalogue, its weekly hours and closed days, the slots people booked, and the
bookings themselves (a reservation on the capacity engine, plus what the desk records)."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.capacity.models import Reservation, Resource
from community.core.db import Base, UTCDateTime, utcnow
from community.directory.models import Place
from community.workorders.models import WorkOrder


class Provider(Base):
    """Who provides a service: a member of staff (user_id), or an outside provider the
    operator records by name and phone."""

    __tablename__ = "service_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str] = mapped_column(String(32), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    note: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User | None] = relationship()


class Service(Base):
    __tablename__ = "service"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("per_slot > 0", name="per_slot_positive"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    scenario: Mapped[str] = mapped_column(String(20))  # a key of directory.scenarios.SCENARIOS
    # At the person's home (place_id None), or at a place of the community.
    at_home: Mapped[bool] = mapped_column(default=False)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
    duration_minutes: Mapped[int] = mapped_column(default=60)
    price_cents: Mapped[int] = mapped_column(default=0)  # 0: public welfare, free
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("service_provider.id"))
    per_slot: Mapped[int] = mapped_column(default=1)  # people per slot
    notice_hours: Mapped[int] = mapped_column(default=2)  # booked at least this long ahead
    horizon_days: Mapped[int] = mapped_column(default=14)  # and at most this far ahead
    buffer_minutes: Mapped[int] = mapped_column(default=0)  # between two slots
    cancel_hours: Mapped[int] = mapped_column(default=2)  # cancel or move until this long before
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    place: Mapped[Place | None] = relationship()
    provider: Mapped[Provider | None] = relationship()
    hours: Mapped[list["ServiceHours"]] = relationship(
        order_by="(ServiceHours.weekday, ServiceHours.opens)", cascade="all, delete-orphan"
    )

    def name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") and self.name_en else self.name_zh

    def description(self, locale: str) -> str:
        english = locale.startswith("en") and self.description_en
        return self.description_en if english else self.description_zh


class ServiceHours(Base):
    """One opening of the weekly plan, in the community's time zone: weekday 0 (Monday) to 6,
    from opens to closes in minutes after midnight. Two rows on one day make a break."""

    __tablename__ = "service_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("opens >= 0 AND closes <= 1440 AND opens < closes", name="open_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    weekday: Mapped[int]
    opens: Mapped[int]
    closes: Mapped[int]


class ServiceClosure(Base):
    """A day a service is closed (service_id None: every service), besides public holidays."""

    __tablename__ = "service_closure"
    __table_args__ = (UniqueConstraint("service_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(120), default="")


class Slot(Base):
    """A time of a service that someone booked: made on the first booking, with the capacity
    resource that holds its places."""

    __tablename__ = "service_slot"
    __table_args__ = (UniqueConstraint("service_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resource_id: Mapped[int] = mapped_column(ForeignKey("capacity_resource.id"), unique=True)

    service: Mapped[Service] = relationship()
    resource: Mapped[Resource] = relationship()


class Attendance:
    EXPECTED = "expected"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class Booking(Base):
    """A resident's booking: the reservation on the slot's resource, the work order when the
    service comes to their home, and what the desk records (attendance, payment)."""

    __tablename__ = "booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    reservation_id: Mapped[int] = mapped_column(ForeignKey("capacity_reservation.id"), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("service_slot.id"), index=True)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"))
    attendance: Mapped[str] = mapped_column(String(10), default=Attendance.EXPECTED)
    paid_cents: Mapped[int | None]
    paid_how: Mapped[str] = mapped_column(String(12), default="")  # cash, wechat, alipay, card
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the reminders went (bookings.tasks): each is sent once.
    reminded_day_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_hour_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reservation: Mapped[Reservation] = relationship()
    slot: Mapped[Slot] = relationship()
    work_order: Mapped[WorkOrder | None] = relationship()
