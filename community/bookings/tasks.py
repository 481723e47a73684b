"""The bookings' job: remind people of a booking the day before and an hour before."""

import logging

from huey import crontab

from community.bookings import rules
from community.core.db import utcnow
from community.core.extensions import db
from community.core.tasks import huey, task_app

log = logging.getLogger(__name__)


def send_reminders(session, now=None) -> int:
    """Each due reminder once: its marker is claimed by a conditional UPDATE, and the
    notification goes through the outbox (which holds pushes back in quiet hours) in the same
    transaction, one booking per transaction."""
    now = now or utcnow()
    sent = 0
    for booking, column in rules.due_reminders(session, now):
        if rules.mark_reminded(session, booking.id, column, now):
            rules.remind(session, booking, column)
            sent += 1
        session.commit()
    return sent


@huey.periodic_task(crontab(minute="*/5"))
def remind_of_bookings() -> int:
    """Every five minutes: an hour's reminder comes 55 to 60 minutes ahead."""
    app = task_app()
    with app.app_context():
        try:
            return send_reminders(db.session)
        finally:
            db.session.remove()
