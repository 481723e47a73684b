"""Benchmark: the operator's queue and a resident's "my reports" at 10,000 and 1,000,000 work
orders, served by gunicorn, each page against /healthz in the same server and run.

Run by hand (not a test): .venv/bin/python bench/workorders.py [--rebuild] [--seconds 5]
Databases are kept under bench/results/ and reused unless --rebuild is given.
"""

import argparse
import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, insert, inspect, select, text  # noqa: E402

from community import create_app  # noqa: E402
from community.accounts.models import AccountStatus, Role, User, UserRole  # noqa: E402
from community.core.config import normalize_database_url  # noqa: E402
from community.core.db import Base, utcnow  # noqa: E402
from community.core.extensions import db  # noqa: E402
from community.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from community.directory.models import Building, Place, Unit  # noqa: E402
from community.repairs.kind import REPAIR  # noqa: E402
from community.workorders import states  # noqa: E402
from community.workorders.models import WorkOrder  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SIZES = [10_000, 1_000_000]
CHUNK = 50_000
OPERATOR, RESIDENT = "13800000002", "13800000005"
# Orders arrive every five minutes: 10k orders are five weeks of history, 1M are ten years.
SPACING = timedelta(minutes=5)
RESIDENT_ORDERS = 40  # the benchmarked resident's reports, spread over the whole history
SYNTHETIC_RESIDENTS, SYNTHETIC_STAFF = 2000, 12
CLIENT_THREADS = 4

# Status by age: recent orders are being worked on, old ones are finished, a few are stuck.
RECENT = {  # under 3 days old
    states.SUBMITTED: 20,
    states.ACCEPTED: 15,
    states.ASSIGNED: 25,
    states.IN_PROGRESS: 20,
    states.REOPENED: 5,
    states.RESOLVED: 15,
}
WEEK = {  # 3 to 10 days old
    states.RESOLVED: 20,
    states.CLOSED: 60,
    states.ASSIGNED: 5,
    states.IN_PROGRESS: 5,
    states.REJECTED: 4,
    states.CANCELLED: 4,
    states.DUPLICATE: 2,
}
OLD = {  # older: finished, except one in a thousand forgotten in progress
    states.CLOSED: 900,
    states.REJECTED: 40,
    states.CANCELLED: 40,
    states.DUPLICATE: 19,
    states.IN_PROGRESS: 1,
}
PRIORITY_WEIGHTS = {"low": 20, "normal": 55, "high": 20, "urgent": 5}
DESCRIPTIONS = [
    "厨房水管漏水，地上有积水",
    "卫生间马桶堵塞",
    "客厅灯不亮，开关没反应",
    "电梯按钮失灵，停在三楼",
    "单元门门禁刷卡打不开",
    "楼道灯坏了，晚上很黑",
    "花园树枝挡住小路",
    "楼上晚上很吵",
    "阳台窗户关不严，漏风",
    "地下车库有积水",
    "热水器不出热水",
    "防盗门锁芯坏了",
]


# --- Building the databases -------------------------------------------------------------------


def database_url(path: Path | str) -> str:
    """A kept SQLite file, or a PostgreSQL URL as it is."""
    return path if isinstance(path, str) else f"sqlite:///{path}"


def bench_app(path: Path | str):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url(path),
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )


