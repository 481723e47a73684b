"""The help button's job: every minute, escalate the calls for help nobody answered in time."""

from huey import crontab

from community.core.db import utcnow
from community.core.extensions import db
from community.core.tasks import huey, task_app
from community.help import rules


def escalate_unanswered(session, now=None) -> int:
    """Escalate each alert unanswered for ESCALATE_AFTER, one alert per transaction (its
    status and its notifications commit together). Returns how many escalated."""
    now = now or utcnow()
    escalated = 0
    for alert_id in rules.due_for_escalation(session, now):
        if rules.escalate(session, alert_id, now):
            escalated += 1
        session.commit()
    return escalated


@huey.periodic_task(crontab(minute="*"))
def escalate_calls_for_help() -> int:
    """Every minute: an alert raised at 10:00:05 escalates at 10:03 at the latest."""
    app = task_app()
    with app.app_context():
        try:
            return escalate_unanswered(db.session)
        finally:
            db.session.remove()
