"""The door: organisers and the office check people in by typed code, scanned token or name;
twice is harmless; another session's, a cancelled or a forged ticket is refused; nobody else
may check anyone in. After the session the office sees who came."""

from datetime import timedelta

import pytest

from community.accounts.models import Role, User
from community.activities import attendance, joining, schedule, tickets
from community.activities.models import Activity, SignUp
from community.core.db import utcnow
from community.core.extensions import db


def sign(session_id, user_id, companions=0):
    person = db.session.get(User, user_id)
    signup = joining.sign_up(db.session, session_id, person, person, companions)
    db.session.commit()
    return signup.id, signup.short_code, signup.ticket_token


@pytest.fixture
def door(app, make_activity, person, client_for):
    """A session with a named organiser and two residents signed up."""
    activity_id, (session_id, other_session) = make_activity(weeks=2, capacity=5)
    organiser = person(roles=(Role.RESIDENT, Role.VOLUNTEER))
    with app.app_context():
        schedule.name_organiser(
            db.session, db.session.get(Activity, activity_id), db.session.get(User, organiser)
        )
        db.session.commit()
    return {
        "activity": activity_id,
        "session": session_id,
        "other": other_session,
        "organiser": client_for(organiser),
    }


def test_the_organiser_checks_a_person_in_by_typed_code_and_twice_is_harmless(app, door, person):
    resident = person()
    with app.app_context():
        signup_id, code, _token = sign(door["session"], resident, companions=2)
    client = door["organiser"]
    page = client.get(f"/activities/sessions/{door['session']}/door").get_data(as_text=True)
    assert "0</strong> / 3" in page
    assert 'hx-trigger="every 5s"' in page
    typed = f" {code[:3].lower()}-{code[3:].lower()} "
    response = client.post(f"/activities/sessions/{door['session']}/door", data={"code": typed})
    assert response.status_code == 200
    assert "is checked in" in response.get_data(as_text=True)
    again = client.post(f"/activities/sessions/{door['session']}/door", data={"code": code})
    assert again.status_code == 200
    assert "already checked in" in again.get_data(as_text=True)
    count = client.get(
        f"/activities/sessions/{door['session']}/door/count", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "3</strong> / 3" in count
    assert "<html" not in count
    with app.app_context():
        assert db.session.get(SignUp, signup_id).checked_in_at is not None


def test_a_scanned_token_checks_in_and_by_name_too(app, door, person):
    first, second = person(), person()
    with app.app_context():
        _id, _code, token = sign(door["session"], first)
        second_id, _code, _token = sign(door["session"], second)
    client = door["organiser"]
    response = client.post(f"/activities/sessions/{door['session']}/door", data={"code": token})
    assert response.status_code == 200
    assert "is checked in" in response.get_data(as_text=True)
    response = client.post(f"/activities/sessions/{door['session']}/door/{second_id}")
    assert response.status_code == 200
    with app.app_context():
        assert tickets.door_counts(db.session, door["session"]) == (2, 2)


def test_a_ticket_for_another_session_is_refused(app, door, person):
    resident = person()
    with app.app_context():
        _id, _code, token = sign(door["other"], resident)
    response = door["organiser"].post(
        f"/activities/sessions/{door['session']}/door", data={"code": token}
    )
    assert response.status_code == 409
    assert "for another session" in response.get_data(as_text=True)


@pytest.mark.parametrize("code", ["ACDEFG", "not-a-real-token-at-all-0000", "'; DROP TABLE x"])
def test_a_forged_code_is_refused(app, door, code):
    response = door["organiser"].post(
        f"/activities/sessions/{door['session']}/door", data={"code": code}
    )
    assert response.status_code == 422
    assert "No ticket has this code" in response.get_data(as_text=True)


def test_a_cancelled_ticket_cannot_check_in(app, door, person, client_for):
    resident = person()
    with app.app_context():
        signup_id, code, token = sign(door["session"], resident)
    assert client_for(resident).post(f"/activities/signups/{signup_id}/cancel").status_code == 302
    for typed in (code, token):
        response = door["organiser"].post(
            f"/activities/sessions/{door['session']}/door", data={"code": typed}
        )
        assert response.status_code == 409
        assert "cancelled" in response.get_data(as_text=True)
    response = door["organiser"].post(f"/activities/sessions/{door['session']}/door/{signup_id}")
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(SignUp, signup_id).checked_in_at is None


def test_only_organisers_and_the_office_check_people_in(app, door, person, client_for, operator):
    resident = person()
    with app.app_context():
        signup_id, code, _token = sign(door["session"], resident)
    outsiders = [
        client_for(resident),
        client_for(person(roles=(Role.RESIDENT, Role.VOLUNTEER))),
        client_for(person(roles=(Role.STAFF,))),
    ]
    for client in outsiders:
        assert client.get(f"/activities/sessions/{door['session']}/door").status_code == 404
        url = f"/activities/sessions/{door['session']}/door"
        assert client.post(url, data={"code": code}).status_code == 404
        assert client.post(f"{url}/{signup_id}").status_code == 404
        assert client.get(f"{url}/count").status_code == 404
    with app.app_context():
        assert db.session.get(SignUp, signup_id).checked_in_at is None
    office = client_for(operator)
    response = office.post(f"/activities/sessions/{door['session']}/door", data={"code": code})
    assert response.status_code == 200


def test_after_the_session_the_office_sees_fill_rate_and_attendance(
    app, door, person, client_for, operator
):
    people = [person() for _ in range(3)]
    with app.app_context():
        signed = [
            sign(door["session"], p, companions=c)[0]
            for p, c in zip(people, (1, 1, 0), strict=True)
        ]
        for signup_id in signed[:2]:
            tickets.check_in_by_name(
                db.session, db.session.get(User, operator), door["session"], signup_id
            )
        db.session.commit()
        later = utcnow() + timedelta(days=30)
        rows, by_category = attendance.figures(db.session, later)
        ((_activity, numbers),) = rows
        assert (numbers.sessions, numbers.places, numbers.signed, numbers.present) == (2, 10, 5, 4)
        assert numbers.no_shows == 1
        assert numbers.fill_rate == pytest.approx(0.5)
        assert by_category["education"].attendance == pytest.approx(4 / 5)
    page = client_for(operator).get("/operator/activities/figures")
    assert page.status_code == 200


def test_a_paid_sign_up_is_marked_paid_once_at_the_desk(
    app, make_activity, person, client_for, operator
):
    _activity, (session_id,) = make_activity(price_cents=3000)
    resident = person()
    with app.app_context():
        signup_id, _code, _token = sign(session_id, resident, companions=1)
    office = client_for(operator)
    response = office.post(f"/operator/activities/signups/{signup_id}/paid", data={"how": "cash"})
    assert response.status_code == 302
    again = office.post(f"/operator/activities/signups/{signup_id}/paid", data={"how": "cash"})
    assert again.status_code == 409
    with app.app_context():
        signup = db.session.get(SignUp, signup_id)
        assert (signup.paid_cents, signup.paid_how) == (6000, "cash")
    assert (
        client_for(resident)
        .post(f"/operator/activities/signups/{signup_id}/paid", data={"how": "cash"})
        .status_code
        == 403
    )