def weighted(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def add_people(session) -> tuple[list[tuple[int, int]], list[int]]:
    """Synthetic residents (id, unit id) and staff ids, besides the demo's accounts."""
    password_hash = session.scalar(select(User.password_hash).limit(1))
    units = session.scalars(select(Unit.id).order_by(Unit.id)).all()
    now = utcnow()
    rows = []
    for n in range(SYNTHETIC_RESIDENTS):
        rows.append(
            {
                "name": f"住户{n}",
                "phone": f"139{n:08d}",
                "password_hash": password_hash,
                "unit_id": units[n % len(units)],
                "status": AccountStatus.ACTIVE,
                "created_at": now,
            }
        )
    for n in range(SYNTHETIC_STAFF):
        rows.append(
            {
                "name": f"师傅{n:02d}",
                "phone": f"137{n:08d}",
                "password_hash": password_hash,
                "unit_id": None,
                "status": AccountStatus.ACTIVE,
                "created_at": now,
            }
        )
    session.execute(insert(User), rows)
    made = session.execute(
        select(User.id, User.unit_id, User.phone).where(
            User.phone.like("139%") | User.phone.like("137%")
        )
    ).all()
    roles = [
        {"user_id": uid, "role": Role.RESIDENT if phone.startswith("139") else Role.STAFF}
        for uid, _unit, phone in made
    ]
    session.execute(insert(UserRole), roles)
    residents = [(uid, unit) for uid, unit, phone in made if phone.startswith("139")]
    staff = [uid for uid, _unit, phone in made if phone.startswith("137")]
    return residents, staff


def order_rows(size: int, session, residents, staff, rng: random.Random):
    """The work orders, CHUNK at a time, oldest first."""
    demo_resident = session.scalar(select(User).where(User.phone == RESIDENT))
    staff = [*staff, session.scalar(select(User.id).where(User.phone == "13800000003"))]
    unit_building = dict(session.execute(select(Unit.id, Unit.building_id)).all())
    places = session.execute(select(Place.id, Place.building_id)).all()
    now = utcnow()
    every = size // RESIDENT_ORDERS
    chunk = []
    for i in range(size):
        created = now - SPACING * (size - 1 - i) - timedelta(seconds=rng.randrange(240))
        age = now - created
        table = RECENT if age < timedelta(days=3) else WEEK if age < timedelta(days=10) else OLD
        status = weighted(rng, table)
        category = rng.choice(list(REPAIR.categories))
        priority = weighted(rng, PRIORITY_WEIGHTS)
        if i % every == every - 1:
            requester, unit_id = demo_resident.id, demo_resident.unit_id
        else:
            requester, unit_id = rng.choice(residents)
        place_id = building_id = None
        if rng.random() < 0.3:
            place_id, building_id = rng.choice(places)
            unit_id = None
        else:
            building_id = unit_building[unit_id]
        unaccepted = status in (states.SUBMITTED, states.REJECTED, states.DUPLICATE)
        accepted_at = created + timedelta(minutes=rng.randrange(10, 120))
        due = None if unaccepted else REPAIR.due_time(category, priority, accepted_at)
        worked = status not in (states.SUBMITTED, states.ACCEPTED) and not unaccepted
        worked = worked and status != states.CANCELLED
        resolved = accepted_at + timedelta(hours=rng.randrange(1, 72))
        chunk.append(
            {
                "kind": "repair",
                "status": status,
                "priority": priority,
                "category": category,
                "description": f"{rng.choice(DESCRIPTIONS)}（{i}）",
                "place_id": place_id,
                "unit_id": unit_id,
                "building_id": building_id,
                "requester_id": requester,
                "assignee_id": rng.choice(staff) if worked else None,
                "due_at": due,
                "version": 1 + rng.randrange(6),
                "created_at": created,
                "updated_at": created,
                "resolved_at": resolved if status in (states.RESOLVED, states.CLOSED) else None,
                "closed_at": resolved + timedelta(days=1) if status == states.CLOSED else None,
            }
        )
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def build(path: Path, size: int, rebuild: bool) -> None:
    if path.exists() and not rebuild:
        app = bench_app(path)
        with app.app_context():
            try:
                count = db.session.scalar(text("SELECT count(*) FROM work_order"))
            except Exception:
                count = None
            db.engine.dispose()
        if count is not None and count >= size:  # the demo may add a few orders of its own
            print(f"  reusing {path.name} ({size:,} orders)")
            add_missing_indexes(app)
            return
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    load(path, size)


def load(path: Path | str, size: int) -> None:
    """Tables and indexes from the models, the demo, the synthetic people and the orders."""
    started = time.perf_counter()
    app = bench_app(path)
    rng = random.Random(size)
    with app.app_context():
        Base.metadata.create_all(db.engine)  # every table and index the models declare
        load_demo(db.session)
        residents, staff = add_people(db.session)
        db.session.commit()
        loaded = 0
        for chunk in order_rows(size, db.session, residents, staff, rng):
            db.session.execute(insert(WorkOrder), chunk)
            db.session.commit()
            loaded += len(chunk)
            print(f"\r  {loaded:,} orders, {time.perf_counter() - started:.0f} s", end="")
        print()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.engine.dispose()
    print(f"  built {size:,} orders in {time.perf_counter() - started:.0f} s")


def build_postgresql(server: str, size: int, rebuild: bool) -> str:
    """The same database on a PostgreSQL server (a database of its own, kept for reuse)."""
    name = f"bench_workorders_{size}"
    admin = create_engine(
        normalize_database_url(f"{server.rstrip('/')}/postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if exists and not rebuild:
            with create_engine(
                normalize_database_url(f"{server.rstrip('/')}/{name}")
            ).connect() as kept:
                try:
                    count = kept.scalar(text("SELECT count(*) FROM work_order"))
                except Exception:
                    count = None
            rebuild = count is None or count < size  # a build that was cut short
        if exists and rebuild:
            connection.exec_driver_sql(f"DROP DATABASE {name}")
            exists = False
        if not exists:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    url = f"{server.rstrip('/')}/{name}"
    if exists:
        print(f"  reusing {name}")
        add_missing_indexes(bench_app(url))
    else:
        load(url, size)
    return url


def in_process_pages(app) -> dict[str, tuple[str, str]]:
    """The benchmarked pages, found in process (for the plans on PostgreSQL)."""
    with app.app_context():
        building = db.session.scalar(select(Building.id).where(Building.name == "1号楼"))
    operator = in_process_login(app, OPERATOR)
    path = "/operator/orders"
    for _ in range(20):
        found = re.search(r'rel="next" href="([^"]+)"', operator.get(path).get_data(as_text=True))
        path = found.group(1).replace("&amp;", "&")
    return {
        "queue, first page": ("/operator/orders", "operator"),
        "queue, filtered": (
            f"/operator/orders?status=assigned&category=plumbing&building={building}",
            "operator",
        ),
        "queue, 21st page": (path, "operator"),
        "queue, most urgent first": ("/operator/orders?sort=urgent", "operator"),
        "queue, overdue only": ("/operator/orders?overdue=1", "operator"),
        "resident: my reports": ("/repairs", "resident"),
    }


def add_missing_indexes(app) -> None:
    """Make a kept database's indexes those the models declare now: add the new ones, rebuild
    those whose columns changed, drop those no longer declared."""
    with app.app_context():
        inspector = inspect(db.engine)
        changed = False
        for table in Base.metadata.sorted_tables:
            present = {
                index["name"]: index["column_names"]
                for index in inspector.get_indexes(table.name)
                if index["name"].startswith("ix_")
            }
            declared = {i.name: i for i in table.indexes if i.name.startswith("ix_")}
            for name in present.keys() - declared.keys():
                print(f"  dropping {name}")
                db.session.execute(text(f"DROP INDEX {name}"))
                changed = True
            for name, index in declared.items():
                columns = [column.name for column in index.columns]
                if present.get(name) == columns:
                    continue
                if name in present:
                    print(f"  dropping {name} {present[name]}")
                    db.session.execute(text(f"DROP INDEX {name}"))
                print(f"  adding {name} {columns}")
                db.session.commit()
                index.create(db.engine)
                changed = True
        db.session.commit()
        if changed:
            with db.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        db.engine.dispose()


# --- Query plans ------------------------------------------------------------------------------


def show_plans(path: Path | str, pages: dict[str, tuple[str, str]]) -> None:
    """The plan of every statement each page really runs: the page is requested in process,
    logged in as the person the benchmark uses, and each SELECT (or WITH) it sent to the
    database is explained with its own parameters."""
    app = bench_app(path)
    clients = {}
    with app.app_context():
        engine = db.engine
    postgresql = engine.dialect.name == "postgresql"
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        # The queue's own statements start with WITH (a materialized CTE).
        if statement.lstrip()[:4].upper() in ("SELE", "WITH"):
            statements.append((statement, parameters))

    # Requests outside any app context of ours: each one gets its own, as when served.
    for name, (url, cookie) in pages.items():
        if not cookie:
            continue
        login = OPERATOR if url.startswith("/operator") else RESIDENT
        if login not in clients:
            clients[login] = in_process_login(app, login)
        clients[login].get(url)  # warm: the login loader's first touch, caches
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        started = time.perf_counter()
        response = clients[login].get(url)
        took = (time.perf_counter() - started) * 1000
        event.remove(engine, "before_cursor_execute", record)
        print(
            f"  {name}: {url} -> {response.status_code}, {len(statements)} statements, "
            f"{took:.1f} ms in process"
        )
        with engine.connect() as connection:
            for number, (statement, parameters) in enumerate(statements, 1):
                first = " ".join(statement.split())
                print(f"    [{number}] {first[:150]}{'...' if len(first) > 150 else ''}")
                explain = "EXPLAIN " if postgresql else "EXPLAIN QUERY PLAN "
                plan = connection.exec_driver_sql(explain + statement, parameters)
                for row in plan:
                    print(f"        {row[0] if postgresql else row[-1]}")
    engine.dispose()


def in_process_login(app, login: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "login": login, "password": DEMO_PASSWORD, "next": ""}
    if client.post("/login", data=form).status_code != 302:
        raise RuntimeError(f"could not log in as {login} in process")
    return client


# --- Serving and measuring --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, path: Path, root: Path = ROOT):
        self.database = path
        self.port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url(path),
            "SECRET_KEY": "bench-secret",
            "COMMUNITY_RATELIMIT_ENABLED": "false",
        }
        self.process = subprocess.Popen(
            [
                str(root / ".venv/bin/gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "app:app",
            ],
            cwd=root,
            env=env,
        )
        deadline = time.monotonic() + 120  # a loaded machine starts slowly
        while time.monotonic() < deadline:
            try:
                status, _body = self.get("/healthz")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def get(self, path: str, cookie: str = "") -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def login(self, login: str) -> str:
        """Log in like a browser: read the form's CSRF token, post it, keep the cookies."""
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        base = f"http://127.0.0.1:{self.port}"
        page = opener.open(f"{base}/login").read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"csrf_token": token, "login": login, "password": DEMO_PASSWORD, "next": ""}
        ).encode()
        opener.open(f"{base}/login", data=form).read()
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        status, body = self.get("/settings", cookie)
        if status != 200 or login.encode() not in body:
            raise RuntimeError(f"could not log in as {login}")
        return cookie

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the workers have used so far: unlike throughput, it
        hardly changes with whatever else the machine is doing."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a process that just ended
            if int(fields[1]) == self.process.pid:  # the parent is the gunicorn master
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def follow_next(server: Server, cookie: str, path: str, times: int) -> str:
    for _ in range(times):
        status, body = server.get(path, cookie)
        found = re.search(rb'rel="next" href="([^"]+)"', body)
        if status != 200 or not found:
            raise RuntimeError(f"no next page after {path}")
        path = found.group(1).decode().replace("&amp;", "&")
    return path


def measure(server: Server, path: str, cookie: str, seconds: float) -> tuple[float, float]:
    """Requests per second in a closed loop (CLIENT_THREADS clients, each sending the next
    request when the last answer has arrived, for a fixed time), and the server's CPU
    milliseconds per request over the same loop."""
    stop_at = time.perf_counter() + seconds
    done = [0] * CLIENT_THREADS
    errors = []

    def client(slot: int) -> None:
        while time.perf_counter() < stop_at:
            status, _body = server.get(path, cookie)
            if status != 200:
                errors.append(status)
                return
            done[slot] += 1

    for _ in range(3):  # warm up: the page's code and the database's pages
        server.get(path, cookie)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENT_THREADS)]
    cpu_before = server.cpu_seconds()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu = server.cpu_seconds() - cpu_before
    if errors:
        raise RuntimeError(f"{path} answered {errors[0]}")
    return sum(done) / elapsed, cpu * 1000 / sum(done)


