"""Benchmark: CPU per request of every main page, by role, in process, against /healthz.

Run by hand (not a test): .venv/bin/python bench/pages.py [--size 10000] [--requests 40]

Uses the database bench/workorders.py builds (the demo community, 2,000 more residents, 12
more staff and 10,000 or 1,000,000 work orders; built here if missing). Each page is asked
for through Flask's test client in this process, logged in through the real login form, and
timed by this process's CPU clock: the best of three runs of --requests requests. The test
client adds a little over what a gunicorn worker spends, the same for every page; /healthz
(one SELECT 1) is measured the same way, and every page is printed as CPU ms and as its rate
against /healthz's. Goal (issue 13): at most 6 ms a page, 8 ms for the operator's queue.

With --counts it prints, instead of times, what a request of each page does, which does not
move with the load on the machine: the SQL statements it runs and the Python function calls it
makes (cProfile's count over one request). Times on a shared 2-core machine move by half from
one minute to the next; these counts compare two checkouts exactly.
"""

import argparse
import cProfile
import gc
import pstats
import sys
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workorders import RESULTS, bench_app, build, in_process_login

LOGINS = {
    "resident": "13800000005",
    "elderly": "13800000006",
    "volunteer": "13800000004",
    "staff": "13800000003",
    "operator": "13800000002",
}
PAGES = {
    "resident": [
        "/",
        "/repairs",
        "/repairs/new",
        "/activities/",
        "/activities/mine",
        "/bookings",
        "/services",
        "/care",
        "/timebank",
        "/help/",
        "/notices",
        "/inbox",
        "/account",
        "/settings",
        "/settings/notifications",
    ],
    "elderly": ["/", "/care", "/help/", "/activities/"],
    "volunteer": ["/", "/care/board", "/timebank"],
    "staff": ["/", "/work"],
    "operator": [
        "/",
        "/operator/orders",
        "/operator/orders?overdue=1",
        "/operator/activities/",
        "/operator/activities/figures",
        "/operator/people",
        "/operator/services/",
        "/operator/signups",
        "/operator/timebank",
        "/operator/timebank/statement",
        "/operator/help/",
        "/care/office",
        "/operator/deliveries",
    ],
}
GOAL_MS, QUEUE_GOAL_MS = 6.0, 8.0


def cpu_ms(client, path: str, requests: int) -> tuple[float, int, int]:
    """Best of three runs: CPU ms per request, the status and the body's size."""
    response = client.get(path)
    for _ in range(3):
        client.get(path)
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _ in range(requests):
            client.get(path)
        best = min(best, (time.process_time() - started) * 1000 / requests)
    return best, response.status_code, len(response.data)


def counts(app, client, path: str) -> tuple[int, int, int, int]:
    """(statements, Python calls, status, bytes) of one request, after a warm-up."""
    from community.core.extensions import db

    for _ in range(3):
        client.get(path)
    with app.app_context():
        engine = db.engine
    statements = []

    def record(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", record)
    try:
        profile = cProfile.Profile()
        response = profile.runcall(client.get, path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    calls = pstats.Stats(profile).total_calls
    return len(statements), calls, response.status_code, len(response.data)


def print_counts(app, clients) -> None:
    print("| role | page | statements | Python calls | bytes |")
    print("| --- | --- | ---: | ---: | ---: |")
    for role, paths in PAGES.items():
        for page in paths:
            statements, calls, status, size = counts(app, clients[role], page)
            note = "" if status == 200 else f" (answered {status})"
            print(f"| {role} | {page} | {statements} | {calls:,} | {size:,}{note} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, choices=[10_000, 1_000_000])
    parser.add_argument("--requests", type=int, default=40, help="requests per run")
    parser.add_argument(
        "--counts", action="store_true", help="statements and Python calls, not times"
    )
    options = parser.parse_args()
    path = RESULTS / f"workorders-{options.size}.db"
    RESULTS.mkdir(parents=True, exist_ok=True)
    build(path, options.size, rebuild=False)
    app = bench_app(path.resolve())
    clients = {role: in_process_login(app, login) for role, login in LOGINS.items()}
    if options.counts:
        print(f"{options.size:,} work orders; in process, one request of each page\n")
        print_counts(app, clients)
        return
    gc.freeze()  # as app.py does for gunicorn's workers
    trivial, _status, _size = cpu_ms(app.test_client(), "/healthz", options.requests)
    print(f"{options.size:,} work orders; in process, CPU ms per request (best of 3 runs)\n")
    print("| role | page | CPU ms | share of /healthz's rate | bytes | goal |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    print(f"| anyone | /healthz | {trivial:.2f} | 1.000 | | |")
    over = []
    for role, paths in PAGES.items():
        for page in paths:
            spent, status, size = cpu_ms(clients[role], page, options.requests)
            goal = QUEUE_GOAL_MS if page.startswith("/operator/orders") else GOAL_MS
            verdict = "ok" if spent <= goal else f"over {goal:g} ms"
            if status != 200:
                verdict = f"answered {status}"
            if verdict != "ok":
                over.append(f"{role} {page}")
            print(
                f"| {role} | {page} | {spent:.2f} | {trivial / spent:.3f} | {size:,} | {verdict} |"
            )
    print(f"\n{len(over)} pages off their goal" + (": " + ", ".join(over) if over else ""))


if __name__ == "__main__":
    main()
