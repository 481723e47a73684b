"""Web push: sending one push (encrypted by pywebpush, signed once per push service, posted on
a kept-alive connection), and the outbox worker that claims due deliveries, sends them and
records what the push service said."""

import json
import random
import re
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import click
import urllib3
from cryptography.hazmat.primitives import serialization
from flask import Flask, current_app
from flask.cli import AppGroup
from py_vapid import Vapid
from pywebpush import WebPusher, WebPushException
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from community.core.db import UTCDateTime, utcnow
from community.core.extensions import db
from community.core.links import path_for
from community.notify import vapid
from community.notify.models import Delivery, DeliveryStatus, Notification, PushSubscription

# RFC 8030: a topic is at most 32 characters of the URL-safe base64 alphabet.
TOPIC_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_BACKOFF = timedelta(hours=6)

SENT, GONE, RETRY, FAILED = "sent", "gone", "retry", "failed"


# ---- Sending one push ---------------------------------------------------------------------

# A VAPID token may live up to 24 hours (RFC 8292); ours live 12 and are signed again when
# less than one is left, so one signature serves every push to a service for 11 hours.
TOKEN_LIFETIME = 12 * 3600
TOKEN_RENEW_BEFORE = 3600
# (public key, subject, audience) -> (Authorization header, expiry): per process.
_tokens: dict[tuple[str, str, str], tuple[str, int]] = {}
_tokens_lock = threading.Lock()


@dataclass(frozen=True)
class Result:
    outcome: str  # SENT, GONE, RETRY or FAILED
    error: str = ""
    retry_after: float | None = None


def _retry_after(response) -> float | None:
    value = response.headers.get("Retry-After", "") if response is not None else ""
    return float(value) if value.strip().isdigit() else None


def audience(endpoint: str) -> str:
    """The push service a subscription belongs to: the origin of its endpoint."""
    url = urlsplit(endpoint)
    return f"{url.scheme}://{url.netloc}"


