"""The times a service can be booked, computed from its weekly plan: openings cut into slots of
its duration plus buffer, within its notice and horizon. Plain functions: no request here."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from community.bookings.models import Service, Slot
from community.capacity import rules as capacity
from community.core.errors import Invalid


@dataclass(frozen=True)
class SlotTime:
    starts_at: datetime  # aware, UTC
    ends_at: datetime
    free: int  # places a newcomer could have now


def starts_on(service: Service, day: date, zone: ZoneInfo) -> list[datetime]:
    """Every start the weekly plan allows on a day, in UTC, ignoring notice and horizon."""
    step = timedelta(minutes=service.duration_minutes + service.buffer_minutes)
    length = timedelta(minutes=service.duration_minutes)
    starts = []
    for opening in service.hours:
        if opening.weekday != day.weekday():
            continue
        start = datetime.combine(day, time(), zone) + timedelta(minutes=opening.opens)
        closes = datetime.combine(day, time(), zone) + timedelta(minutes=opening.closes)
        while start + length <= closes:
            starts.append(start.astimezone(ZoneInfo("UTC")))
            start += step
    return sorted(starts)


def check_bookable(service: Service, starts_at: datetime, now: datetime, zone: ZoneInfo) -> None:
    """Invalid (next to the field `slot`) unless the service can be booked at that time now."""
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
    if starts_at not in starts_on(service, starts_at.astimezone(zone).date(), zone):
        raise Invalid(_("The service is not open at that time."), field="slot")


def day_slots(
    session: Session, service: Service, day: date, now: datetime, zone: ZoneInfo
) -> list[SlotTime]:
    """The bookable times of a day with their free places, in one query for the booked ones."""
    length = timedelta(minutes=service.duration_minutes)
    starts = [
        start
        for start in starts_on(service, day, zone)
        if start >= now + timedelta(hours=service.notice_hours)
        and start <= now + timedelta(days=service.horizon_days)
    ]
    if not starts:
        return []
    booked = {
        slot.starts_at: slot
        for slot in session.scalars(
            select(Slot).where(Slot.service_id == service.id, Slot.starts_at.in_(starts))
        )
    }
    return [
        SlotTime(
            start,
            start + length,
            capacity.free_places(session, booked[start].resource, now)
            if start in booked
            else service.per_slot,
        )
        for start in starts
    ]


__all__ = ["SlotTime", "check_bookable", "day_slots", "starts_on"]
