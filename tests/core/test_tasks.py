"""The task queue: which huey the settings choose, the schedule (pushes every minute, closing
orders nobody confirmed every 15 minutes), and that the tasks do their work in an app."""

import importlib
import socket
import sys
from datetime import datetime, timedelta

import pytest
from huey import RedisHuey, SqliteHuey
from huey.storage import MemoryStorage

from community.core import tasks
from community.core.db import utcnow
from community.core.extensions import db
from community.notify import devices, outbox
from community.notify import tasks as notify_tasks
from community.notify.models import Delivery, DeliveryStatus
from community.workorders import states
from community.workorders import tasks as workorder_tasks
from community.workorders.models import WorkOrder
from tests.push_sink import (  # noqa: F401 - fixtures
    Device,
    inline_tasks_fixture,
    push_settings,
    running_sink,
)
from tests.workorder_helpers import RESIDENT, in_state, person


@pytest.fixture
def app(make_app):
    return make_app(**push_settings())


def environment(monkeypatch, **values):
    for name in ["REDIS_URL", "COMMUNITY_HUEY_REDIS_URL", "COMMUNITY_HUEY_IMMEDIATE"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return tasks.settings_from_environment()


def test_by_default_the_queue_is_sqlite_under_instance(monkeypatch):
    settings = environment(monkeypatch)
    huey = tasks.make_huey(settings)
    assert isinstance(huey, SqliteHuey)
    assert huey.storage.filename.endswith("instance/huey.db")
    assert not huey.immediate
    huey.storage.close()


def test_a_sqlite_file_can_be_chosen(monkeypatch, tmp_path):
    settings = environment(monkeypatch, COMMUNITY_HUEY_SQLITE_PATH=str(tmp_path / "q.db"))
    huey = tasks.make_huey(settings)
    assert huey.storage.filename == str(tmp_path / "q.db")
    huey.storage.close()


@pytest.mark.parametrize(
    "variables",
    [
        {"COMMUNITY_HUEY_REDIS_URL": "redis://127.0.0.1:6379/5"},
        {"REDIS_URL": "redis://127.0.0.1:6379/5"},
    ],
)
def test_redis_is_chosen_by_configuration(monkeypatch, variables):
    huey = tasks.make_huey(environment(monkeypatch, **variables))
    assert isinstance(huey, RedisHuey)
    assert huey.storage.conn.connection_pool.connection_kwargs["db"] == 5


def test_immediate_mode_is_chosen_by_configuration(monkeypatch):
    huey = tasks.make_huey(environment(monkeypatch, COMMUNITY_HUEY_IMMEDIATE="true"))
    assert huey.immediate
    assert isinstance(huey.storage, MemoryStorage)


def redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_running(), reason="no Redis on 127.0.0.1:6379")
def test_a_task_goes_through_redis(monkeypatch):
    huey = tasks.make_huey(environment(monkeypatch, REDIS_URL="redis://127.0.0.1:6379/15"))
    huey.name = f"community-test-{id(huey)}"
    huey.storage = huey.create_storage()

    @huey.task()
    def add(a, b):
        return a + b

    try:
        add(2, 3)
        assert huey.pending_count() == 1
        task = huey.dequeue()
        assert huey.execute(task) == 5
    finally:
        huey.flush()


# ---- The schedule ------------------------------------------------------------------------


def registered(task) -> bool:
    return task.task_class in tasks.huey._registry._periodic_tasks


@pytest.mark.parametrize(
    ("minute", "runs"), [(0, True), (15, True), (30, True), (45, True), (7, False), (59, False)]
)
def test_closing_unconfirmed_orders_runs_every_15_minutes(minute, runs):
    assert registered(workorder_tasks.close_unconfirmed_orders)
    moment = datetime(2026, 11, 25, 3, minute)
    assert workorder_tasks.close_unconfirmed_orders.task_class().validate_datetime(moment) is runs


def test_push_delivery_has_a_safety_round_every_minute():
    assert registered(notify_tasks.deliver_pending_every_minute)
    for minute in range(60):
        assert notify_tasks.deliver_pending_every_minute.task_class().validate_datetime(
            datetime(2026, 11, 25, 3, minute)
        )


