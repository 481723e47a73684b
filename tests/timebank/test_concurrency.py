"""Races the time bank must win, with real threads on their own connections, on SQLite and on
PostgreSQL: a visit confirmed twice at once is credited once; gifts sent at once never overdraw;
an entry reversed twice at once is reversed once."""

import threading

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.accounts.passwords import hash_password
from community.core.extensions import db
from community.timebank import ledger, rules
from community.timebank.models import PendingCredit, Transfer, TransferKind
from community.workorders.models import WorkOrder
from tests.timebank.conftest import send_confirmed

PASSWORD = "a time bank password"


@pytest.fixture
def app(make_app):
    # One volunteer logs in from many tabs in a second: the login throttle is not under test.
    return make_app(LOGIN_LIMIT_ADDRESS="1000 per minute", LOGIN_LIMIT_ACCOUNT="100 per minute")


def at_once(calls):
    """Run each call in its own thread, all released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    errors = []

    def run(n):
        barrier.wait()
        try:
            results[n] = calls[n]()
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def logged_in(app, person_id, count):
    with app.app_context():
        person = db.session.get(User, person_id)
        person.password_hash = hash_password(PASSWORD)
        phone = person.phone
        db.session.commit()
    clients = []
    for _ in range(count):
        client = app.test_client()
        assert client.login(phone, PASSWORD).status_code == 302
        clients.append(client)
    return clients


def test_a_visit_confirmed_twice_at_once_is_credited_once(app, people, make_order):
    with app.app_context():
        order_id = make_order(kind="care_visit", status="closed").id
        db.session.commit()

    def confirm():
        # Each confirmation in its own transaction, as two care requests would run.
        with app.app_context():
            order = db.session.get(WorkOrder, order_id)
            send_confirmed(order, people["volunteer"], people["elder"], 150, 120)
            db.session.commit()
            return True

    assert at_once([confirm for _ in range(6)]) == [True] * 6
    with app.app_context():
        assert ledger.balance_of(db.session, people["volunteer"]) == 120
        assert db.session.scalar(select(func.count(Transfer.id))) == 1
        assert db.session.scalar(select(func.count(PendingCredit.id))) == 1
        assert sum(ledger.all_balances(db.session).values()) == 0


def test_gifts_sent_at_once_never_overdraw(app, people):
    with app.app_context():
        operator = db.session.get(User, people["operator"])
        rules.record_work(db.session, operator, people["volunteer"], 300, "打扫花园")
        db.session.commit()
    clients = logged_in(app, people["volunteer"], 6)
    tokens = [client.csrf_token() for client in clients]

    def give(client, token, to):
        def call():
            return client.post(
                "/timebank/give",
                data={"csrf_token": token, "to": to, "hours": "2"},
                csrf=False,
            ).status_code

        return call

    targets = [str(people["elder"]), "pool"] * 3
    statuses = at_once([give(c, t, to) for c, t, to in zip(clients, tokens, targets, strict=True)])
    assert sorted(statuses) == [302, 302, 409, 409, 409, 409]
    with app.app_context():
        assert ledger.balance_of(db.session, people["volunteer"]) == 60
        gifts = db.session.scalar(
            select(func.count(Transfer.id)).where(Transfer.kind == TransferKind.DONATION)
        )
        assert gifts == 2
        assert sum(ledger.all_balances(db.session).values()) == 0


def test_an_entry_reversed_twice_at_once_is_reversed_once(app, people):
    with app.app_context():
        operator = db.session.get(User, people["operator"])
        entry_id = rules.record_work(db.session, operator, people["volunteer"], 90, "看门").id
        db.session.commit()
    clients = logged_in(app, people["operator"], 4)
    tokens = [client.csrf_token() for client in clients]

    def reverse(client, token):
        def call():
            return client.post(
                f"/operator/timebank/entries/{entry_id}/reverse",
                data={"csrf_token": token, "reason": "记错了"},
                csrf=False,
            ).status_code

        return call

    statuses = at_once([reverse(c, t) for c, t in zip(clients, tokens, strict=True)])
    assert sorted(statuses) == [302, 409, 409, 409]
    with app.app_context():
        assert ledger.balance_of(db.session, people["volunteer"]) == 0
        reversals = db.session.scalar(
            select(func.count(Transfer.id)).where(Transfer.reverses_id == entry_id)
        )
        assert reversals == 1


def test_a_visits_extra_time_decided_twice_at_once_is_decided_once(app, people, make_order):
    with app.app_context():
        order = make_order(kind="care_visit", status="closed")
        send_confirmed(order, people["volunteer"], people["elder"], 100, 60)
        db.session.commit()
        pending_id = ledger.pending_credits(db.session)[0].id
    clients = logged_in(app, people["operator"], 4)
    tokens = [client.csrf_token() for client in clients]

    def decide(client, token, what):
        def call():
            return client.post(
                f"/operator/timebank/extra/{pending_id}/{what}",
                data={"csrf_token": token},
                csrf=False,
            ).status_code

        return call

    whats = ["confirm", "confirm", "refuse", "confirm"]
    statuses = at_once([decide(c, t, w) for c, t, w in zip(clients, tokens, whats, strict=True)])
    assert sorted(statuses) == [302, 409, 409, 409]
    with app.app_context():
        extra = db.session.scalar(
            select(func.count(Transfer.id)).where(Transfer.kind == TransferKind.VISIT_EXTRA)
        )
        assert extra in (0, 1)
        assert ledger.balance_of(db.session, people["volunteer"]) == 60 + 40 * extra
