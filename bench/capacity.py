"""Benchmark: 500 concurrent clients booking one resource of 20 places through gunicorn (4 sync
workers), on SQLite and on PostgreSQL, against /healthz under the same load in the same run.

Run by hand (not a test): .venv/bin/python bench/capacity.py [--clients 500] [--places 20]
    [--only sqlite|postgresql] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

The booking pages are not this benchmark's business: the app gunicorn serves is the product's
create_app() plus one bench-only route, POST /bench/reserve/<user_id>, that calls
capacity.rules.reserve for a pre-made resident and commits (the engine, not a form). It exists
only in this file's app factory, `bench.capacity:bench_app()`. Everything runs on loopback; the
PostgreSQL run creates a database of its own and drops it afterwards.
"""

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from statistics import quantiles

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Blueprint, jsonify  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from community import create_app  # noqa: E402
from community.accounts.models import AccountStatus, Role, User, UserRole  # noqa: E402
from community.capacity import rules as capacity  # noqa: E402
from community.capacity.models import Reservation, Resource  # noqa: E402
from community.core.db import Base, utcnow  # noqa: E402
from community.core.errors import DomainError  # noqa: E402
from community.core.extensions import csrf, db  # noqa: E402

WORKERS = 4
REQUEST_TIMEOUT = 60  # seconds, per request
RUN_LIMIT = 240  # seconds, per database: the whole storm is abandoned after this
PROBES = 25  # threads asking /healthz while the storm runs
PROBES_EACH = 40  # at most this many /healthz requests per probe thread


# ---- The app gunicorn serves: the product plus one bench-only route -------------------------

bench_bp = Blueprint("bench_capacity", __name__, url_prefix="/bench")


@bench_bp.post("/reserve/<int:user_id>")
def reserve(user_id: int):
    person = db.session.get(User, user_id)
    resource_id = int(os.environ["BENCH_RESOURCE_ID"])
    try:
        reservation = capacity.reserve(db.session, resource_id, person, person)
        status = reservation.status
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return jsonify(error=error.message), error.status
    return jsonify(status=status), 201


def bench_app():
    """gunicorn's factory: `gunicorn 'bench.capacity:bench_app()'`."""
    app = create_app()
    csrf.exempt(bench_bp)
    app.register_blueprint(bench_bp)
    return app


# ---- Setting up a database ---------------------------------------------------------------


