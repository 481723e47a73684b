"""Real concurrency for tests: calls run in threads that a barrier releases together, each
request or session on its own connection, on SQLite and on PostgreSQL."""

import threading

from community.accounts.passwords import hash_password
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


def logged_in_clients(app, make_user, role, count, password, **values):
    """count new people with the role (and these column values), each logged in on a test
    client of their own: (clients, their ids), in the same order."""
    with app.app_context():
        people = [make_user(roles=[role]) for _ in range(count)]
        password_hash = hash_password(password)
        for person in people:
            person.password_hash = password_hash
            for name, value in values.items():
                setattr(person, name, value)
        db.session.commit()
        logins = [(person.phone, person.id) for person in people]
    clients = []
    for phone, _id in logins:
        client = app.test_client()
        assert client.login(phone, password).status_code == 302
        clients.append(client)
    return clients, [person_id for _phone, person_id in logins]
