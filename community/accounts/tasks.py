"""Accounts' scheduled job: delete login sessions that can never be used again."""

from huey import crontab

from community.accounts import rules as accounts
from community.accounts.sessions import idle_limits
from community.core.extensions import db
from community.core.tasks import huey, task_app


@huey.periodic_task(crontab(minute="23", hour="*"))
def purge_idle_sessions() -> int:
    """Every hour: sessions unused for longer than the longest idle limit are gone."""
    app = task_app()
    with app.app_context():
        try:
            purged = accounts.purge_idle_sessions(db.session, max(idle_limits(app.config)))
            db.session.commit()
            return purged
        finally:
            db.session.remove()
