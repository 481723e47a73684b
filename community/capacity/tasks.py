"""The capacity engine's job: offers nobody took in time pass to the next in line."""

import logging

from huey import crontab

from community.capacity import rules
from community.core.extensions import db
from community.core.tasks import huey, task_app

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(minute="*"))
def pass_on_expired_offers() -> int:
    """Every minute. Each resource in its own transaction: the expiry and the next offer commit
    together, so a worker that dies between two resources loses nothing (the next round finds
    the rest)."""
    app = task_app()
    passed = 0
    with app.app_context():
        try:
            for resource_id in rules.expire_offers(db.session):
                passed += rules.pass_on_expired(db.session, resource_id)
                db.session.commit()
        finally:
            db.session.remove()
    return passed
