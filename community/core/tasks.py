"""The task queue (huey) instance. The tasks themselves live with their features (tasks.py in
each package); community/worker.py imports them all for the consumer.

One huey instance per process, chosen from the settings in the environment when this module is
imported, so that the web app and the worker (`huey_consumer community.worker.huey`) agree:
SQLite under instance/ by default, Redis when HUEY_REDIS_URL (or REDIS_URL) is set, everything
run in the calling process when HUEY_IMMEDIATE is true. Tasks run inside a Flask app: the one
in whose context they were called, or the one use_app() set (the worker's, or a test's)."""

import os
import threading
from pathlib import Path

from flask import Config, Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey

from community.core.config import DEFAULTS, PROJECT_ROOT


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
            raise RuntimeError(
                "no Flask app for this task: run the worker as community.worker.huey"
            )
        return _app
