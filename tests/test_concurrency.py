"""Two people racing for the same thing at the same moment, with real concurrent requests."""

import threading

from community.extensions import db
from community.models import Unit, User


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
