"""The push worker's jobs: deliver what is due (woken after every commit that queued pushes),
and a round every minute for retries and lost wake-up calls."""

import logging

from huey import crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

from community.core.extensions import db
from community.core.tasks import huey, task_app
from community.notify import push
from community.notify.outbox import PUSH_QUEUED

log = logging.getLogger(__name__)


@huey.task()
def deliver_pending() -> dict:
    """Send the push deliveries that are due. Several may run at once: each claims its own."""
    app = task_app()
    # A full first batch means a large fan-out: wake another worker to share it. Not when tasks
    # run inline (tests), where that would only nest one run inside the other.
    more = None if huey.immediate else wake_worker
    with app.app_context():
        try:
            return dict(push.deliver_due(db.session, on_more=more))
        finally:
            db.session.remove()


@huey.periodic_task(crontab(minute="*"))
def deliver_pending_every_minute() -> None:
    """The safety net: retries that came due, and anything whose wake-up call was lost."""
    deliver_pending.call_local()


def wake_worker() -> None:
    """Ask a worker to deliver now (called after a commit that queued pushes). If the queue is
    unreachable the pushes still go out: the worker's every-minute round finds them."""
    try:
        deliver_pending()
    except Exception:
        log.exception("could not enqueue push delivery; the periodic round will send it")


@event.listens_for(Session, "after_commit")
def _wake_worker(session: Session) -> None:
    """Deliveries are committed: ask a worker to send them now rather than at its next round."""
    if session.info.pop(PUSH_QUEUED, False):
        wake_worker()


@event.listens_for(Session, "after_rollback")
def _forget_queued(session: Session) -> None:
    session.info.pop(PUSH_QUEUED, None)
