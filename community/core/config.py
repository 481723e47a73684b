"""Settings: defaults here; every one can be overridden from the environment."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parents[2]

DEFAULTS = {
    "COMMUNITY_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ["zh_CN", "en"],
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    # Send the session cookie only when it changes: a page loaded in the background must not
    # write back an older cookie over a login that happened meanwhile.
    "SESSION_REFRESH_EACH_REQUEST": False,
    "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
    # A login session ends after this many seconds without a request: 7 days on a person's
    # phone; 30 minutes for the office (operator, admin), whose computers are shared and whose
    # pages show everyone's names and homes. The 30-day cookie above stays the outer limit.
    "SESSION_IDLE_SECONDS": 7 * 24 * 3600,
    "SESSION_IDLE_SECONDS_OFFICE": 30 * 60,
    # How a forgotten password is reset: a one-time code the office hands over in person.
    "PASSWORD_RESET_MINUTES": 30,
    "RESET_LIMIT_ADDRESS": "10 per 15 minutes",
    "RESET_LIMIT_ACCOUNT": "5 per 15 minutes",
    # Photos arrive three at a time at up to 10 MB each.
    "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
    # Pages stay open for hours on a phone: the token lives as long as the session.
    "WTF_CSRF_TIME_LIMIT": None,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": False,
    "LOGIN_LIMIT_ACCOUNT": "5 per 15 minutes",
    "LOGIN_LIMIT_ADDRESS": "20 per 15 minutes",
    "SIGNUP_LIMIT_ADDRESS": "10 per hour",
    # Reports for someone else, per person: each one looks a phone number or email up.
    "ON_BEHALF_LIMIT": "10 per hour",
    # argon2id parameters: argon2-cffi's RFC 9106 low-memory profile.
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_COST": 65536,
    "ARGON2_PARALLELISM": 4,
    # How many reverse proxies stand in front of the app (for the client's address).
    "TRUSTED_PROXIES": 0,
    # Web push. VAPID keys come from VAPID_PRIVATE_KEY in the environment, or are made once
    # into instance/ (`flask push keys` prints them). The subject is who push services contact.
    "VAPID_SUBJECT": "mailto:office@community.example",
    "PUSH_TTL": 24 * 3600,  # seconds a push service keeps a message for an offline device
    "PUSH_TIMEOUT": 10,  # seconds to wait for the push service
    "PUSH_MAX_ATTEMPTS": 6,  # then the delivery is failed and shown to the operator
    "PUSH_RETRY_BASE": 30,  # seconds before the first retry; doubled each time, with jitter
    "PUSH_BATCH_SIZE": 100,  # deliveries a worker claims at once
    "PUSH_CONCURRENCY": 8,  # pushes a worker has in flight at once
    "PUSH_LEASE": 300,  # seconds a claim holds before another worker may take the rows
    # Hosts (or their parent domains) that subscriptions may point at: the browsers' push
    # services. Anything else is refused, so that the worker never posts to a made-up URL.
    "PUSH_SERVICE_HOSTS": [
        "fcm.googleapis.com",
        "push.services.mozilla.com",
        "notify.windows.com",
        "push.apple.com",
    ],
    # The task queue (huey): SQLite under instance/ unless a Redis URL is given (HUEY_REDIS_URL,
    # else REDIS_URL). Immediate mode runs tasks in the calling process (tests). Read from the
    # environment (COMMUNITY_HUEY_...) when community.tasks is imported, by the web app and the
    # worker alike.
    "HUEY_REDIS_URL": "",
    "HUEY_SQLITE_PATH": "",
    "HUEY_IMMEDIATE": False,
    # Responses compressed by the app (brotli, else gzip), for browsers that ask. Turn it off
    # (COMMUNITY_COMPRESS_RESPONSES=0) where a reverse proxy compresses instead.
    "COMPRESS_RESPONSES": True,
    # Seconds the operator's queue may show counts per status and the staff's open loads
    # computed for an earlier request (the page says when they were counted); 0: every time.
    "QUEUE_SUMMARY_SECONDS": 15,
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    # Nothing streamed is compressed (the CSV export goes out as it is made); static files
    # are read whole first (core/compression.py).
    "COMPRESS_STREAMS": False,
    "COMPRESS_BR_LEVEL": 5,  # smaller than gzip -6 at about its speed
    "COMPRESS_LEVEL": 6,  # gzip
    # Below about one TCP segment compression saves no round trip: a small htmx partial or a
    # 204 goes out as it is.
    "COMPRESS_MIN_SIZE": 1400,
}


def normalize_database_url(url: str) -> str:
    """Use the psycopg 3 driver for postgres URLs, whatever scheme they were given with."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret(app: Flask) -> str:
    """The secret key kept in instance/, made once on first run, never in the source."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def configure(app: Flask, test_config: dict | None) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(DEFAULTS)
    default_db = f"sqlite:///{Path(app.instance_path) / 'community.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(
        os.environ.get("DATABASE_URL") or default_db
    )
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if os.environ.get("REDIS_URL"):
        app.config["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
    # COMMUNITY_<SETTING>=value, parsed as JSON where it can be (true, 5, "text").
    app.config.from_prefixed_env("COMMUNITY")
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(app)
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["COMMUNITY_TIMEZONE"]
