"""The notice board: what the office posts to the community, a building, or a role."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.core.db import Base, UTCDateTime, utcnow
from community.directory.models import Building


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
