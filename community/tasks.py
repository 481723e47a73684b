"""The task queue (huey) and its tasks: delivering web push, and the scheduled work.

One huey instance per process, chosen from the settings in the environment when this module is
imported, so that the web app and the worker (`huey_consumer community.tasks.huey`) agree:
SQLite under instance/ by default, Redis when HUEY_REDIS_URL (or REDIS_URL) is set, everything
run in the calling process when HUEY_IMMEDIATE is true. Tasks run inside a Flask app: the one
in whose context they were called, the one a test injected with use_app(), or else one made
with create_app() the first time a task needs it (the worker)."""

import logging
import os
import threading
from pathlib import Path

from flask import Config, Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab

from community.config import DEFAULTS, PROJECT_ROOT

log = logging.getLogger(__name__)


def settings_from_environment() -> Config:
    """The HUEY_ settings as create_app() would read them: defaults, then COMMUNITY_HUEY_..."""
    config = Config(str(PROJECT_ROOT))
    config.update({key: value for key, value in DEFAULTS.items() if key.startswith("HUEY_")})
    config.from_prefixed_env("COMMUNITY")
    if not config["HUEY_REDIS_URL"] and os.environ.get("REDIS_URL"):
        config["HUEY_REDIS_URL"] = os.environ["REDIS_URL"]
    return config


def make_huey(config) -> Huey:
    common = {"name": "community", "results": False, "immediate": bool(config["HUEY_IMMEDIATE"])}
    if config["HUEY_REDIS_URL"]:
        return RedisHuey(url=config["HUEY_REDIS_URL"], **common)
    path = Path(config["HUEY_SQLITE_PATH"] or PROJECT_ROOT / "instance" / "huey.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(filename=str(path), **common)


huey = make_huey(settings_from_environment())

_app: Flask | None = None
_app_lock = threading.Lock()


def use_app(app: Flask | None) -> None:
    """Run tasks in this app (tests), or None to go back to making one when needed."""
    global _app
    _app = app


def task_app() -> Flask:
    global _app
    if has_app_context():
        return current_app._get_current_object()
    with _app_lock:
        if _app is None:
            from community import create_app

            _app = create_app()
        return _app


@huey.task()
def deliver_pending() -> dict:
    """Send the push deliveries that are due. Several may run at once: each claims its own."""
    from community import push
    from community.extensions import db

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


@huey.periodic_task(crontab(minute="*/15"))
def close_unconfirmed_orders() -> int:
    """Close orders fixed more than 7 days ago that their requester never confirmed."""
    from community import workorders
    from community.extensions import db

    app = task_app()
    with app.app_context():
        try:
            closed = workorders.close_unconfirmed(db.session)
            db.session.commit()
            return closed
        finally:
            db.session.remove()


def wake_worker() -> None:
    """Ask a worker to deliver now (called after a commit that queued pushes). If the queue is
    unreachable the pushes still go out: the worker's every-minute round finds them."""
    try:
        deliver_pending()
    except Exception:
        log.exception("could not enqueue push delivery; the periodic round will send it")