def pages_for(server: Server, path: Path) -> dict[str, tuple[str, str]]:
    """The pages to time, as (path, whose cookie)."""
    app = bench_app(path)
    with app.app_context():
        building = db.session.scalar(select(Building.id).where(Building.name == "1号楼"))
        db.engine.dispose()
    operator, resident = server.login(OPERATOR), server.login(RESIDENT)
    filtered = f"/operator/orders?status=assigned&category=plumbing&building={building}"
    deep = follow_next(server, operator, "/operator/orders", 20)
    pages = {
        "trivial: /healthz (SELECT 1)": ("/healthz", ""),
        "queue, first page": ("/operator/orders", operator),
        "queue, filtered": (filtered, operator),
        "queue, 21st page": (deep, operator),
        "queue, most urgent first": ("/operator/orders?sort=urgent", operator),
        "queue, overdue only": ("/operator/orders?overdue=1", operator),
        "resident: my reports": ("/repairs", resident),
    }
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="build the databases again")
    parser.add_argument("--seconds", type=float, default=5.0, help="time per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="measurements per page and size")
    parser.add_argument(
        "--plans", action="store_true", help="print the plan of every statement each page runs"
    )
    parser.add_argument(
        "--compare",
        type=Path,
        help="another checkout of the project (say, the code before a change), served beside "
        "this one on the databases its own bench/workorders.py built, taking turns with it",
    )
    parser.add_argument(
        "--plans-postgresql",
        metavar="URL",
        help="only print the plans, on PostgreSQL: databases bench_workorders_<size> on the "
        "server at URL (postgresql://postgres@127.0.0.1:5432), built once and kept",
    )
    options = parser.parse_args()
    if options.plans_postgresql:
        for size in SIZES:
            print(f"{size:,} work orders on PostgreSQL")
            url = build_postgresql(options.plans_postgresql, size, options.rebuild)
            print(f"Query plans at {size:,} (PostgreSQL)")
            show_plans(url, in_process_pages(bench_app(url)))
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    paths = {size: RESULTS / f"workorders-{size}.db" for size in SIZES}
    for size, path in paths.items():
        print(f"{size:,} work orders")
        build(path, size, options.rebuild)
    trees = {"this": ROOT}
    if options.compare:
        trees = {"other": options.compare.resolve(), "this": ROOT}
    # Every server runs at once and they take turns, page by page and round by round, so
    # that whatever else the machine does falls on all alike.
    servers = {}
    try:
        for tree, root in trees.items():
            for size in SIZES:
                path = root / "bench" / "results" / f"workorders-{size}.db"
                servers[tree, size] = Server(path, root)
        pages = {key: pages_for(server, server.database) for key, server in servers.items()}
        if options.plans:
            for size in SIZES:
                print(f"Query plans at {size:,}")
                show_plans(paths[size], pages["this", size])
        rates: dict = {key: {} for key in servers}
        cpu: dict = {key: {} for key in servers}
        for round_number in range(options.rounds):
            print(f"round {round_number + 1} of {options.rounds}")
            for name in pages["this", SIZES[0]]:
                for key, server in servers.items():
                    url, cookie = pages[key][name]
                    rate, cpu_ms = measure(server, url, cookie, options.seconds)
                    rates[key].setdefault(name, []).append(rate)
                    cpu[key].setdefault(name, []).append(cpu_ms)
                    tree, size = key
                    print(
                        f"  {tree:>5} {size:>9,} {name:<28} {rate:8.1f} req/s "
                        f"{cpu_ms:7.2f} CPU ms/req   {url}"
                    )
    finally:
        for server in servers.values():
            server.stop()
    if not options.rounds:
        return
    for tree in trees:
        label = f" ({tree}: {trees[tree]})" if len(trees) > 1 else ""
        print(f"\nCPU milliseconds per request, min / median of the rounds{label}:")
        report_cpu({size: cpu[tree, size] for size in SIZES})
        print(f"\nRequests per second, median of the rounds{label}:")
        report({size: {n: median(r) for n, r in rates[tree, size].items()} for size in SIZES})


def report_cpu(measured: dict[int, dict[str, list[float]]]) -> None:
    """CPU per request at each size, 1M against 10k (goal: at most 1.3), and each page's rate
    as a share of /healthz's (what the CPU allows, 1 / CPU ms)."""
    small, large = SIZES
    trivial = next(iter(measured[small]))
    print()
    print(
        f"| page | CPU ms at {small // 1000}k | CPU ms at {large // 1_000_000}M | 1M/10k "
        "| share of /healthz's rate at 10k | at 1M |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in measured[small]:
        a, b = measured[small][name], measured[large][name]
        print(
            f"| {name} | {min(a):.1f} / {median(a):.1f} | {min(b):.1f} / {median(b):.1f} "
            f"| {median(b) / median(a):.2f} "
            f"| {median(measured[small][trivial]) / median(a):.3f} "
            f"| {median(measured[large][trivial]) / median(b):.3f} |"
        )


def report(measured: dict[int, dict[str, float]]) -> None:
    small, large = SIZES
    trivial = next(iter(measured[small]))
    print()
    print(
        f"| page | req/s at {small // 1000}k | req/s at {large // 1_000_000}M | 1M/10k "
        f"| vs trivial at 10k | vs trivial at 1M |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in measured[small]:
        a, b = measured[small][name], measured[large][name]
        print(
            f"| {name} | {a:.0f} | {b:.0f} | {b / a:.2f} "
            f"| {a / measured[small][trivial]:.3f} | {b / measured[large][trivial]:.3f} |"
        )


if __name__ == "__main__":
    main()
