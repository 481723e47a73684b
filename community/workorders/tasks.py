"""The work-order engine's scheduled job: close what was fixed and never confirmed."""

from huey import crontab

from community.core.extensions import db
from community.core.tasks import huey, task_app
from community.workorders import orders


@huey.periodic_task(crontab(minute="*/15"))
def close_unconfirmed_orders() -> int:
    """Close orders fixed more than 7 days ago that their requester never confirmed."""
    app = task_app()
    with app.app_context():
        try:
            closed = orders.close_unconfirmed(db.session)
            db.session.commit()
            return closed
        finally:
            db.session.remove()
