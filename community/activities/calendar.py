"""A sign-up as an iCalendar file (.ics), in the community's time zone, for "add to calendar"."""

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from community.activities.models import SignUp


def signup_calendar(signup: SignUp, locale: str, zone: ZoneInfo, host: str, now: datetime) -> bytes:
    row = signup.session
    activity = row.activity
    calendar = Calendar()
    calendar.add("prodid", "-//Smart Community//activities//EN")
    calendar.add("version", "2.0")
    calendar.add_component(
        Timezone.from_tzinfo(zone, first_date=row.starts_at.date(), last_date=row.ends_at.date())
    )
    event = Event()
    event.add("uid", f"activity-signup-{signup.id}@{host}")
    event.add("dtstamp", now)
    event.add("dtstart", row.starts_at.astimezone(zone))
    event.add("dtend", row.ends_at.astimezone(zone))
    event.add("summary", activity.title(locale))
    where = activity.place.name if activity.place else activity.address
    if where:
        event.add("location", where)
    description = activity.description(locale)
    if description:
        event.add("description", description)
    calendar.add_component(event)
    return calendar.to_ical()
