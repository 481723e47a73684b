"""The office calls a session off (rain, the teacher is ill), saying why: every place, offer and
place in line is cancelled, nobody is offered a place, everyone who signed up, and whoever
signed them up, is told why in their language; nobody can sign up again, not even one who was
racing the office; a fee taken at the desk is marked to give back."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.accounts.models import Relation, Role, User
from community.activities import attendance, cancelling, joining, tickets
from community.activities import tasks as activity_tasks
from community.activities.models import ActivitySession, SignUp
from community.capacity.models import Reservation, ReservationEvent, Resource
from community.core.db import utcnow
from community.core.extensions import db
from community.notify.models import Notification
from tests.threads import race


def sign(session_id, user_id, booked_by=None):
    person = db.session.get(User, user_id)
    by = db.session.get(User, booked_by) if booked_by else person
    signup = joining.sign_up(db.session, session_id, person, by)
    db.session.commit()
    return signup.id


def called_off_notes(user_id):
    return db.session.scalars(
        select(Notification.body)
        .where(Notification.user_id == user_id, Notification.title.startswith("Called off"))
        .order_by(Notification.id)
    ).all()


def test_calling_off_cancels_every_place_and_tells_everyone_why(
    app, make_activity, person, operator, client_for
):
    activity_id, (session_id,) = make_activity(capacity=2)
    first, daughter, elder, waiting = person(), person(), person(), person(locale="zh_CN")
    with app.app_context():
        low, high = sorted([daughter, elder])
        db.session.add(Relation(person_id=low, relative_id=high))
        db.session.commit()
        sign(session_id, first)
        sign(session_id, elder, booked_by=daughter)
        sign(session_id, waiting)
    office = client_for(operator)
    roster = office.get(f"/operator/activities/sessions/{session_id}").get_data(as_text=True)
    assert "Call it off and tell everyone" in roster
    response = office.post(
        f"/operator/activities/sessions/{session_id}/call-off",
        data={"reason": "Heavy rain: the hall is flooded."},
    )
    assert response.status_code == 302
    roster = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 sign-ups were cancelled and told why" in roster
    assert "Heavy rain: the hall is flooded." in roster
    assert "Call it off and tell everyone" not in roster
    with app.app_context():
        row = db.session.get(ActivitySession, session_id)
        assert row.cancelled_at is not None
        assert row.cancel_reason == "Heavy rain: the hall is flooded."
        assert row.cancelled_by_id == operator
        assert db.session.get(Resource, row.resource_id).closed_at is not None
        statuses = db.session.scalars(select(Reservation.status)).all()
        assert statuses == ["cancelled"] * 3  # the one waiting was not offered a place
        notes = db.session.scalars(
            select(ReservationEvent.note).where(ReservationEvent.action == "close")
        ).all()
        assert notes == ["Heavy rain: the hall is flooded."] * 3
        for told in (first, daughter, elder):
            (body,) = called_off_notes(told)
            assert body.endswith("is called off: Heavy rain: the hall is flooded.")
        (chinese,) = db.session.scalars(
            select(Notification.title).where(
                Notification.user_id == waiting, Notification.title.startswith("已取消")
            )
        ).all()
        assert chinese == "已取消：书法班"
        assert called_off_notes(operator) == []

    # Nobody can take a place at it again; each page says it was called off, and why.
    resident = client_for(waiting)
    again = resident.post(
        f"/activities/sessions/{session_id}/join", data={"person": str(waiting), "companions": "0"}
    )
    assert again.status_code == 409
    assert "这场活动已取消：Heavy rain: the hall is flooded." in again.get_data(as_text=True)
    detail = client_for(first).get(f"/activities/{activity_id}").get_data(as_text=True)
    assert "Called off" in detail
    assert f"/activities/sessions/{session_id}/join" not in detail
    mine = client_for(first).get("/activities/mine").get_data(as_text=True)
    assert "Called off" in mine
    listing = client_for(first).get("/activities/").get_data(as_text=True)
    assert "Called off" in listing


def test_later_sessions_go_too_only_when_ticked(app, make_activity, person, operator):
    _activity, sessions = make_activity(weeks=4)
    resident = person()
    with app.app_context():
        for session_id in sessions:
            sign(session_id, resident)
        actor = db.session.get(User, operator)
        one = cancelling.call_off(db.session, actor, sessions[1], "The teacher is ill.")
        db.session.commit()
        assert (one.sessions, one.signups) == (1, 1)
        rest = cancelling.call_off(db.session, actor, sessions[2], "Moved away.", later_too=True)
        db.session.commit()
        assert (rest.sessions, rest.signups) == (2, 2)
        cancelled = {
            row.id: row.cancel_reason
            for row in db.session.scalars(select(ActivitySession))
            if row.cancelled_at is not None
        }
        assert cancelled == {
            sessions[1]: "The teacher is ill.",
            sessions[2]: "Moved away.",
            sessions[3]: "Moved away.",
        }
        # The first session stands, with its place.
        first = db.session.scalar(select(SignUp).where(SignUp.session_id == sessions[0]))
        assert first.reservation.status == "confirmed"
        # One message for the one week, one for the rest of the series together.
        one_week, the_rest = called_off_notes(resident)
        assert one_week.endswith("is called off: The teacher is ill.")
        assert "2 sessions from " in the_rest
        assert the_rest.endswith("on are called off: Moved away.")
        link = db.session.scalars(
            select(Notification.link).where(Notification.body == the_rest)
        ).one()
        assert link == "/activities/mine"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": ""}, "此项必填。"),
        ({"reason": "   "}, "此项必填。"),
        ({"reason": "雨" * 201}, "最多 200 个字符。"),
    ],
)
def test_a_reason_is_needed_and_nothing_is_saved_without_one(
    app, make_activity, person, client_for, data, message
):
    _activity, (session_id,) = make_activity()
    resident = person()
    with app.app_context():
        sign(session_id, resident)
    office = client_for(person(roles=(Role.OPERATOR,), locale="zh_CN"))
    response = office.post(f"/operator/activities/sessions/{session_id}/call-off", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ActivitySession, session_id).cancelled_at is None
        assert db.session.scalars(select(Reservation.status)).all() == ["confirmed"]
        assert called_off_notes(resident) == []


def test_only_the_office_calls_off_and_only_before_it_begins(
    app, make_activity, person, operator, client_for
):
    _activity, (session_id,) = make_activity()
    url = f"/operator/activities/sessions/{session_id}/call-off"
    for role in (Role.RESIDENT, Role.VOLUNTEER, Role.STAFF):
        assert client_for(person(roles=(role,))).post(url, data={"reason": "x"}).status_code == 403
    stranger = app.test_client().post(url, data={"reason": "x"})
    assert stranger.status_code == 302
    assert stranger.headers["Location"].startswith("/login")
    office = client_for(operator)
    assert office.post(url, data={"reason": "x"}, csrf=False).status_code == 400
    missing = "/operator/activities/sessions/999999/call-off"
    assert office.post(missing, data={"reason": "x"}).status_code == 404
    assert office.post(url, data={"reason": "Rain."}).status_code == 302
    twice = office.post(url, data={"reason": "Rain again."})
    assert twice.status_code == 409
    assert "This session was called off already." in twice.get_data(as_text=True)
    # Even with nothing typed, the page says why (the form is gone from it).
    empty = office.post(url, data={"reason": ""})
    assert empty.status_code == 409
    assert "This session was called off already." in empty.get_data(as_text=True)
    moved = office.post(
        f"/operator/activities/sessions/{session_id}/move", data={"starts_on": "", "starts_at": ""}
    )
    assert moved.status_code == 409
    assert "This session was called off already." in moved.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ActivitySession, session_id).cancel_reason == "Rain."

    _activity, (begun_id,) = make_activity(title_zh="晨练")
    with app.app_context():
        row = db.session.get(ActivitySession, begun_id)
        row.starts_at = row.resource.starts_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    begun = office.post(
        f"/operator/activities/sessions/{begun_id}/call-off", data={"reason": "Rain."}
    )
    assert begun.status_code == 409
    with app.app_context():
        assert db.session.get(ActivitySession, begun_id).cancelled_at is None


def test_a_fee_taken_is_marked_to_give_back(app, make_activity, person, operator, client_for):
    _activity, (session_id,) = make_activity(price_cents=3000)
    resident = person()
    with app.app_context():
        signup_id = sign(session_id, resident)
        tickets.mark_paid(db.session, db.session.get(User, operator), signup_id, "cash")
        db.session.commit()
    office = client_for(operator)
    office.post(
        f"/operator/activities/sessions/{session_id}/call-off", data={"reason": "Coach broke."}
    )
    roster = office.get(f"/operator/activities/sessions/{session_id}").get_data(as_text=True)
    assert "to give back" in roster
    with app.app_context():
        (body,) = called_off_notes(resident)
        assert body.endswith("The desk will give back what you paid.")
    page = client_for(resident).get(f"/activities/signups/{signup_id}").get_data(as_text=True)
    assert "This session was called off: Coach broke." in page
    assert "The desk will give back what you paid." in page


def test_a_called_off_session_sends_no_reminders_and_leaves_the_figures(
    app, make_activity, person, operator
):
    _activity, (session_id,) = make_activity(starts_in=timedelta(days=3))
    resident = person()
    with app.app_context():
        sign(session_id, resident)
        cancelling.call_off(db.session, db.session.get(User, operator), session_id, "Rain.")
        db.session.commit()
        row = db.session.get(ActivitySession, session_id)
        assert activity_tasks.send_reminders(db.session, row.starts_at - timedelta(hours=20)) == 0
        rows, _by_category = attendance.figures(db.session, now=row.ends_at + timedelta(days=1))
        assert rows == []


def test_sign_ups_racing_the_office_are_all_cancelled_and_told(
    app, make_activity, make_user, operator
):
    """Twenty people sign up while the office calls the session off, all at once: those who
    landed first lose their place and are told; the rest are refused. None is left holding a
    place at a session that will not happen."""
    _activity, (session_id,) = make_activity(capacity=5)
    with app.app_context():
        ids = [make_user(roles=[Role.RESIDENT]).id for _ in range(20)]
        db.session.commit()

    def attempt(n):
        if n == 0:
            actor = db.session.get(User, operator)
            return cancelling.call_off(db.session, actor, session_id, "Rain.").signups
        person = db.session.get(User, ids[n - 1])
        return joining.sign_up(db.session, session_id, person, person).reservation.status

    results = race(app, 21, attempt)
    called_off, signed = results[0], results[1:]
    assert isinstance(called_off, int)
    assert set(signed) <= {"confirmed", "waitlisted", "Conflict"}
    with app.app_context():
        statuses = db.session.scalars(select(Reservation.status)).all()
        assert set(statuses) <= {"cancelled"}
        assert len(statuses) == called_off == sum(result != "Conflict" for result in signed)
        told = db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.body.endswith("Rain."))
        )
        assert told == called_off


def test_no_fee_is_recorded_on_a_sign_up_the_office_called_off(
    app, make_activity, person, operator, client_for
):
    _activity, (session_id,) = make_activity(price_cents=3000)
    resident = person()
    with app.app_context():
        signup_id = sign(session_id, resident)
        actor = db.session.get(User, operator)
        cancelling.call_off(db.session, actor, session_id, "Coach broke.")
        db.session.commit()
    response = client_for(operator).post(
        f"/operator/activities/signups/{signup_id}/paid", data={"how": "cash"}
    )
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(SignUp, signup_id).paid_at is None
