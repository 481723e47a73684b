"""Many residents booking at the same moment, with real concurrent requests through the app (a
thread and a test client each, so a connection each): places are never sold twice, on SQLite
and on PostgreSQL."""

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.bookings import rules
from community.bookings.models import Booking, Slot
from community.capacity.models import Reservation
from community.core.extensions import db
from tests.bookings.test_booking import at, make_service
from tests.threads import at_once, logged_in_clients

PASSWORD = "a booking password"


@pytest.fixture
def app(make_app):
    # Forty people log in from one address in a second, one of them from six tabs: the login
    # throttle is not under test. (Not RATELIMIT_ENABLED=False: the limiter is shared, and
    # that setting would stick to it for the apps of later tests.)
    return make_app(LOGIN_LIMIT_ADDRESS="1000 per minute", LOGIN_LIMIT_ACCOUNT="100 per minute")


@pytest.fixture
def residents(app, make_user):
    """Make count residents who can log in; returns their logged-in clients and ids."""

    def make(count):
        return logged_in_clients(app, make_user, "resident", count, PASSWORD)

    return make


def post_booking(client, token, service_id, starts_at, person_id):
    def call():
        return client.post(
            f"/services/{service_id}/book",
            data={
                "csrf_token": token,
                "slot": starts_at.isoformat(),
                "person": str(person_id),
                "party_size": "1",
            },
            csrf=False,
        ).status_code

    return call


def test_forty_residents_for_five_places_leave_five_confirmed_and_the_rest_in_line(app, residents):
    clients, ids = residents(40)
    with app.app_context():
        service_id = make_service(per_slot=5).id
        db.session.commit()
    starts_at = at(2, 10)
    tokens = [client.csrf_token() for client in clients]
    calls = [
        post_booking(client, token, service_id, starts_at, person_id)
        for client, token, person_id in zip(clients, tokens, ids, strict=True)
    ]
    assert at_once(calls) == [302] * 40
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Slot)) == 1
        rows = (
            db.session.execute(select(Reservation.status).join(Booking).order_by(Reservation.id))
            .scalars()
            .all()
        )
        assert len(rows) == 40
        assert rows.count("confirmed") == 5
        # Whoever got the lock first got a place: the first five in arrival order.
        assert rows[:5] == ["confirmed"] * 5
        assert rows[5:] == ["waitlisted"] * 35
        # The slot's resource was made once; the losers' spares were removed.
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 40


def test_one_person_booking_twice_at_once_gets_one_booking(app, residents):
    _clients, ids = residents(1)
    with app.app_context():
        service_id = make_service(per_slot=5).id
        db.session.commit()
    starts_at = at(2, 11)
    same = [app.test_client() for _ in range(6)]
    # Six tabs of one person (one login each).
    with app.app_context():
        phone = db.session.get(User, ids[0]).phone
    for client in same:
        assert client.login(phone, PASSWORD).status_code == 302
    tokens = [client.csrf_token() for client in same]
    results = at_once(
        [
            post_booking(client, token, service_id, starts_at, ids[0])
            for client, token in zip(same, tokens, strict=True)
        ]
    )
    assert sorted(results) == [302] + [409] * 5
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_ten_reschedules_of_one_booking_at_once_leave_exactly_one_active(app, residents):
    _clients, (person_id,) = residents(1)
    with app.app_context():
        service = make_service(per_slot=1)
        me = db.session.get(User, person_id)
        booking_id = rules.book(db.session, service.id, at(2, 8), me, me).id
        db.session.commit()
        phone = me.phone
    tabs = [app.test_client() for _ in range(10)]
    for tab in tabs:
        assert tab.login(phone, PASSWORD).status_code == 302
    tokens = [tab.csrf_token() for tab in tabs]
    # Each tab moves the booking to a different hour.
    targets = [at(2, 9 + n % 9) if n < 9 else at(3, 9) for n in range(10)]

    def move(tab, token, target):
        return lambda: (
            tab.post(
                f"/bookings/{booking_id}/move",
                data={"csrf_token": token, "slot": target.isoformat()},
                csrf=False,
            ).status_code
        )

    results = at_once([move(*args) for args in zip(tabs, tokens, targets, strict=True)])
    assert results.count(302) == 1
    assert set(results) <= {302, 409}
    with app.app_context():
        active = db.session.scalar(
            select(func.count()).where(
                Reservation.person_id == person_id, Reservation.status == "confirmed"
            )
        )
        assert active == 1
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 2