class VapidTokens:
    """The Authorization header for each push service, signed once and reused for most of its
    lifetime: signing per message costs an ECDSA signature each, for the same claims. Shared by
    every sending thread of a process (and every batch), keyed by key, subject and audience."""

    def __init__(self, key: Vapid, subject: str):
        self.key = key
        self.subject = subject
        self._key_id = vapid.b64url(
            key.public_key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def header(self, endpoint: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        aud = audience(endpoint)
        slot = (self._key_id, self.subject, aud)
        cached = _tokens.get(slot)
        if cached is not None and cached[1] - now > TOKEN_RENEW_BEFORE:
            return cached[0]
        expires = int(now) + TOKEN_LIFETIME
        # A fresh claims dict each time: the signer must not keep one between audiences.
        header = self.key.sign({"sub": self.subject, "aud": aud, "exp": expires})["Authorization"]
        with _tokens_lock:
            _tokens[slot] = (header, expires)
        return header


class PushServices:
    """Keep-alive HTTP connections, one pool per push service origin, shared by the sending
    threads (urllib3's pools are thread-safe). HTTPS_PROXY and NO_PROXY are honoured as
    requests would, decided once per host."""

    def __init__(self, connections: int, timeout: float):
        options = {
            "num_pools": 32,
            "maxsize": connections,
            "retries": False,  # retries are the outbox's, with backoff
            "timeout": urllib3.Timeout(connect=timeout, read=timeout),
        }
        self._direct = urllib3.PoolManager(**options)
        proxy = urllib.request.getproxies().get("https")
        self._proxied = urllib3.ProxyManager(proxy, **options) if proxy else None
        self._via_proxy: dict[str, bool] = {}

    def _manager(self, endpoint: str) -> urllib3.PoolManager:
        if self._proxied is None:
            return self._direct
        host = urlsplit(endpoint).hostname or ""
        if host not in self._via_proxy:
            self._via_proxy[host] = not urllib.request.proxy_bypass(host)
        return self._proxied if self._via_proxy[host] else self._direct

    def post(self, endpoint: str, body: bytes, headers: dict) -> urllib3.BaseHTTPResponse:
        return self._manager(endpoint).request(
            "POST", endpoint, body=body, headers=headers, redirect=False
        )

    def close(self) -> None:
        self._direct.clear()
        if self._proxied is not None:
            self._proxied.clear()


def send(
    subscription: dict,
    payload: str,
    *,
    tokens: VapidTokens,
    services: PushServices,
    ttl: int,
    urgency: str,
    topic: str,
) -> Result:
    """One push: the payload encrypted for the subscription (RFC 8291, aes128gcm, through
    pywebpush), signed with the service's VAPID token, posted on a kept-alive connection.
    404 and 410 mean the subscription is gone; 429, 5xx, timeouts and connection errors are
    worth retrying; anything else will not get better by retrying."""
    if not TOPIC_RE.match(topic):
        raise ValueError(f"not a valid push topic: {topic!r}")
    endpoint = subscription["endpoint"]
    try:
        body = WebPusher(subscription).encode(payload.encode(), "aes128gcm")["body"]
    except WebPushException as error:
        return Result(FAILED, str(error.message)[:300])
    headers = {
        "Authorization": tokens.header(endpoint),
        "Content-Encoding": "aes128gcm",
        "TTL": str(ttl),
        "Urgency": urgency,
        "Topic": topic,
    }
    try:
        response = services.post(endpoint, body, headers)
    except urllib3.exceptions.NewConnectionError:  # a kind of ConnectTimeoutError to urllib3
        return Result(RETRY, "ConnectionError")
    except urllib3.exceptions.TimeoutError:
        return Result(RETRY, "timeout")
    except urllib3.exceptions.HTTPError:
        return Result(RETRY, "ConnectionError")
    status = response.status
    if status <= 202:
        return Result(SENT)
    message = f"HTTP {status}"
    if status in (404, 410):
        return Result(GONE, message)
    if status == 429 or status >= 500:
        return Result(RETRY, message, _retry_after(response))
    return Result(FAILED, message)


# ---- The outbox worker ----------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    delivery_id: int
    subscription_id: int
    attempts: int
    subscription: dict
    payload: str
    urgency: str
    topic: str


class Sender:
    """Sends jobs from several threads through one pool of connections per push service, with
    one VAPID token per push service."""

    def __init__(self, app: Flask):
        config = app.config
        self.tokens = VapidTokens(Vapid(vapid.private_key(app)), config["VAPID_SUBJECT"])
        self.ttl = int(config["PUSH_TTL"])
        self.services = PushServices(int(config["PUSH_CONCURRENCY"]), float(config["PUSH_TIMEOUT"]))
        self.logger = app.logger

    def __call__(self, job: Job) -> Result:
        try:
            return send(
                job.subscription,
                job.payload,
                tokens=self.tokens,
                services=self.services,
                ttl=self.ttl,
                urgency=job.urgency,
                topic=job.topic,
            )
        except Exception as error:  # a bug must not lose the batch: retry it later
            self.logger.exception("push delivery %s failed", job.delivery_id)
            return Result(RETRY, repr(error)[:300])

    def close(self) -> None:
        self.services.close()


def backoff(attempts: int, base: float, retry_after: float | None = None) -> timedelta:
    """base, 2 base, 4 base... after the first, second, third failed attempt, with jitter so
    that a push service that was down is not hit by every retry at the same second."""
    seconds = base * 2 ** max(attempts - 1, 0) * random.uniform(1.0, 1.5)
    if retry_after:
        seconds = max(seconds, retry_after)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def claim(session: Session, now: datetime, batch_size: int, lease: float) -> list[int]:
    """Take up to batch_size due deliveries for this worker, and commit. The claim moves
    next_attempt_at past a lease and counts the attempt: another worker skips them, and if this
    one dies they become due again when the lease runs out."""
    due = (
        select(Delivery.id)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(batch_size)
        # PostgreSQL: rows another worker is claiming right now are skipped, not waited for.
        # SQLite has one writer at a time and ignores this.
        .with_for_update(skip_locked=True)
        # Run once, as a CTE: as an IN (subquery) PostgreSQL may re-run it per row and lock
        # far more than batch_size rows.
        .cte("due")
        .prefix_with("MATERIALIZED")
    )
    claimed = session.scalars(
        update(Delivery)
        .where(
            Delivery.id == due.c.id,
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + timedelta(seconds=lease), attempts=Delivery.attempts + 1)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    session.commit()
    return sorted(claimed)


def payload_for(notification: Notification) -> str:
    return json.dumps(
        {
            "title": notification.title,
            "body": notification.body,
            "url": notification.link or path_for("inbox.index"),
            "tag": f"n{notification.id}",
            "icon": path_for("static", filename="icons/icon-192.png"),
            "badge": path_for("static", filename="icons/icon-192.png"),
            "urgent": notification.urgent,
            "id": notification.id,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def jobs_for(session: Session, delivery_ids: list[int]) -> list[Job]:
    rows = session.execute(
        select(Delivery, Notification, PushSubscription)
        .join(Notification, Notification.id == Delivery.notification_id)
        .join(PushSubscription, PushSubscription.id == Delivery.subscription_id)
        .where(Delivery.id.in_(delivery_ids))
        .order_by(Delivery.id)
    ).all()
    return [
        Job(
            delivery_id=delivery.id,
            subscription_id=subscription.id,
            attempts=delivery.attempts,
            subscription={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            payload=payload_for(notification),
            urgency="high" if notification.urgent else "normal",
            topic=delivery.topic or f"n{notification.id}",
        )
        for delivery, notification, subscription in rows
    ]


def record(
    session: Session, outcomes: Iterable[tuple[Job, Result]], now: datetime, config
) -> Counter:
    """Write down what the push services said, and commit. Only pending rows change: a
    delivery already marked sent (by a worker whose claim this one took over) stays sent."""
    sent, gone, changes = [], set(), []
    counts: Counter = Counter()
    for job, result in outcomes:
        outcome = result.outcome
        if outcome == RETRY and job.attempts >= int(config["PUSH_MAX_ATTEMPTS"]):
            outcome = FAILED
        counts[outcome] += 1
        if outcome == SENT:
            sent.append(job)
        elif outcome == GONE:
            gone.add(job.subscription_id)
        elif outcome == RETRY:
            delay = backoff(job.attempts, float(config["PUSH_RETRY_BASE"]), result.retry_after)
            changes.append((job, DeliveryStatus.PENDING, now + delay, result.error))
        else:
            changes.append((job, DeliveryStatus.FAILED, now, result.error or outcome))
    if sent:
        session.execute(
            update(Delivery)
            .where(
                Delivery.id.in_([job.delivery_id for job in sent]),
                Delivery.status == DeliveryStatus.PENDING,
            )
            .values(status=DeliveryStatus.SENT, sent_at=now, last_error="")
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(PushSubscription)
            .where(PushSubscription.id.in_({job.subscription_id for job in sent}))
            .values(last_success_at=now)
            .execution_options(synchronize_session=False)
        )
    if changes:
        table = Delivery.__table__
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.status == DeliveryStatus.PENDING)
            .values(
                status=bindparam("b_status"),
                next_attempt_at=bindparam("b_next", type_=UTCDateTime()),
                last_error=bindparam("b_error"),
            ),
            [
                {"b_id": job.delivery_id, "b_status": status, "b_next": when, "b_error": error}
                for job, status, when, error in changes
            ],
        )
    if gone:
        # The browser unsubscribed or the service forgot it: its other deliveries go too.
        session.execute(
            delete(PushSubscription)
            .where(PushSubscription.id.in_(gone))
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return counts


def deliver_due(session: Session, now: datetime | None = None, on_more=None) -> Counter:
    """Send every due delivery, a batch at a time, until none is left. Safe to run in several
    workers at once. now fixes the clock (tests); otherwise each batch reads it afresh.
    on_more() is called once if the first batch is full: there is more than one worker's share,
    so another worker may join (it wakes the next, and so on while the batches stay full)."""
    app = current_app._get_current_object()
    config = app.config
    batch_size, lease = int(config["PUSH_BATCH_SIZE"]), float(config["PUSH_LEASE"])
    totals: Counter = Counter()
    sender = None
    with ThreadPoolExecutor(max_workers=int(config["PUSH_CONCURRENCY"])) as pool:
        try:
            while True:
                ids = claim(session, now or utcnow(), batch_size, lease)
                if not ids:
                    break
                if on_more is not None and len(ids) == batch_size:
                    on_more()
                    on_more = None
                jobs = jobs_for(session, ids)
                session.commit()
                sender = sender or Sender(app)
                # The pushes go out from the pool; the database stays in this thread.
                results = list(pool.map(sender, jobs))
                totals += record(session, zip(jobs, results, strict=True), now or utcnow(), config)
        finally:
            if sender is not None:
                sender.close()
    return totals


# ---- flask push ... -----------------------------------------------------------------------

push_cli = AppGroup("push", help="Web push: the VAPID keys, and delivering by hand.")


@push_cli.command("keys")
def keys_command():
    """Print the VAPID keys (made into instance/ if there are none yet)."""
    app = current_app._get_current_object()
    click.echo(f"VAPID_PRIVATE_KEY={vapid.private_key_text(app)}")
    click.echo(f"VAPID public key (applicationServerKey): {vapid.public_key(app)}")
    click.echo(f"VAPID subject: {app.config['VAPID_SUBJECT']}")
    click.echo("Set VAPID_PRIVATE_KEY in the environment of every web and worker process.")


@push_cli.command("deliver")
def deliver_command():
    """Send the due push deliveries now, in this process (the worker does it on its own)."""
    totals = deliver_due(db.session)
    click.echo(", ".join(f"{outcome}: {count}" for outcome, count in sorted(totals.items())) or "-")
