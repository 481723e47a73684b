"""A booking as an iCalendar file (.ics), in the community's time zone, for "add to calendar"."""

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from community.bookings.models import Booking


def booking_calendar(
    booking: Booking, locale: str, zone: ZoneInfo, host: str, now: datetime
) -> bytes:
    """One event: the service's name in the reader's language, where it happens, its start and
    end as local times of the community's zone (with the zone's definition in the file)."""
    service = booking.slot.service
    calendar = Calendar()
    calendar.add("prodid", "-//Smart Community//bookings//EN")
    calendar.add("version", "2.0")
    calendar.add_component(
        Timezone.from_tzinfo(
            zone, first_date=booking.slot.starts_at.date(), last_date=booking.slot.ends_at.date()
        )
    )
    event = Event()
    event.add("uid", f"booking-{booking.id}@{host}")
    event.add("dtstamp", now)
    event.add("dtstart", booking.slot.starts_at.astimezone(zone))
    event.add("dtend", booking.slot.ends_at.astimezone(zone))
    event.add("summary", service.name(locale))
    if service.place is not None:
        event.add("location", service.place.name)
    elif booking.reservation.person.unit is not None:
        event.add("location", booking.reservation.person.unit.full_label)
    description = service.description(locale)
    if description:
        event.add("description", description)
    calendar.add_component(event)
    return calendar.to_ical()
