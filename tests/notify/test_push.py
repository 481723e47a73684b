"""Web push end to end, offline: a browser-like subscription on a local push service, a work-order
change, the worker, and what the push service got, decrypted and checked; then the rules of
delivery: gone subscriptions, retries with backoff, timeouts, two workers, a killed worker."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from community.core.db import utcnow
from community.core.extensions import db
from community.notify import devices, outbox, push, vapid
from community.notify.models import Delivery, DeliveryStatus, Notification, PushSubscription
from community.workorders.models import WorkOrder
from tests import conftest
from tests.push_sink import (  # noqa: F401 - fixtures
    TEST_VAPID_SUBJECT,
    Device,
    inline_tasks_fixture,
    push_settings,
    recorded_wakes,
    running_sink,
    verify_vapid,
)
from tests.workorder_helpers import RESIDENT, person, report, walk

ROOT = Path(__file__).resolve().parents[2]
LATER = timedelta(hours=7)  # past any backoff and any lease


@pytest.fixture
def app(make_app):
    return make_app(**push_settings())


def subscribe(client, device: Device):
    token = conftest.CSRF_RE.search(client.get("/settings").get_data(as_text=True)).group(1)
    return client.post(
        "/settings/notifications/devices",
        json=device.subscription(),
        headers={"X-CSRFToken": token, "User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/131"},
        csrf=False,
    )


def add_device(app, sink, login: str, name: str) -> Device:
    device = Device(sink, name)
    with app.app_context():
        devices.subscribe(db.session, person(login), device.subscription())
        db.session.commit()
    return device


def deliveries(app) -> list[Delivery]:
    with app.app_context():
        rows = db.session.query(Delivery).order_by(Delivery.id).all()
        db.session.expunge_all()
        return rows


def run_worker(app, now=None):
    with app.app_context():
        return push.deliver_due(db.session, now=now)


def new_order_for_resident(app, urgent: bool = False) -> int:
    with app.app_context():
        order = report(urgency="urgent" if urgent else "normal")
        db.session.commit()
        return order.id


# ---- The round trip -----------------------------------------------------------------------


@pytest.mark.parametrize(("urgent", "urgency"), [(False, "normal"), (True, "high")])
def test_a_work_order_change_reaches_the_phone_encrypted_signed_and_labelled(
    app, demo, login_as, sink, wakes, inline_tasks, urgent, urgency
):
    device = Device(sink, "residents-phone")
    resident = login_as("resident")
    assert subscribe(resident, device).status_code == 201
    order_id = new_order_for_resident(app, urgent)
    operator = login_as("operator")
    with app.app_context():
        version = db.session.get(WorkOrder, order_id).version

    response = operator.post(
        f"/repairs/{order_id}/do/accept",
        data={"version": version, "category": "plumbing", "priority": "urgent" if urgent else ""},
    )
    assert response.status_code == 302
    # Committed with the change, not sent yet: the commit woke a worker.
    assert wakes == [1]
    [queued] = deliveries(app)
    assert queued.status == DeliveryStatus.PENDING
    assert sink.count == 0

    inline_tasks.deliver_pending()  # the worker's task, run here

    [received] = sink.received("residents-phone")
    assert device.decrypt(received) == {
        "title": f"报修 #{order_id}：服务中心已受理",
        "body": "状态：已受理",
        "url": f"/repairs/{order_id}",
        "tag": f"n{queued.notification_id}",
        "icon": "/static/icons/icon-192.png",
        "badge": "/static/icons/icon-192.png",
        "urgent": urgent,
        "id": queued.notification_id,
    }
    assert received.headers["ttl"] == str(app.config["PUSH_TTL"])
    assert received.headers["urgency"] == urgency
    assert received.headers["topic"] == f"wo{order_id}"
    claims, key = verify_vapid(received)
    with app.app_context():
        assert key == vapid.public_key(app)
    assert claims["aud"] == sink.origin
    assert claims["sub"] == TEST_VAPID_SUBJECT
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    [sent] = deliveries(app)
    assert sent.status == DeliveryStatus.SENT
    assert sent.attempts == 1
    assert sent.sent_at is not None


def test_the_payload_is_in_the_recipients_language(app, demo, login_as, sink, wakes):
    device = Device(sink, "en-phone")
    resident = login_as("resident")
    resident.post("/settings/language", data={"locale": "en"})
    subscribe(resident, device)
    order_id = new_order_for_resident(app)
    with app.app_context():
        walk(db.session.get(WorkOrder, order_id), "accept")
        db.session.commit()
    run_worker(app)
    payload = device.decrypt(sink.received("en-phone")[0])
    assert payload["title"] == f"Repair #{order_id}: Accepted by the office"


def test_a_failed_change_leaves_no_notification_and_nothing_to_send(app, demo, sink, wakes):
    add_device(app, sink, RESIDENT, "phone")
    order_id = new_order_for_resident(app)
    with app.app_context():
        order = db.session.get(WorkOrder, order_id)
        walk(order, "accept")
        db.session.rollback()  # the business change did not happen...
        assert db.session.query(Notification).count() == 0  # ...so neither did its notification
        assert db.session.query(Delivery).count() == 0
    assert wakes == []


# ---- What the push service answers ----------------------------------------------------------


def queue_one(app, sink, name: str = "phone", login: str = RESIDENT, **queue_args) -> Device:
    device = add_device(app, sink, login, name)
    with app.app_context():
        outbox.queue(
            db.session, [person(login)], "workorder", lambda: ("标题", "内容"), **queue_args
        )
        db.session.commit()
    return device


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted_and_the_inbox_keeps_the_notification(
    app, demo, sink, wakes, status
):
    queue_one(app, sink)
    sink.script("phone", status)
    assert run_worker(app) == {"gone": 1}
    with app.app_context():
        assert db.session.query(PushSubscription).count() == 0
        assert db.session.query(Delivery).count() == 0
        assert db.session.query(Notification).count() == 1


def test_a_500_is_retried_later_and_then_delivered_exactly_once(app, demo, sink, wakes):
    queue_one(app, sink)
    sink.script("phone", 500)
    before = utcnow()
    assert run_worker(app) == {"retry": 1}
    [waiting] = deliveries(app)
    assert waiting.status == DeliveryStatus.PENDING
    assert waiting.attempts == 1
    assert waiting.last_error == "HTTP 500"
    # 30 seconds at first, with up to half again of jitter.
    assert timedelta(seconds=30) <= waiting.next_attempt_at - before <= timedelta(seconds=46)

    assert run_worker(app) == {}  # not due yet
    assert run_worker(app, now=utcnow() + timedelta(minutes=1)) == {"sent": 1}
    assert run_worker(app, now=utcnow() + LATER) == {}  # a sent delivery is never sent again
    assert [received.status for received in sink.received("phone")] == [500, 201]
    [sent] = deliveries(app)
    assert (sent.status, sent.attempts, sent.last_error) == (DeliveryStatus.SENT, 2, "")


def test_retries_back_off_exponentially(app, demo, sink, wakes):
    queue_one(app, sink)
    now = utcnow()
    waits = []
    for _ in range(3):
        sink.script("phone", 503)
        run_worker(app, now=now)
        [row] = deliveries(app)
        waits.append((row.next_attempt_at - now).total_seconds())
        now = row.next_attempt_at
    assert 30 <= waits[0] < 46
    assert 60 <= waits[1] < 91
    assert 120 <= waits[2] < 181


def test_a_429_waits_at_least_as_long_as_the_push_service_asks(app, demo, sink, wakes):
    queue_one(app, sink)
    sink.script("phone", (429, 0, {"Retry-After": "900"}))
    now = utcnow()
    assert run_worker(app, now=now) == {"retry": 1}
    [row] = deliveries(app)
    assert (row.next_attempt_at - now).total_seconds() >= 900
    assert row.last_error == "HTTP 429"


def test_a_timeout_is_retried(make_app, demo, sink, wakes):
    app = make_app(**push_settings(PUSH_TIMEOUT=0.3))
    queue_one(app, sink)
    sink.script("phone", (201, 2.0))  # answers after the worker gave up
    assert run_worker(app) == {"retry": 1}
    assert deliveries(app)[0].last_error == "timeout"
    assert run_worker(app, now=utcnow() + timedelta(minutes=1)) == {"sent": 1}


def test_an_unreachable_push_service_is_retried(app, demo, sink, wakes):
    device = queue_one(app, sink)
    with app.app_context():
        db.session.execute(
            update(PushSubscription).values(
                endpoint=device.endpoint.replace(sink.origin, "http://127.0.0.1:9")
            )
        )
        db.session.commit()
    assert run_worker(app) == {"retry": 1}
    assert deliveries(app)[0].last_error == "ConnectionError"


def test_after_the_last_attempt_the_delivery_fails_and_the_operator_sees_it(
    make_app, demo, sink, wakes, login_as
):
    app = make_app(**push_settings(PUSH_MAX_ATTEMPTS=3))
    queue_one(app, sink)
    now = utcnow()
    for _ in range(3):
        sink.script("phone", 502)
        run_worker(app, now=now)
        now += LATER
    [row] = deliveries(app)
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.FAILED, 3, "HTTP 502")
    assert run_worker(app, now=now + LATER) == {}

    operator = login_as("operator")
    page = operator.get("/operator/deliveries", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    for shown in ["标题", "HTTP 502", "周小梅"]:
        assert shown in text
    assert login_as("resident").get("/operator/deliveries").status_code == 403

    operator.post("/operator/deliveries/retry")
    assert deliveries(app)[0].status == DeliveryStatus.PENDING
    run_worker(app)
    assert deliveries(app)[0].status == DeliveryStatus.SENT


@pytest.mark.parametrize("status", [400, 403, 413])
def test_a_refusal_that_retrying_cannot_fix_fails_at_once(app, demo, sink, wakes, status):
    queue_one(app, sink)
    sink.script("phone", status)
    assert run_worker(app) == {"failed": 1}
    assert deliveries(app)[0].last_error == f"HTTP {status}"


def test_the_topic_given_is_sent_and_one_is_made_when_none_is(app, demo, sink, wakes):
    queue_one(app, sink, "a", topic="notice7")
    queue_one(app, sink, "b", login="13800000006")
    run_worker(app)
    assert sink.received("a")[0].headers["topic"] == "notice7"
    [b] = [row for row in deliveries(app) if row.topic == ""]
    assert sink.received("b")[0].headers["topic"] == f"n{b.notification_id}"


def test_push_headers_follow_the_rules_for_topics():
    with pytest.raises(ValueError, match="topic"):
        push.send({}, "", tokens=None, services=None, ttl=1, urgency="normal", topic="has space")


# ---- Workers racing, and a worker killed ----------------------------------------------------


def many_deliveries(app, sink, count: int) -> None:
    """count deliveries: one notification to the resident, who has count devices."""
    with app.app_context():
        resident = person(RESIDENT)
        for n in range(count):
            devices.subscribe(db.session, resident, Device(sink, f"d{n}").subscription())
        db.session.commit()
        outbox.queue(db.session, [resident], "workorder", lambda: ("t", "b"))
        db.session.commit()


def test_two_workers_at_once_send_every_delivery_exactly_once(
    make_app, demo, sink, wakes, monkeypatch
):
    app = make_app(**push_settings(PUSH_BATCH_SIZE=3, PUSH_CONCURRENCY=2))
    monkeypatch.setattr(devices, "MAX_DEVICES", 100)
    many_deliveries(app, sink, 40)
    for n in range(40):
        sink.script(f"d{n}", (201, 0.03))
    barrier = threading.Barrier(2)
    totals, errors = [], []

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                totals.append(push.deliver_due(db.session))
        except Exception as error:  # pragma: no cover - shown in the assertion
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(total["sent"] for total in totals) == 40
    assert all(total["sent"] > 0 for total in totals), totals  # both did some of the work
    names = sorted(received.name for received in sink.received())
    assert names == sorted(f"d{n}" for n in range(40))
    assert {row.status for row in deliveries(app)} == {DeliveryStatus.SENT}


WORKER_SCRIPT = """
import json, os
from community import create_app
from community.notify import push
from community.core.extensions import db
app = create_app(json.loads(os.environ["WORKER_SETTINGS"]))
with app.app_context():
    push.deliver_due(db.session)
