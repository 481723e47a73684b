"""Activities, their sessions (each a capacity resource of kind "activity"), the organisers the
office names, and the sign-ups: a reservation on a session's resource, a ticket, and what the
door and the desk record (checked in, paid)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.capacity.models import Reservation, Resource
from community.core.db import Base, UTCDateTime, utcnow
from community.directory.models import Building, Place


class Audience:
    EVERYONE = "everyone"
    BUILDING = "building"  # the residents of one building
    ROLE = "role"  # the holders of one role (volunteers, say)
    SENIORS = "seniors"  # 60 and over, by the birth year in their profile


AUDIENCES = (Audience.EVERYONE, Audience.BUILDING, Audience.ROLE, Audience.SENIORS)
SENIOR_AGE = 60


class Activity(Base):
    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title_zh: Mapped[str] = mapped_column(String(80))
    title_en: Mapped[str] = mapped_column(String(80), default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20))  # a key of directory.scenarios.SCENARIOS
    # At a place of the community, or at an address (a day trip's meeting point).
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
    address: Mapped[str] = mapped_column(String(200), default="")
    duration_minutes: Mapped[int] = mapped_column(default=60)
    # Places per session, None for no limit (the sessions' resources are then very large:
    # every sign-up is recorded, none refused).
    capacity: Mapped[int | None]
    audience: Mapped[str] = mapped_column(String(10), default=Audience.EVERYONE)
    audience_building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"))
    audience_role: Mapped[str] = mapped_column(String(12), default="")
    # Sign-ups open and close (None: from publishing, until the session starts).
    signup_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signup_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waitlist: Mapped[bool] = mapped_column(default=True)
    hold_minutes: Mapped[int] = mapped_column(default=120)
    price_cents: Mapped[int] = mapped_column(default=0)  # per person; 0: public welfare, free
    cover_name: Mapped[str] = mapped_column(String(32), default="")  # workorders.photos name
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set once, by the UPDATE that publishes it and tells its audience.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    place: Mapped[Place | None] = relationship()
    audience_building: Mapped[Building | None] = relationship()
    sessions: Mapped[list["ActivitySession"]] = relationship(
        back_populates="activity", order_by="ActivitySession.starts_at"
    )

    def title(self, locale: str) -> str:
        return self.title_en if locale.startswith("en") and self.title_en else self.title_zh

    def description(self, locale: str) -> str:
        english = locale.startswith("en") and self.description_en
        return self.description_en if english else self.description_zh


class ActivitySession(Base):
    """One time an activity happens: a series of eight Tuesdays is eight of these."""

    __tablename__ = "activity_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resource_id: Mapped[int] = mapped_column(ForeignKey("capacity_resource.id"), unique=True)
    # Called off by the office before it began (rain, the teacher is ill): every sign-up was
    # cancelled and told why; its resource is closed, so nobody can sign up again.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")

    activity: Mapped[Activity] = relationship(back_populates="sessions")
    resource: Mapped[Resource] = relationship()


class Organiser(Base):
    """A volunteer the office named to run an activity: publish it, check people in."""

    __tablename__ = "activity_organiser"
    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)

    user: Mapped[User] = relationship()


class SignUp(Base):
    """A person's place (with companions) at a session: the reservation's party is one plus
    the companions. The ticket's token is what the QR code holds; the short code is typed."""

    __tablename__ = "activity_signup"
    __table_args__ = (
        UniqueConstraint("session_id", "short_code"),
        CheckConstraint("companions BETWEEN 0 AND 3", name="companions_range"),
        Index("ix_activity_signup_checked_in", "session_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("activity_session.id"))
    reservation_id: Mapped[int] = mapped_column(ForeignKey("capacity_reservation.id"), unique=True)
    companions: Mapped[int] = mapped_column(default=0)
    ticket_token: Mapped[str] = mapped_column(String(43), unique=True)
    short_code: Mapped[str] = mapped_column(String(8))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    paid_cents: Mapped[int | None]
    paid_how: Mapped[str] = mapped_column(String(12), default="")
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_day_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_hour_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[ActivitySession] = relationship()
    reservation: Mapped[Reservation] = relationship()