def prepare(url: str, clients: int, places: int) -> tuple[int, list[int]]:
    """Tables from the models, `clients` residents, one resource of `places` places that
    starts tomorrow. Returns the resource's id and the residents' ids."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        now = utcnow()
        db.session.execute(
            insert(User),
            [
                {
                    "name": f"居民{n}",
                    "phone": f"1550000{n:04d}",
                    "password_hash": "bench: never logs in",
                    "status": AccountStatus.ACTIVE,
                    "reviewed_at": now,
                }
                for n in range(clients)
            ],
        )
        ids = list(db.session.scalars(select(User.id).order_by(User.id)))
        db.session.execute(
            insert(UserRole), [{"user_id": uid, "role": Role.RESIDENT} for uid in ids]
        )
        resource = Resource(kind="service_slot", size=places, starts_at=now + timedelta(days=1))
        db.session.add(resource)
        db.session.commit()
        resource_id = resource.id
        db.engine.dispose()
    return resource_id, ids


def outcome(url: str, resource_id: int) -> dict[str, int]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        counts = dict(
            db.session.execute(
                select(Reservation.status, func.count())
                .where(Reservation.resource_id == resource_id)
                .group_by(Reservation.status)
            ).all()
        )
        taken = db.session.scalar(
            select(func.coalesce(func.sum(Reservation.party_size), 0)).where(
                Reservation.resource_id == resource_id, Reservation.status == "confirmed"
            )
        )
        people = db.session.scalar(
            select(func.count(func.distinct(Reservation.person_id))).where(
                Reservation.resource_id == resource_id
            )
        )
        rows = db.session.scalar(select(func.count()).where(Reservation.resource_id == resource_id))
        db.engine.dispose()
    return {**counts, "places_taken": taken, "people": people, "rows": rows}


# ---- The server and the clients -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, url: str, resource_id: int):
        self.port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret",
            "COMMUNITY_RATELIMIT_ENABLED": "false",
            "BENCH_RESOURCE_ID": str(resource_id),
        }
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--backlog",
                "2048",
                "--timeout",
                "120",
                "--log-level",
                "warning",
                "bench.capacity:bench_app()",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def request(self, method: str, path: str) -> tuple[int, float]:
        """(status, seconds) of one request on a new connection, as a separate client."""
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=b"" if method == "POST" else None)
            response = connection.getresponse()
            response.read()
            return response.status, time.perf_counter() - started
        finally:
            connection.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def storm(server: Server, user_ids: list[int]) -> dict:
    """Every client books once, all released at the same moment; probe threads ask /healthz
    until the last booking is answered. Bounded: one request per client, PROBES_EACH per
    probe, RUN_LIMIT seconds in all."""
    gate = threading.Barrier(len(user_ids) + PROBES + 1)
    booked: list[tuple[int, float]] = []
    health: list[tuple[int, float]] = []
    failures: list[str] = []
    done = threading.Event()
    stop_at = [0.0]

    def client(user_id: int) -> None:
        gate.wait()
        try:
            booked.append(server.request("POST", f"/bench/reserve/{user_id}"))
        except OSError as error:
            failures.append(repr(error))

    def probe() -> None:
        gate.wait()
        for _ in range(PROBES_EACH):
            if done.is_set() or time.monotonic() > stop_at[0]:
                return
            try:
                health.append(server.request("GET", "/healthz"))
            except OSError as error:
                failures.append(repr(error))

    threads = [threading.Thread(target=client, args=(uid,), daemon=True) for uid in user_ids]
    threads += [threading.Thread(target=probe, daemon=True) for _ in range(PROBES)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + RUN_LIMIT
    gate.wait()
    started = time.perf_counter()
    for thread in threads[: len(user_ids)]:
        thread.join(max(stop_at[0] - time.monotonic(), 0))
    elapsed = time.perf_counter() - started
    done.set()
    for thread in threads[len(user_ids) :]:
        thread.join(max(stop_at[0] - time.monotonic(), 0) + 1)
    return {"booked": booked, "health": health, "failures": failures, "elapsed": elapsed}


def percentiles(samples: list[tuple[int, float]]) -> tuple[float, float]:
    times = sorted(seconds * 1000 for _status, seconds in samples)
    if len(times) < 2:
        return (times[0], times[0]) if times else (float("nan"), float("nan"))
    cuts = quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[94]


# ---- The runs --------------------------------------------------------------------------------


def run(name: str, url: str, clients: int, places: int) -> bool:
    resource_id, user_ids = prepare(url, clients, places)
    server = Server(url, resource_id)
    try:
        result = storm(server, user_ids)
    finally:
        server.stop()
    counts = outcome(url, resource_id)
    answered = [status for status, _s in result["booked"]]
    ok = sum(1 for status in answered if status == 201)
    confirmed = counts.get("confirmed", 0)
    passed = (
        confirmed == places
        and counts["places_taken"] == places
        and counts["rows"] == counts["people"]  # one reservation per person
        and counts["rows"] == ok
    )
    book_p50, book_p95 = percentiles(result["booked"])
    health_p50, health_p95 = percentiles(result["health"])
    print(f"== {name} ({WORKERS} gunicorn workers, {clients} clients, {places} places)")
    print(
        f"   confirmed {confirmed} of {places}: {'ok' if passed else 'FAIL'}"
        f"  (waitlisted {counts.get('waitlisted', 0)}, answered {len(answered)},"
        f" 201 {ok}, other {len(answered) - ok}, client errors {len(result['failures'])})"
    )
    print(f"   bookings per second {ok / result['elapsed']:.0f}  ({result['elapsed']:.2f} s)")
    print(f"   reserve  p50 {book_p50:7.1f} ms   p95 {book_p95:7.1f} ms")
    print(
        f"   /healthz p50 {health_p50:7.1f} ms   p95 {health_p95:7.1f} ms"
        f"   ({len(result['health'])} probes)"
    )
    ratio = book_p95 / health_p95 if health_p95 else float("nan")
    print(f"   p95 ratio reserve / healthz {ratio:.1f} (goal: under 10)")
    if result["failures"]:
        print(f"   first client error: {result['failures'][0]}")
    return passed


def on_sqlite(clients: int, places: int) -> bool:
    with tempfile.TemporaryDirectory(prefix="bench-capacity-") as folder:
        return run("SQLite", f"sqlite:///{folder}/capacity.db", clients, places)


def on_postgres(admin_url: str, clients: int, places: int) -> bool:
    import psycopg  # only for this run: creating and dropping a database of its own

    name = f"bench_capacity_{os.getpid()}"
    base = admin_url.rsplit("/", 1)[0]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return run(
            "PostgreSQL", f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}", clients, places
        )
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--places", type=int, default=20)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a database to connect to while creating the benchmark's own",
    )
    args = parser.parse_args()
    if not 1 <= args.clients <= 2000 or not 1 <= args.places <= args.clients:
        parser.error("1 <= places <= clients <= 2000")
    results = []
    if args.only in (None, "sqlite"):
        results.append(on_sqlite(args.clients, args.places))
    if args.only in (None, "postgresql"):
        results.append(on_postgres(args.postgres, args.clients, args.places))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
