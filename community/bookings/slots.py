"""The times a service can be booked, computed from its weekly plan: openings cut into slots of
its duration plus buffer, within its notice and horizon, never on a closed date or a public
holiday. Plain functions: no request here.

Chinese public holidays and make-up working days (调休) come from the `holidays` package, which
knows both: a public holiday (and the days off it moves) closes every service; a weekend day
that the State Council made a working day follows the plan of a Monday, a normal working day.
(Which weekday a make-up day replaces is not published as data, and a service's Monday plan is
what its staff work on an ordinary working day.)"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from flask_babel import gettext as _
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, object_session

from community.bookings.models import Service, ServiceClosure, Slot
from community.capacity.models import Reservation, ReservationStatus, Resource
from community.core.errors import Invalid

UTC = ZoneInfo("UTC")
MONDAY = 0
S = ReservationStatus


@dataclass(frozen=True)
class SlotTime:
    starts_at: datetime  # aware, UTC
    ends_at: datetime
    free: int  # places a newcomer could have now


@lru_cache(maxsize=8)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("CN", years=year)


def is_public_holiday(day: date) -> bool:
    return day in _calendar(day.year)


def is_makeup_workday(day: date) -> bool:
    """A Saturday or Sunday that is a working day (调休上班)."""
    return day.weekday() >= 5 and _calendar(day.year).is_working_day(day)


def plan_weekday(day: date) -> int | None:
    """The weekday whose openings apply on a day: None on a public holiday, Monday's on a
    make-up working day, else the day's own."""
    if is_public_holiday(day):
        return None
    if is_makeup_workday(day):
        return MONDAY
    return day.weekday()


def starts_on(service: Service, day: date, zone: ZoneInfo) -> list[datetime]:
    """Every start the weekly plan allows on a day, in UTC, holidays and make-up days taken
    into account, ignoring closed dates, notice and horizon."""
    weekday = plan_weekday(day)
    if weekday is None:
        return []
    step = timedelta(minutes=service.duration_minutes + service.buffer_minutes)
    length = timedelta(minutes=service.duration_minutes)
    midnight = datetime.combine(day, time(), zone)
    starts = []
    for opening in service.hours:
        if opening.weekday != weekday:
            continue
        start = midnight + timedelta(minutes=opening.opens)
        closes = midnight + timedelta(minutes=opening.closes)
        while start + length <= closes:
            starts.append(start.astimezone(UTC))
            start += step
    return sorted(starts)


def closures(session: Session, service: Service, first: date, last: date) -> dict[date, str]:
    """The closed dates between first and last (both included) with their reasons, for this
    service or for every service: one query."""
    rows = session.execute(
        select(ServiceClosure.day, ServiceClosure.reason).where(
            or_(ServiceClosure.service_id == service.id, ServiceClosure.service_id.is_(None)),
            ServiceClosure.day.between(first, last),
        )
    )
    return dict(rows.all())


def _within_reach(service: Service, start: datetime, now: datetime) -> bool:
    return (
        start > now
        and start >= now + timedelta(hours=service.notice_hours)
        and start <= now + timedelta(days=service.horizon_days)
    )


def check_bookable(service: Service, starts_at: datetime, now: datetime, zone: ZoneInfo) -> None:
    """Invalid (next to the field `slot`) unless the service can be booked at that time now.
    Closed dates are read through the service's own session."""
    if not service.active:
        raise Invalid(_("This service cannot be booked now."), field="slot")
    if starts_at <= now:
        raise Invalid(_("That time has passed. Choose a later one."), field="slot")
    if starts_at < now + timedelta(hours=service.notice_hours):
        raise Invalid(
            _("Book at least %(hours)d hours ahead.", hours=service.notice_hours), field="slot"
        )
    if starts_at > now + timedelta(days=service.horizon_days):
        raise Invalid(
            _("Book at most %(days)d days ahead.", days=service.horizon_days), field="slot"
        )
    day = starts_at.astimezone(zone).date()
    if is_public_holiday(day):
        raise Invalid(_("The service is closed on public holidays."), field="slot")
    session = object_session(service)
    closed = closures(session, service, day, day) if session is not None else {}
    if day in closed:
        if closed[day]:
            raise Invalid(
                _("The service is closed that day: %(reason)s", reason=closed[day]), field="slot"
            )
        raise Invalid(_("The service is closed that day."), field="slot")
    if starts_at not in starts_on(service, day, zone):
        raise Invalid(_("The service is not open at that time."), field="slot")


def _places_by_start(
    session: Session, service: Service, starts: list[datetime], now: datetime
) -> dict[datetime, int]:
    """Free places of the slots already made among the starts, in one grouped query: the size
    minus held, confirmed and unexpired offers, and none while anyone waits (nobody jumps the
    line; the same rule as capacity.rules.free_places)."""
    holding = Reservation.status.in_([S.HELD, S.CONFIRMED]) | (
        (Reservation.status == S.OFFERED) & (Reservation.offer_expires_at > now)
    )
    rows = session.execute(
        select(
            Slot.starts_at,
            Resource.size,
            func.coalesce(func.sum(case((holding, Reservation.party_size), else_=0)), 0),
            func.coalesce(func.sum(case((Reservation.status == S.WAITLISTED, 1), else_=0)), 0),
        )
        .join(Resource, Resource.id == Slot.resource_id)
        .outerjoin(Reservation, Reservation.resource_id == Resource.id)
        .where(Slot.service_id == service.id, Slot.starts_at.in_(starts))
        .group_by(Slot.id, Slot.starts_at, Resource.size)
    )
    return {
        starts_at: 0 if waiting else max(size - taken, 0)
        for starts_at, size, taken, waiting in rows
    }


def day_slots(
    session: Session, service: Service, day: date, now: datetime, zone: ZoneInfo
) -> list[SlotTime]:
    """The bookable times of a day with their free places: the same few queries however many
    slots there are or however many people booked them."""
    if not service.active:
        return []
    starts = [
        start for start in starts_on(service, day, zone) if _within_reach(service, start, now)
    ]
    if not starts or day in closures(session, service, day, day):
        return []
    places = _places_by_start(session, service, starts, now)
    length = timedelta(minutes=service.duration_minutes)
    return [
        SlotTime(start, start + length, places.get(start, service.per_slot)) for start in starts
    ]


def bookable_days(session: Session, service: Service, now: datetime, zone: ZoneInfo) -> list[date]:
    """The days from today to the end of the horizon with at least one start someone could
    book (for the day picker; a day whose slots are all full still shows)."""
    if not service.active:
        return []
    first = now.astimezone(zone).date()
    last = (now + timedelta(days=service.horizon_days)).astimezone(zone).date()
    closed = closures(session, service, first, last)
    days = []
    day = first
    while day <= last:
        if day not in closed and any(
            _within_reach(service, start, now) for start in starts_on(service, day, zone)
        ):
            days.append(day)
        day += timedelta(days=1)
    return days


__all__ = [
    "SlotTime",
    "bookable_days",
    "check_bookable",
    "closures",
    "day_slots",
    "is_makeup_workday",
    "is_public_holiday",
    "plan_weekday",
    "starts_on",
]
