"""Figures for the office: of the sessions that have ended, places offered, people signed up,
people who came and fees taken, per activity and per category."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from community.activities.models import Activity, ActivitySession, SignUp
from community.activities.rules import S
from community.activities.schedule import UNLIMITED
from community.capacity.models import Reservation, Resource
from community.core.db import utcnow


@dataclass
class Figures:
    """Of the sessions that have ended: places offered, people signed up, people who came."""

    sessions: int = 0
    places: int | None = 0  # None when a session had no limit
    signed: int = 0
    present: int = 0
    paid_cents: int = 0

    @property
    def no_shows(self) -> int:
        return max(self.signed - self.present, 0)

    @property
    def fill_rate(self) -> float | None:
        return self.signed / self.places if self.places else None

    @property
    def attendance(self) -> float | None:
        return self.present / self.signed if self.signed else None

    def add(self, other: "Figures") -> None:
        self.sessions += other.sessions
        self.places = (
            None if self.places is None or other.places is None else (self.places + other.places)
        )
        self.signed += other.signed
        self.present += other.present
        self.paid_cents += other.paid_cents


def figures(
    session: Session, now: datetime | None = None
) -> tuple[list[tuple[Activity, Figures]], dict[str, Figures]]:
    """Fill rate and attendance per activity and per category, over sessions held, in two
    queries (the dashboard reads these numbers too)."""
    now = now or utcnow()
    # Sessions that took place: ended, and not called off.
    ended = and_(ActivitySession.ends_at <= now, ActivitySession.cancelled_at.is_(None))
    # Each session's places as its resource had them (the office may have changed them since).
    sessions = session.execute(
        select(
            Activity,
            func.count(ActivitySession.id),
            func.sum(Resource.size),
            func.max(Resource.size),
        )
        .join(ActivitySession, ActivitySession.activity_id == Activity.id)
        .join(Resource, Resource.id == ActivitySession.resource_id)
        .where(ended, Activity.published_at.is_not(None))
        .group_by(Activity.id)
        .order_by(Activity.id)
    ).all()
    confirmed = Reservation.status == S.CONFIRMED
    people = {
        activity_id: (int(signed), int(present), int(paid))
        for activity_id, signed, present, paid in session.execute(
            select(
                ActivitySession.activity_id,
                func.coalesce(func.sum(case((confirmed, Reservation.party_size), else_=0)), 0),
                func.coalesce(
                    func.sum(
                        case(
                            (
                                and_(confirmed, SignUp.checked_in_at.is_not(None)),
                                Reservation.party_size,
                            ),
                            else_=0,
                        )
                    ),
                    0,
                ),
                func.coalesce(func.sum(SignUp.paid_cents), 0),
            )
            .join(SignUp, SignUp.session_id == ActivitySession.id)
            .join(Reservation, Reservation.id == SignUp.reservation_id)
            .where(ended)
            .group_by(ActivitySession.activity_id)
        ).all()
    }
    rows = []
    by_category: dict[str, Figures] = {}
    for activity, count, size, largest in sessions:
        signed, present, paid = people.get(activity.id, (0, 0, 0))
        places = None if largest >= UNLIMITED else int(size)
        numbers = Figures(count, places, signed, present, paid)
        rows.append((activity, numbers))
        by_category.setdefault(activity.category, Figures()).add(numbers)
    return rows, by_category
