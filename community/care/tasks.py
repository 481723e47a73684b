"""Care's jobs: keep weekly series filled four weeks ahead, and tell the office of visits
nobody has taken as their time nears."""

from huey import crontab

from community.care import asking, listing
from community.core.extensions import db
from community.core.tasks import huey, task_app


@huey.periodic_task(crontab(minute="7", hour="*"))
def fill_weekly_visits() -> int:
    app = task_app()
    with app.app_context():
        try:
            made = asking.fill_all_series(db.session)
            db.session.commit()
            return made
        finally:
            db.session.remove()


@huey.periodic_task(crontab(minute="*/5"))
def escalate_unclaimed_visits() -> int:
    app = task_app()
    with app.app_context():
        try:
            told = listing.escalate(db.session)
            db.session.commit()
            return told
        finally:
            db.session.remove()
