"""People, the roles they hold, and the sessions they are logged in with."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.db import Base, UTCDateTime, utcnow
from community.directory.models import Unit


class Role(StrEnum):
    RESIDENT = "resident"
    VOLUNTEER = "volunteer"
    STAFF = "staff"
    OPERATOR = "operator"
    ADMIN = "admin"


# The office's roles: their sessions idle out sooner, since an office computer is shared.
OFFICE_ROLES = frozenset({Role.OPERATOR, Role.ADMIN})


class AccountStatus(StrEnum):
    PENDING = "pending"  # signed up, home not yet confirmed by the operator
    ACTIVE = "active"
    REJECTED = "rejected"


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=AccountStatus.PENDING, index=True)
    status_note: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str | None] = mapped_column(String(8))
    large_text: Mapped[bool] = mapped_column(default=False)
    # The year of birth, when the person (or the office) gave it: activities for 60 and over
    # judge by it. Only the year, never the date.
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    # An elder receiving care: marked by themselves or by the office. Care visits, the help
    # button on their home and their family's view of the visit log hang on it.
    receives_care: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # A move the person asked for: the home they named waits here until the operator approves
    # it; until then unit_id (the old home) stays. move_note is why the last one was declined.
    move_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    move_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    move_note: Mapped[str] = mapped_column(String(200), default="")

    unit: Mapped[Unit | None] = relationship(lazy="joined", foreign_keys=[unit_id])
    move_unit: Mapped[Unit | None] = relationship(foreign_keys=[move_unit_id])
    # Loaded when read: the login loader joins the viewer's own, and a list that shows many
    # people's roles asks for them (selectinload); other people (an elder on a visit, the
    # author of a notice) are loaded for their name, and a roles query each was wasted.
    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        foreign_keys="UserRole.user_id",
    )

    # Set by the login loader: the server-side session this request is made under.
    session_token = None
    # Set by the login loader when it wrote to the session row (a touch, or an idle end).
    session_written = False

    # Flask-Login's interface.
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.status != AccountStatus.REJECTED

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: str) -> bool:
        return self.status == AccountStatus.ACTIVE and not self.roles.isdisjoint(roles)

    @property
    def is_pending(self) -> bool:
        return self.status == AccountStatus.PENDING

    @property
    def login_name(self) -> str:
        return self.phone or self.email or ""


class UserRole(Base):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(12), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_rows", foreign_keys=[user_id])


class LoginSession(Base):
    """One logged-in device. Deleting the row ends that session wherever its cookie is."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the device last made a request, to the minute (written at most once a minute): the
    # session ends after a spell of idleness (SESSION_IDLE_TIMEOUT, shorter for the office).
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class PasswordReset(Base):
    """A one-time code the office made for a person who forgot their password. Only a keyed
    hash of the code is kept; it works once, until expires_at."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RelationKind(StrEnum):
    FAMILY = "family"


class Relation(Base):
    """Two people the office has recorded as related: either may act for the other (report a
    repair for them, and later book or request care). A family link goes both ways, so it is
    stored once, the lower user id first."""

    __tablename__ = "relation"
    __table_args__ = (
        UniqueConstraint("person_id", "relative_id", "kind"),
        CheckConstraint("person_id < relative_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    relative_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12), default=RelationKind.FAMILY)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[User] = relationship(foreign_keys=[person_id])
    relative: Mapped[User] = relationship(foreign_keys=[relative_id])

    def other_than(self, user_id: int) -> User:
        return self.relative if self.person_id == user_id else self.person


class EmergencyContact(Base):
    """Someone to call when a person needs help: a relative far away, a neighbour with the
    keys. Not necessarily registered here, so a name and a phone number, in the person's order."""

    __tablename__ = "emergency_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(20))
    # How they are related, in the person's own words: 女儿, neighbour.
    relation: Mapped[str] = mapped_column(String(30), default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[User] = relationship()
