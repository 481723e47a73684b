"""The activities' job: remind people the day before and an hour before a session."""

from huey import crontab

from community.activities import rules
from community.core.db import utcnow
from community.core.extensions import db
from community.core.tasks import huey, task_app


def send_reminders(session, now=None) -> int:
    """Each due reminder once: its marker is claimed by a conditional UPDATE, and the
    notification goes through the outbox (which holds pushes back in quiet hours; the inbox
    always has it) in the same transaction, one sign-up per transaction."""
    now = now or utcnow()
    sent = 0
    for signup, column in rules.due_reminders(session, now):
        if rules.mark_reminded(session, signup.id, column, now):
            rules.remind(session, signup, column)
            sent += 1
        session.commit()
    return sent


@huey.periodic_task(crontab(minute="*/5"))
def remind_of_activities() -> int:
    """Every five minutes: an hour's reminder comes 55 to 60 minutes ahead."""
    app = task_app()
    with app.app_context():
        try:
            return send_reminders(db.session)
        finally:
            db.session.remove()
