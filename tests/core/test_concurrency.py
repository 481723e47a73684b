"""Two people racing for the same thing at the same moment, with real concurrent requests."""

import threading

from community.accounts.models import User
from community.core.extensions import db
from community.directory.models import Unit


def test_two_sign_ups_with_one_phone_at_once_make_one_account(app, demo):
    with app.app_context():
        unit_id = db.session.query(Unit.id).first()[0]
    clients = [app.test_client() for _ in range(4)]
    tokens = [client.csrf_token() for client in clients]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def sign_up(client, token):
        barrier.wait()
        response = client.post(
            "/signup",
            data={
                "csrf_token": token,
                "name": "同时注册",
                "login": "13955556666",
                "unit": str(unit_id),
                "password": "a good password",
                "confirm": "a good password",
            },
        )
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=sign_up, args=pair) for pair in zip(clients, tokens, strict=False)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 422, 422, 422]
    with app.app_context():
        assert db.session.query(User).filter_by(phone="13955556666").count() == 1


def test_two_people_acting_on_one_order_at_once_one_wins_and_the_timeline_stays_whole(
    app, demo, login_as
):
    from community.workorders.models import WorkOrder, WorkOrderEvent
    from tests.workorder_helpers import report

    desk, phone = login_as("operator"), login_as("admin")
    desk_token, phone_token = desk.csrf_token(), phone.csrf_token()
    for round_number in range(5):
        with app.app_context():
            order = report(description=f"第{round_number}次")
            db.session.commit()
            order_id, version = order.id, order.version
        barrier = threading.Barrier(2)
        statuses = {}

        def act(
            name,
            client,
            token,
            data,
            barrier=barrier,
            order_id=order_id,
            version=version,
            statuses=statuses,
        ):
            barrier.wait()
            response = client.post(
                f"/repairs/{order_id}/do/{data.pop('action')}",
                data={"csrf_token": token, "version": version, **data},
            )
            statuses[name] = response.status_code

        threads = [
            threading.Thread(
                target=act,
                args=(
                    "accept",
                    desk,
                    desk_token,
                    {"action": "accept", "category": "plumbing", "priority": "high"},
                ),
            ),
            threading.Thread(
                target=act,
                args=("reject", phone, phone_token, {"action": "reject", "note": "不归物业管"}),
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses.values()) == [302, 409]
        winner = next(name for name, status in statuses.items() if status == 302)
        with app.app_context():
            order = db.session.get(WorkOrder, order_id)
            actions = [
                e.action
                for e in db.session.query(WorkOrderEvent)
                .filter_by(order_id=order_id)
                .order_by(WorkOrderEvent.id)
            ]
            assert actions == ["report", winner]
            assert order.version == version + 1
            assert order.status == {"accept": "accepted", "reject": "rejected"}[winner]
