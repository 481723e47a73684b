"""The activities' job: remind people the day before and an hour before a session."""

from huey import crontab

from community.activities import joining
from community.activities.models import SignUp
from community.capacity import reminders
from community.core.extensions import db
from community.core.tasks import huey, task_app


def _start_of(session, signup: SignUp):
    """The session's start as it is now (the office may have moved it a moment ago)."""
    session.refresh(signup.session)
    return signup.session.starts_at


def send_reminders(session, now=None) -> int:
    """Each due reminder once, one sign-up per transaction."""
    return reminders.send(
        session, SignUp, joining.due_reminders, joining.remind, now, start_of=_start_of
    )


@huey.periodic_task(crontab(minute="*/5"))
def remind_of_activities() -> int:
    """Every five minutes: an hour's reminder comes 55 to 60 minutes ahead."""
    app = task_app()
    with app.app_context():
        try:
            return send_reminders(db.session)
        finally:
            db.session.remove()
