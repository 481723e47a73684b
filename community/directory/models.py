"""The community and its spaces: buildings on the site plan, homes, and common places."""

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.db import Base

PLACE_KINDS = ("lobby", "garden", "parking", "elevator", "square", "gate", "room", "other")


class Community(Base):
    __tablename__ = "community"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(240), default="")
    operator_phone: Mapped[str] = mapped_column(String(32), default="")

    buildings: Mapped[list["Building"]] = relationship(
        back_populates="community", order_by="Building.sort_key"
    )


class Building(Base):
    __tablename__ = "building"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    sort_key: Mapped[int] = mapped_column(default=0)
    floors: Mapped[int] = mapped_column(default=1)
    # Position on the site plan, in percent of its width and height (for the map).
    plan_x: Mapped[float] = mapped_column(default=0.0)
    plan_y: Mapped[float] = mapped_column(default=0.0)

    community: Mapped[Community] = relationship(back_populates="buildings")
    units: Mapped[list["Unit"]] = relationship(back_populates="building", order_by="Unit.label")


class Unit(Base):
    """A home: the address a resident is bound to."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("building_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    floor: Mapped[int] = mapped_column(default=1)

    building: Mapped[Building] = relationship(back_populates="units", lazy="joined")

    @property
    def full_label(self) -> str:
        return f"{self.building.name} {self.label}"


class Place(Base):
    """A common place where things happen: a lobby, the garden, the elevator of building 3."""

    __tablename__ = "place"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16), default="other")

    building: Mapped[Building | None] = relationship()
