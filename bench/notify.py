"""Benchmark: one notice fanned out to 10,000 push subscriptions on a local push sink.

The design: the operator posts a notice (one transaction writes the notice, 10,000 inbox rows
and 10,000 outbox rows), the commit wakes the real huey worker (`huey_consumer`, as `make run`
starts it), and the workers deliver through pywebpush. Measured: the posting transaction, and
deliveries per second from the commit until the last delivery is recorded as sent.

The limit: in the same run, a plain loop that calls pywebpush.webpush() for the same 10,000
subscriptions one after the other, with no database and no queue.

    .venv/bin/python bench/notify.py [--count 10000] [--workers 1 2] [--database-url URL]

The sink runs in its own process (python -m tests.push_sink) so that it does not share the
interpreter with what is measured. Nothing leaves 127.0.0.1.
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Sink:
    """The push sink in a child process."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.push_sink"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.origin = self.process.stdout.readline().strip()

    def count(self) -> int:
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


def settings(database_url: str, vapid_key: str, sink: Sink) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "bench",
        "VAPID_PRIVATE_KEY": vapid_key,
        "VAPID_SUBJECT": "mailto:bench@community.example",
        "PUSH_SERVICE_HOSTS": ["127.0.0.1"],
    }


def environment(config: dict, huey_path: Path) -> dict:
    """The same settings for the worker processes, through the environment."""
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"]}
    env["SECRET_KEY"] = config["SECRET_KEY"]
    env["VAPID_PRIVATE_KEY"] = config["VAPID_PRIVATE_KEY"]
    env["COMMUNITY_VAPID_SUBJECT"] = json.dumps(config["VAPID_SUBJECT"])
    env["COMMUNITY_PUSH_SERVICE_HOSTS"] = json.dumps(config["PUSH_SERVICE_HOSTS"])
    env["COMMUNITY_HUEY_SQLITE_PATH"] = str(huey_path)
    env.pop("REDIS_URL", None)
    return env


def make_people(app, count: int, sink: Sink) -> list[dict]:
    """count residents, each with one browser subscription (a real P-256 key and auth secret)
    on the sink; returns the subscriptions as pywebpush takes them."""
    from sqlalchemy import insert, select

    from community.accounts.models import Role, User, UserRole
    from community.core.db import Base
    from community.core.extensions import db
    from community.demo import load_demo
    from community.directory.models import Unit
    from community.notify.models import PushSubscription

    subscriptions = []
    with app.app_context():
        Base.metadata.create_all(db.engine)
        load_demo(db.session, with_repairs=False)
        db.session.commit()
        units = db.session.scalars(select(Unit.id)).all()
        people = [
            {
                "name": f"住户{n}",
                "phone": f"1500000{n:04d}",
                "password_hash": "x",
                "status": "active",
                "status_note": "",
                "unit_id": units[n % len(units)],
                "large_text": False,
            }
            for n in range(count)
        ]
        ids = db.session.scalars(insert(User).returning(User.id), people).all()
        db.session.execute(
            insert(UserRole), [{"user_id": user_id, "role": Role.RESIDENT} for user_id in ids]
        )
        rows = []
        for user_id in ids:
            key = ec.generate_private_key(ec.SECP256R1()).public_key()
            point = key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
            endpoint = f"{sink.origin}/push/u{user_id}"
            keys = {"p256dh": b64url(point), "auth": b64url(os.urandom(16))}
            rows.append({"user_id": user_id, "endpoint": endpoint, "user_agent": "", **keys})
            subscriptions.append({"endpoint": endpoint, "keys": keys})
        db.session.execute(insert(PushSubscription), rows)
        db.session.commit()
    return subscriptions


def sent_count(app) -> int:
    from sqlalchemy import func, select

    from community.core.extensions import db
    from community.notify.models import Delivery, DeliveryStatus

    with app.app_context():
        count = db.session.scalar(
            select(func.count()).where(Delivery.status == DeliveryStatus.SENT)
        )
        db.session.remove()
        return count


