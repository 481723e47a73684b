"""The bookings' job: remind people of a booking the day before and an hour before."""

import logging

from huey import crontab

from community.bookings import rules
from community.bookings.models import Booking
from community.capacity import reminders
from community.core.extensions import db
from community.core.tasks import huey, task_app

log = logging.getLogger(__name__)


def _start_of(session, booking: Booking):
    """The booking's start as it is now (it may have moved to another time a moment ago)."""
    session.refresh(booking)
    return booking.slot.starts_at


def send_reminders(session, now=None) -> int:
    """Each due reminder once, one booking per transaction."""
    return reminders.send(
        session, Booking, rules.due_reminders, rules.remind, now, start_of=_start_of
    )


@huey.periodic_task(crontab(minute="*/5"))
def remind_of_bookings() -> int:
    """Every five minutes: an hour's reminder comes 55 to 60 minutes ahead."""
    app = task_app()
    with app.app_context():
        try:
            return send_reminders(db.session)
        finally:
            db.session.remove()
