"""Two people answering one call for help at the same moment, and two presses at once, with
real concurrent requests (a thread and a client each): one answer, one alert. On SQLite and on
PostgreSQL (TEST_DATABASE_URL)."""

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.accounts.passwords import hash_password
from community.core.extensions import db
from community.help.models import HelpAlert, HelpAlertEvent
from tests.conftest import DEMO_LOGINS
from tests.help.helpers import EN, actions, add_person, raise_for
from tests.threads import at_once

PASSWORD = "a help password"


@pytest.fixture
def app(make_app):
    # Many people log in from one address in a second: the login throttle is not under test.
    return make_app(LOGIN_LIMIT_ADDRESS="1000 per minute", LOGIN_LIMIT_ACCOUNT="100 per minute")


def staff_clients(app, count):
    with app.app_context():
        people = [add_person(f"1360000{n:04d}", ["staff"]) for n in range(count)]
        password_hash = hash_password(PASSWORD)
        for person in people:
            person.password_hash = password_hash
        db.session.commit()
        phones = [person.phone for person in people]
    clients = []
    for phone in phones:
        client = app.test_client()
        assert client.login(phone, PASSWORD).status_code == 302
        clients.append(client)
    return clients


def post(client, path, token):
    def call():
        response = client.post(path, data={"csrf_token": token}, csrf=False, headers=EN)
        return response.status_code, response.get_data(as_text=True)

    return call


@pytest.mark.parametrize("count", [2, 8])
def test_people_answering_at_once_record_one_answer(app, demo, count):
    alert_id = raise_for(app)
    clients = staff_clients(app, count)
    tokens = [client.csrf_token() for client in clients]
    path = f"/help/alerts/{alert_id}/acknowledge"
    results = at_once([post(c, path, t) for c, t in zip(clients, tokens, strict=True)])
    statuses = sorted(status for status, _page in results)
    assert statuses == [302] + [409] * (count - 1)
    with app.app_context():
        alert = db.session.get(HelpAlert, alert_id)
        winner = alert.acknowledged_by.name
    for status, page in results:
        if status == 409:
            assert f"{winner} already answered this call" in page
    assert actions(app, alert_id) == ["raised", "acknowledged"]


def test_presses_at_once_make_one_alert(app, demo, login_as):
    # The elder presses on her phone and on her tablet at the same moment.
    clients = [login_as("elderly"), login_as("elderly")]
    tokens = [client.csrf_token() for client in clients]
    with app.app_context():
        elder_id = db.session.scalar(select(User.id).where(User.phone == DEMO_LOGINS["elderly"]))

    def press(client, token):
        def call():
            return client.post("/help/", data={"csrf_token": token}, csrf=False).status_code

        return call

    results = at_once([press(c, t) for c, t in zip(clients, tokens, strict=True)])
    assert results == [302, 302]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HelpAlert)) == 1
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(HelpAlertEvent)
                .where(HelpAlertEvent.action == "raised")
            )
            == 1
        )
        assert db.session.scalar(select(HelpAlert.elder_id)) == elder_id