def reset_deliveries(app) -> None:
    from sqlalchemy import delete

    from community.core.extensions import db
    from community.notices.models import Notice
    from community.notify.models import Delivery, Notification

    with app.app_context():
        db.session.execute(delete(Delivery))
        db.session.execute(delete(Notification))
        db.session.execute(delete(Notice))
        db.session.commit()


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its children have used so far."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            own = int(stat.parent.name)
        except (OSError, ValueError):
            continue  # a process that just ended
        if own == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def run_design(app, env: dict, workers: int, count: int) -> dict:
    """Post the notice with the worker running; time the fan-out and the deliveries."""
    from community.core import tasks
    from community.core.extensions import db
    from community.directory.current import current_community
    from community.notices import rules as board
    from community.notify import tasks as notify_tasks
    from tests.workorder_helpers import person

    reset_deliveries(app)
    consumer = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/huey_consumer"),
            "community.worker.huey",
            "--workers",
            str(workers),
            "--worker-type",
            "process",
            "--delay",
            "0.05",
            "--max-delay",
            "0.1",
            "--quiet",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        with app.app_context():
            operator = person("13800000002")
            # Warm up (imports, the texts' translations) with a notice to one person, and wait
            # until a worker has taken a wake-up call: the workers are up.
            board.post_notice(
                db.session,
                operator,
                current_community(),
                title="-",
                body="-",
                audience="role",
                role="staff",
            )
            db.session.commit()
            notify_tasks.deliver_pending()
            while tasks.huey.pending_count():
                time.sleep(0.05)
            time.sleep(1)
            cpu_before = tree_cpu_seconds(consumer.pid)
            started = time.perf_counter()
            notice = board.post_notice(
                db.session,
                operator,
                current_community(),
                title="明天上午停水",
                body="因管道检修，明天上午9点至12点全小区停水，请提前储水。",
                audience="community",
                urgent=True,
            )
            db.session.commit()  # wakes a worker
            committed = time.perf_counter()
            recipients = notice.recipient_count
            db.session.remove()
        wanted = count  # the demo's people have no device
        while sent_count(app) < wanted:
            time.sleep(0.05)
        finished = time.perf_counter()
        cpu = tree_cpu_seconds(consumer.pid) - cpu_before
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)
    delivering = finished - committed
    return {
        "recipients": recipients,
        "fan_out_s": committed - started,
        "delivery_s": delivering,
        "per_second": wanted / delivering,
        "end_to_end_per_second": wanted / (finished - started),
        "cpu_ms": cpu * 1000 / wanted,
    }


def run_plain_loop(app, subscriptions: list[dict]) -> dict:
    """What sending alone costs: pywebpush.webpush() for each subscription, one by one."""
    from py_vapid import Vapid
    from pywebpush import webpush

    from community.notify import vapid as vapid_keys

    signer = Vapid(vapid_keys.private_key(app))
    payload = json.dumps(
        {"title": "明天上午停水", "body": "因管道检修，明天上午9点至12点全小区停水，请提前储水。"},
        ensure_ascii=False,
    )
    started, cpu_before = time.perf_counter(), time.process_time()
    for number, subscription in enumerate(subscriptions):
        webpush(
            subscription,
            data=payload,
            vapid_private_key=signer,
            vapid_claims={"sub": "mailto:bench@community.example"},
            ttl=86400,
            headers={"Urgency": "high", "Topic": f"n{number}"},
            timeout=10,
        )
    elapsed = time.perf_counter() - started
    cpu_ms = (time.process_time() - cpu_before) * 1000 / len(subscriptions)
    return {"seconds": elapsed, "per_second": len(subscriptions) / elapsed, "cpu_ms": cpu_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--database-url", help="PostgreSQL, say (default: SQLite in a temp dir)")
    parser.add_argument(
        "--concurrency", type=int, help="pushes in flight per worker (default: PUSH_CONCURRENCY)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        database_url = args.database_url or f"sqlite:///{scratch / 'bench.db'}"
        os.environ["COMMUNITY_HUEY_SQLITE_PATH"] = str(scratch / "huey.db")
        os.environ.pop("REDIS_URL", None)
        from community import create_app
        from community.notify.vapid import private_key_text

        sink = Sink()
        try:
            key = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
            config = settings(database_url, b64url(key.to_bytes(32, "big")), sink)
            app = create_app(config)
            with app.app_context():
                assert private_key_text(app) == config["VAPID_PRIVATE_KEY"]
            print(f"{args.count} subscriptions on {sink.origin}, database {database_url}")
            subscriptions = make_people(app, args.count, sink)
            env = environment(config, scratch / "huey.db")
            if args.concurrency:
                env["COMMUNITY_PUSH_CONCURRENCY"] = str(args.concurrency)

            results = {}
            for workers in args.workers:
                before = sink.count()
                result = run_design(app, env, workers, args.count)
                result["received"] = sink.count() - before
                results[workers] = result
                print(
                    f"design, {workers} worker process(es): fan-out of {result['recipients']} "
                    f"inbox rows and {args.count} deliveries in one transaction "
                    f"{result['fan_out_s']:.2f} s; delivered {args.count} in "
                    f"{result['delivery_s']:.2f} s = {result['per_second']:.0f} deliveries/s "
                    f"({result['end_to_end_per_second']:.0f}/s counting the fan-out; "
                    f"the sink got {result['received']}); the workers spent "
                    f"{result['cpu_ms']:.2f} CPU ms per delivery"
                )

            before = sink.count()
            plain = run_plain_loop(app, subscriptions)
            print(
                f"plain pywebpush loop: {args.count} in {plain['seconds']:.2f} s = "
                f"{plain['per_second']:.0f} deliveries/s (the sink got {sink.count() - before}); "
                f"{plain['cpu_ms']:.2f} CPU ms per delivery"
            )
            for workers, result in results.items():
                print(
                    f"ratio, design with {workers} worker process(es) / plain loop: "
                    f"{result['per_second'] / plain['per_second']:.2f}"
                )
        finally:
            sink.close()


if __name__ == "__main__":
    main()
