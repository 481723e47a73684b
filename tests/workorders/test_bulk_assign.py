"""Issue 8, item 11: bulk assignment carries the version each row was shown with and goes
through the same transition as the order page; an order being worked on is never taken off its
assignee in bulk."""

import threading

from sqlalchemy import select

from community.core.extensions import db
from community.workorders import states
from community.workorders.models import WorkOrder, WorkOrderEvent
from tests.conftest import user_id
from tests.workorder_helpers import report, second_staff, walk

EN = {"Accept-Language": "en"}


def make_order(app, *steps: str) -> tuple[int, int]:
    with app.app_context():
        order = walk(report(), *steps)
        db.session.commit()
        return order.id, order.version


def assign_events(app, order_id: int) -> int:
    with app.app_context():
        return len(
            db.session.scalars(
                select(WorkOrderEvent).where(
                    WorkOrderEvent.order_id == order_id, WorkOrderEvent.action == "assign"
                )
            ).all()
        )


def test_each_row_carries_the_version_it_was_shown_with(app, login_as):
    order_id, version = make_order(app, "accept")
    page = login_as("operator").get("/operator/orders").get_data(as_text=True)
    assert f'name="order" value="{order_id}:{version}"' in page


def test_twenty_bulk_assigns_of_one_order_at_once_write_one_assigned_event(app, demo):
    order_id, version = make_order(app, "accept")
    with app.app_context():
        other = second_staff()
        db.session.commit()
        people = [user_id(app, demo["staff"]), other.id]
    clients = []
    for number in range(20):
        client = app.test_client()
        assert client.login(demo["operator" if number % 2 else "admin"]).status_code == 302
        clients.append((client, client.csrf_token(), people[number % 2]))
    barrier = threading.Barrier(len(clients))
    statuses = []

    def bulk_assign(client, token, assignee):
        barrier.wait()
        response = client.post(
            "/operator/orders/assign",
            data={"csrf_token": token, "order": f"{order_id}:{version}", "assignee_id": assignee},
            csrf=False,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=bulk_assign, args=args) for args in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * 20
    assert assign_events(app, order_id) == 1
    with app.app_context():
        order = db.session.get(WorkOrder, order_id)
        assert order.status == states.ASSIGNED
        assert order.version == version + 1


def test_a_row_changed_since_it_was_shown_is_skipped_with_a_reason(app, login_as, demo):
    order_id, shown_version = make_order(app, "accept")
    with app.app_context():
        order = db.session.get(WorkOrder, order_id)
        walk(order, "assign")  # someone else assigned it meanwhile
        db.session.commit()
    operator = login_as("operator")
    response = operator.post(
        "/operator/orders/assign",
        data={"order": f"{order_id}:{shown_version}", "assignee_id": user_id(app, demo["staff"])},
        headers=EN,
    )
    page = operator.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert f"#{order_id} was changed by someone else a moment ago." in page
    assert assign_events(app, order_id) == 1


def test_an_order_in_progress_is_not_sent_back_by_a_bulk_assign(app, login_as, demo):
    order_id, version = make_order(app, "accept", "assign", "start")
    with app.app_context():
        other = second_staff().id
        db.session.commit()
    operator = login_as("operator")
    response = operator.post(
        "/operator/orders/assign",
        data={"order": f"{order_id}:{version}", "assignee_id": other},
        headers=EN,
    )
    assert response.status_code == 302
    page = operator.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert f"#{order_id} is being worked on: reassign it on its own page." in page
    with app.app_context():
        order = db.session.get(WorkOrder, order_id)
        assert order.status == states.IN_PROGRESS
        assert order.assignee_id == user_id(app, demo["staff"])
        assert order.version == version