def test_the_consumer_finds_them_due_at_those_minutes():
    # read_periodic is what the consumer's scheduler asks every minute.
    due = {task.name for task in tasks.huey.read_periodic(datetime(2026, 11, 25, 3, 15))}
    assert {"close_unconfirmed_orders", "deliver_pending_every_minute"} <= due
    due = {task.name for task in tasks.huey.read_periodic(datetime(2026, 11, 25, 3, 16))}
    assert "close_unconfirmed_orders" not in due
    assert "deliver_pending_every_minute" in due


# ---- The tasks at work --------------------------------------------------------------------


def test_the_scheduled_task_closes_an_order_resolved_more_than_7_days_ago(app, demo, inline_tasks):
    with app.app_context():
        old = in_state(states.RESOLVED)
        old.resolved_at = utcnow() - timedelta(days=8)
        recent = in_state(states.RESOLVED)
        db.session.commit()
        old_id, recent_id = old.id, recent.id
    assert workorder_tasks.close_unconfirmed_orders.call_local() == 1
    with app.app_context():
        assert db.session.get(WorkOrder, old_id).status == states.CLOSED
        assert db.session.get(WorkOrder, recent_id).status == states.RESOLVED
        assert db.session.get(WorkOrder, old_id).events[-1].action == "auto_close"
    assert workorder_tasks.close_unconfirmed_orders.call_local() == 0


def test_run_through_huey_the_task_finds_the_app_it_was_given(app, demo, inline_tasks):
    with app.app_context():
        old = in_state(states.RESOLVED)
        old.resolved_at = utcnow() - timedelta(days=8)
        db.session.commit()
        order_id = old.id
    workorder_tasks.close_unconfirmed_orders()  # enqueued, and run at once in immediate mode
    with app.app_context():
        assert db.session.get(WorkOrder, order_id).status == states.CLOSED


def test_a_commit_with_pushes_wakes_the_worker_which_sends_them(app, demo, sink, inline_tasks):
    device = Device(sink, "phone")
    from community.notify import outbox

    with app.app_context():
        devices.subscribe(db.session, person(RESIDENT), device.subscription())
        db.session.commit()
        outbox.queue(db.session, [person(RESIDENT)], "workorder", lambda: ("t", "b"))
        assert sink.count == 0
        db.session.commit()
    assert sink.wait_for(1)
    with app.app_context():
        assert db.session.query(Delivery).one().status == DeliveryStatus.SENT


def test_when_the_queue_is_down_the_commit_still_succeeds(app, demo, sink, monkeypatch):

    def broken():
        raise ConnectionError("queue down")

    monkeypatch.setattr(notify_tasks, "deliver_pending", broken)
    with app.app_context():
        devices.subscribe(db.session, person(RESIDENT), Device(sink, "p").subscription())
        db.session.commit()
        outbox.queue(db.session, [person(RESIDENT)], "workorder", lambda: ("t", "b"))
        db.session.commit()  # logs the failure; the every-minute round will send it
        assert db.session.query(Delivery).one().status == DeliveryStatus.PENDING


def test_a_task_outside_any_app_says_how_to_run_the_worker(monkeypatch):
    monkeypatch.setattr(tasks, "_app", None)
    with pytest.raises(RuntimeError, match=r"community\.worker"):
        tasks.task_app()


def test_the_worker_builds_its_app_and_knows_every_features_tasks(monkeypatch):
    made = []

    def fake_create_app():
        made.append(1)
        return "app"

    monkeypatch.setattr(tasks, "_app", None)
    monkeypatch.setattr("community.create_app", fake_create_app)
    monkeypatch.delitem(sys.modules, "community.worker", raising=False)
    worker = importlib.import_module("community.worker")
    try:
        assert tasks.task_app() == "app"
        assert made == [1]
        known = {name.rsplit(".", 1)[-1] for name in worker.huey._registry._registry}
        assert {"deliver_pending", "close_unconfirmed_orders"} <= known
    finally:
        sys.modules.pop("community.worker", None)