"""


def test_a_worker_killed_mid_batch_loses_nothing_and_resends_only_its_unfinished_batch(
    make_app, database_url, demo, sink, wakes, monkeypatch
):
    settings = push_settings(PUSH_BATCH_SIZE=5, PUSH_CONCURRENCY=1, PUSH_LEASE=60)
    app = make_app(**settings)
    monkeypatch.setattr(devices, "MAX_DEVICES", 100)
    many_deliveries(app, sink, 12)
    sink.script("d6", (201, 30))  # the second batch hangs on its second push
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT],
        cwd=ROOT,
        env={
            **os.environ,
            "WORKER_SETTINGS": json.dumps({**conftest.test_settings(database_url), **settings}),
        },
    )
    try:
        assert sink.wait_for(7, timeout=20)  # d0..d4 done, d5 done, d6 in flight
        time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    rows = deliveries(app)
    sent_before = {row.id for row in rows if row.status == DeliveryStatus.SENT}
    assert len(sent_before) == 5  # the first batch was written down
    received_before = len(sink.received())

    # Restarted at once: the killed worker's claim still holds, so only the unclaimed rows go.
    assert run_worker(app) == {"sent": 2}
    # Once the claim has run out, its batch is sent again: at least once, never lost.
    assert run_worker(app, now=utcnow() + timedelta(seconds=61)) == {"sent": 5}
    rows = deliveries(app)
    assert {row.status for row in rows} == {DeliveryStatus.SENT}
    counts = {}
    for received in sink.received():
        counts[received.name] = counts.get(received.name, 0) + 1
    assert set(counts) == {f"d{n}" for n in range(12)}
    assert all(counts[f"d{n}"] == 1 for n in range(5))  # what succeeded was not sent again
    assert all(1 <= counts[name] <= 2 for name in counts)
    assert len(sink.received()) - received_before == 7


@pytest.mark.parametrize(("count", "woken"), [(7, 1), (3, 1), (2, 0)])
def test_a_full_first_batch_wakes_another_worker_to_share_the_work(
    make_app, demo, sink, wakes, monkeypatch, count, woken
):
    app = make_app(**push_settings(PUSH_BATCH_SIZE=3))
    many_deliveries(app, sink, count)
    calls = []
    with app.app_context():
        totals = push.deliver_due(db.session, on_more=lambda: calls.append(1))
    assert totals == {"sent": count}
    assert len(calls) == woken
