"""Sign-up storms: 300 people at once for 40 places, parties with companions among them, never
oversell and leave the rest in line in arrival order; one person's six taps make one sign-up.
Real threads, each with its own connection, on SQLite and PostgreSQL."""

from sqlalchemy import select

from community.accounts.models import Role, User
from community.activities import joining
from community.activities.models import SignUp
from community.capacity.models import Reservation
from community.core.extensions import db
from tests.threads import at_once, logged_in_clients, race


def sign(session_id, user_id, companions):
    person = db.session.get(User, user_id)
    return joining.sign_up(db.session, session_id, person, person, companions).reservation.status


def test_three_hundred_sign_ups_at_once_for_forty_places_never_oversell(
    app, make_activity, make_user
):
    _activity, (session_id,) = make_activity(capacity=40)
    with app.app_context():
        ids = [make_user(roles=[Role.RESIDENT]).id for _ in range(300)]
        db.session.commit()
    # Every fifth comes with two companions: a party of three.
    results = race(app, 300, lambda n: sign(session_id, ids[n], 2 if n % 5 == 0 else 0))
    assert set(results) <= {"confirmed", "waitlisted"}, set(results)
    with app.app_context():
        rows = db.session.execute(
            select(Reservation.status, Reservation.party_size)
            .join(SignUp, SignUp.reservation_id == Reservation.id)
            .order_by(Reservation.id)
        ).all()
        assert len(rows) == 300
        confirmed = sum(size for status, size in rows if status == "confirmed")
        assert confirmed <= 40
        # Places are taken in arrival order until the first party that does not fit; after
        # that everyone waits (nobody jumps the line).
        first_waiting = next(n for n, (status, _size) in enumerate(rows) if status != "confirmed")
        assert {status for status, _size in rows[first_waiting:]} == {"waitlisted"}
        assert confirmed + rows[first_waiting][1] > 40
        codes = db.session.execute(select(SignUp.short_code)).scalars().all()
        assert len(set(codes)) == 300


def test_one_person_tapping_six_times_at_once_signs_up_once(app, make_activity, make_user):
    _activity, (session_id,) = make_activity(capacity=40)
    with app.app_context():
        user_id = make_user(roles=[Role.RESIDENT]).id
        db.session.commit()
    results = race(app, 6, lambda n: sign(session_id, user_id, 0))
    assert sorted(results) == ["Conflict"] * 5 + ["confirmed"]


def test_forty_residents_through_the_app_for_five_places(app, make_activity, make_user):
    """The same through real requests: a client and a thread each."""
    _activity, (session_id,) = make_activity(capacity=5)
    logged_in, ids = logged_in_clients(app, make_user, Role.RESIDENT, 40, "a storm password")
    clients = [(client, client.csrf_token()) for client in logged_in]

    def join(n):
        client, token = clients[n]
        return lambda: (
            client.post(
                f"/activities/sessions/{session_id}/join",
                data={"csrf_token": token, "person": str(ids[n]), "companions": "0"},
                csrf=False,
            ).status_code
        )

    codes = at_once([join(n) for n in range(40)])
    assert codes == [302] * 40
    with app.app_context():
        statuses = db.session.scalars(select(Reservation.status).order_by(Reservation.id)).all()
        assert statuses.count("confirmed") == 5
        assert statuses.count("waitlisted") == 35
