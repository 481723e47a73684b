"""Real concurrency for tests: calls run in threads that a barrier releases together, each
request or session on its own connection, on SQLite and on PostgreSQL."""

import threading

from community.core.errors import Conflict, Invalid
from community.core.extensions import db


def at_once(calls):
    """Run each call in its own thread, all released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(n):
        barrier.wait()
        results[n] = calls[n]()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def race(app, count, attempt):
    """Run attempt(n) in count threads started together, each in its own app context and
    session, and commit what it did; a Conflict or Invalid is rolled back and returned as its
    class name. Returns what each returned."""

    def call(n):
        with app.app_context():
            try:
                result = attempt(n)
                db.session.commit()
                return result
            except (Conflict, Invalid) as error:
                db.session.rollback()
                return type(error).__name__
            finally:
                db.session.remove()

    return at_once([lambda n=n: call(n) for n in range(count)])
