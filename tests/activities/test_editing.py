"""The office changes an activity after publishing it: a typo in the title, a new place (told to
everyone signed up or waiting, once each), more places (offered at once to those waiting), and
never fewer places than a session has taken (refused, nothing changed); and moves one session
to another time (everyone told the old time and the new, reminded again before it)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import Role, User
from community.activities import attendance, cancelling, editing, joining, rules, schedule
from community.activities import tasks as activity_tasks
from community.activities.models import Activity, ActivitySession, SignUp
from community.capacity import reminders
from community.capacity import rules as capacity
from community.capacity.models import Reservation, Resource
from community.core.db import utcnow
from community.core.errors import Conflict
from community.core.extensions import db
from community.notify.models import Notification
from tests.threads import race


def form(activity, **values):
    data = {
        "title_zh": activity.title_zh,
        "title_en": activity.title_en,
        "description_zh": activity.description_zh,
        "description_en": activity.description_en,
        "category": activity.category,
        "place": str(activity.place_id or 0),
        "address": activity.address,
        "capacity": "" if activity.capacity is None else str(activity.capacity),
    }
    data.update(values)
    return data


def sign(session_id, user_id):
    person = db.session.get(User, user_id)
    status = joining.sign_up(db.session, session_id, person, person).reservation.status
    db.session.commit()
    return status


def titles_for(user_id, start):
    return db.session.scalars(
        select(Notification.title).where(
            Notification.user_id == user_id, Notification.title.startswith(start)
        )
    ).all()


def test_the_office_fixes_the_title_and_sees_the_form_filled_in(
    app, make_activity, operator, client_for
):
    activity_id, _sessions = make_activity(title_zh="书法斑", description_zh="每周二上午。")
    office = client_for(operator)
    page = office.get(f"/operator/activities/{activity_id}/edit").get_data(as_text=True)
    assert 'value="书法斑"' in page
    assert "每周二上午。" in page
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        data = form(activity, title_zh="书法班", title_en="Calligraphy")
    response = office.post(f"/operator/activities/{activity_id}/edit", data=data)
    assert response.status_code == 302
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        assert (activity.title_zh, activity.title_en) == ("书法班", "Calligraphy")
        assert activity.description_zh == "每周二上午。"
    assert "Calligraphy" in office.get(f"/activities/{activity_id}").get_data(as_text=True)


def test_more_places_go_at_once_to_those_waiting(app, make_activity, person, operator):
    _activity_id, sessions = make_activity(capacity=1, weeks=2)
    first, second, third = person(), person(), person()
    with app.app_context():
        assert sign(sessions[0], first) == "confirmed"
        assert sign(sessions[0], second) == "waitlisted"
        assert sign(sessions[0], third) == "waitlisted"
        actor = db.session.get(User, operator)
        activity = db.session.get(Activity, _activity_id)
        details = editing.Details(
            title_zh=activity.title_zh, category=activity.category, place_id=activity.place_id
        )
        details.capacity = 2
        done = editing.change(db.session, actor, activity.id, details)
        db.session.commit()
        assert done.offered == 1
        statuses = db.session.scalars(select(Reservation.status).order_by(Reservation.id)).all()
        assert statuses == ["confirmed", "offered", "waitlisted"]
        assert len(titles_for(second, "A place is free for you")) == 1
        sizes = {
            row.id: db.session.get(Resource, row.resource_id).size
            for row in db.session.scalars(select(ActivitySession))
        }
        assert sizes == {sessions[0]: 2, sessions[1]: 2}
        # No limit at all: everyone left waiting is offered a place.
        details.capacity = None
        assert editing.change(db.session, actor, activity.id, details).offered == 1
        db.session.commit()
        assert db.session.get(Activity, activity.id).capacity is None


def test_never_fewer_places_than_a_session_has_taken(
    app, make_activity, person, operator, client_for
):
    activity_id, sessions = make_activity(capacity=5, weeks=2)
    people = [person() for _ in range(3)]
    with app.app_context():
        for someone in people:
            sign(sessions[1], someone)
        activity = db.session.get(Activity, activity_id)
        data = form(activity, capacity="2", title_zh="改了名字")
    office = client_for(person(roles=(Role.OPERATOR,), locale="zh_CN"))
    response = office.post(f"/operator/activities/{activity_id}/edit", data=data)
    assert response.status_code == 422
    assert "已有更多人报名" in response.get_data(as_text=True)
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        assert (activity.capacity, activity.title_zh) == (5, "书法班")
        sizes = [
            db.session.get(Resource, row.resource_id).size
            for row in db.session.scalars(select(ActivitySession).order_by(ActivitySession.id))
        ]
        assert sizes == [5, 5]
    again = office.post(f"/operator/activities/{activity_id}/edit", data=data | {"capacity": "3"})
    assert again.status_code == 302
    with app.app_context():
        assert db.session.get(Activity, activity_id).capacity == 3


def test_a_new_place_is_told_once_to_everyone_signed_up_or_waiting(
    app, make_activity, person, operator, client_for, make_place
):
    activity_id, sessions = make_activity(capacity=1, weeks=3)
    placed, waiting, elsewhere, called_off = person(), person(), person(), person()
    with app.app_context():
        hall = make_place(name="多功能厅").id
        for session_id in sessions[:2]:
            sign(session_id, placed)
        sign(sessions[0], waiting)
        sign(sessions[2], called_off)
        cancelling.call_off(db.session, db.session.get(User, operator), sessions[2], "Rain.")
        db.session.commit()
        activity = db.session.get(Activity, activity_id)
        data = form(activity, place=str(hall), address="二楼")
    office = client_for(operator)
    response = office.post(f"/operator/activities/{activity_id}/edit", data=data)
    assert response.status_code == 302
    page = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 people were told of the new place." in page
    with app.app_context():
        assert titles_for(placed, "New place") == ["New place: 书法班"]
        assert titles_for(waiting, "New place") == ["New place: 书法班"]
        assert titles_for(elsewhere, "New place") == []
        assert titles_for(called_off, "New place") == []
        (body,) = db.session.scalars(
            select(Notification.body)
            .where(Notification.user_id == placed)
            .where(Notification.title.startswith("New place"))
        ).all()
        assert body == "From now on it meets at 多功能厅 · 二楼."
    # Saving again with the same place tells nobody again.
    office.post(f"/operator/activities/{activity_id}/edit", data=data)
    with app.app_context():
        assert len(titles_for(placed, "New place")) == 1


@pytest.mark.parametrize(
    ("values", "field_error"),
    [
        ({"title_zh": ""}, "This field is required."),
        ({"title_zh": "书" * 81}, "At most 80 characters."),
        ({"category": "casino"}, "Not a valid choice."),
        ({"place": "999999"}, "Choose one from the list."),
        ({"place": "abc"}, "Choose one from the list."),
        ({"place": "0", "address": ""}, "Choose a place, or write an address."),
        ({"capacity": "0"}, "Enter a number from 1 to 10000."),
        ({"capacity": "many"}, "Enter a whole number."),
        ({"description_zh": "字" * 2001}, "At most 2000 characters."),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(
    app, make_activity, operator, client_for, values, field_error
):
    activity_id, _sessions = make_activity()
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        data = form(activity, **values)
        before = (activity.title_zh, activity.place_id, activity.capacity, activity.category)
    response = client_for(operator).post(f"/operator/activities/{activity_id}/edit", data=data)
    assert response.status_code == 422
    assert field_error in response.get_data(as_text=True)
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        assert (activity.title_zh, activity.place_id, activity.capacity, activity.category) == (
            before
        )


def test_only_the_office_edits(app, make_activity, person, client_for):
    activity_id, _sessions = make_activity()
    with app.app_context():
        data = form(db.session.get(Activity, activity_id), title_zh="x")
    url = f"/operator/activities/{activity_id}/edit"
    assert app.test_client().get(url).headers["Location"].startswith("/login")
    for role in (Role.RESIDENT, Role.VOLUNTEER, Role.STAFF):
        client = client_for(person(roles=(role,)))
        assert client.get(url).status_code == 403
        assert client.post(url, data=data).status_code == 403
    office = client_for(person(roles=(Role.OPERATOR,)))
    assert office.get("/operator/activities/999999/edit").status_code == 404
    with app.app_context():
        assert db.session.get(Activity, activity_id).title_zh == "书法班"


def test_fewer_places_racing_sign_ups_never_leave_more_people_than_places(
    app, make_activity, make_user, operator
):
    """The office lowers the places from 10 to 4 while 12 people sign up: whichever lands
    first, no session ends with more people than its places."""
    activity_id, (session_id,) = make_activity(capacity=10)
    with app.app_context():
        ids = [make_user(roles=[Role.RESIDENT]).id for _ in range(12)]
        db.session.commit()
        activity = db.session.get(Activity, activity_id)
        details = editing.Details(
            title_zh=activity.title_zh,
            category=activity.category,
            place_id=activity.place_id,
            capacity=4,
        )

    def attempt(n):
        if n == 0:
            return editing.change(db.session, db.session.get(User, operator), activity_id, details)
        person = db.session.get(User, ids[n - 1])
        return joining.sign_up(db.session, session_id, person, person).reservation.status

    results = race(app, 13, attempt)
    with app.app_context():
        row = db.session.get(ActivitySession, session_id)
        size = db.session.get(Resource, row.resource_id).size
        confirmed = db.session.scalars(
            select(Reservation.status).where(Reservation.status == "confirmed")
        ).all()
        assert len(confirmed) <= size
        if results[0] == "Invalid":  # too many had signed up by the time it ran
            assert size == 10
            assert db.session.get(Activity, activity_id).capacity == 10
        else:
            assert size == 4
            assert db.session.get(Activity, activity_id).capacity == 4


def local(moment):
    return moment.astimezone(rules.community_zone())


def test_the_office_moves_a_session_and_everyone_is_told_and_reminded_again(
    app, make_activity, person, operator, client_for
):
    _activity_id, sessions = make_activity(capacity=1, weeks=2)
    placed, waiting, other_week = person(), person(locale="zh_CN"), person()
    with app.app_context():
        sign(sessions[0], placed)
        sign(sessions[0], waiting)
        sign(sessions[1], other_week)
        row = db.session.get(ActivitySession, sessions[0])
        old_start, length = row.starts_at, row.ends_at - row.starts_at
        new_start = (local(old_start) + timedelta(days=1, hours=2)).astimezone(old_start.tzinfo)
        old_day = local(old_start).date().isoformat()
        new_day, new_clock = local(new_start).date().isoformat(), local(new_start).strftime("%H:%M")
        # The day-before reminder went already; it goes again before the new time.
        activity_tasks.send_reminders(db.session, old_start - timedelta(hours=20))
        db.session.commit()
    office = client_for(operator)
    page = office.get(f"/operator/activities/sessions/{sessions[0]}").get_data(as_text=True)
    assert f'value="{old_day}"' in page
    response = office.post(
        f"/operator/activities/sessions/{sessions[0]}/move",
        data={
            "starts_on": new_day,
            "starts_at": new_clock,
            "note": "The hall is taken that evening.",
        },
    )
    assert response.status_code == 302
    assert "2 sign-ups were told the new time" in office.get(response.headers["Location"]).get_data(
        as_text=True
    )
    with app.app_context():
        row = db.session.get(ActivitySession, sessions[0])
        assert row.starts_at == new_start
        assert row.ends_at == new_start + length
        assert db.session.get(Resource, row.resource_id).starts_at == new_start
        (body,) = db.session.scalars(
            select(Notification.body).where(
                Notification.user_id == placed, Notification.title.startswith("New time")
            )
        ).all()
        assert body.endswith("The hall is taken that evening.")
        assert titles_for(waiting, "时间变更") == ["时间变更：书法班"]
        assert titles_for(other_week, "New time") == []
        reminded = activity_tasks.send_reminders(db.session, new_start - timedelta(hours=20))
        assert reminded == 1  # the one with a place; the waiting list is not reminded


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"starts_on": "", "starts_at": "09:00"}, 422, "Enter a date"),
        ({"starts_on": "2026-02-30", "starts_at": "09:00"}, 422, "Enter a date"),
        ({"starts_on": "TOMORROW", "starts_at": "25:00"}, 422, "Enter a time, such as 09:30."),
        ({"starts_on": "2020-01-01", "starts_at": "09:00"}, 422, "Choose a time in the future."),
        ({"starts_on": "TOMORROW", "starts_at": "09:00", "note": "x" * 201}, 422, "At most 200"),
    ],
)
def test_a_move_to_a_bad_time_is_refused_and_nothing_changes(
    app, make_activity, operator, client_for, data, status, message
):
    _activity_id, (session_id,) = make_activity()
    with app.app_context():
        before = db.session.get(ActivitySession, session_id).starts_at
        tomorrow = (local(utcnow()) + timedelta(days=1)).date().isoformat()
    data = {key: value.replace("TOMORROW", tomorrow) for key, value in data.items()}
    response = client_for(operator).post(
        f"/operator/activities/sessions/{session_id}/move", data=data
    )
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ActivitySession, session_id).starts_at == before


def test_only_the_office_moves_and_not_a_session_called_off_or_begun(
    app, make_activity, person, operator, client_for
):
    _activity_id, sessions = make_activity(weeks=2)
    with app.app_context():
        later = (local(utcnow()) + timedelta(days=9)).date().isoformat()
    data = {"starts_on": later, "starts_at": "10:00"}
    url = f"/operator/activities/sessions/{sessions[0]}/move"
    for role in (Role.RESIDENT, Role.VOLUNTEER, Role.STAFF):
        assert client_for(person(roles=(role,))).post(url, data=data).status_code == 403
    office = client_for(operator)
    assert office.post("/operator/activities/sessions/999999/move", data=data).status_code == 404
    with app.app_context():
        actor = db.session.get(User, operator)
        cancelling.call_off(db.session, actor, sessions[0], "Rain.")
        row = db.session.get(ActivitySession, sessions[1])
        row.starts_at = row.resource.starts_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    called_off = office.post(url, data=data)
    assert called_off.status_code == 409
    assert "This session was called off already." in called_off.get_data(as_text=True)
    begun = office.post(f"/operator/activities/sessions/{sessions[1]}/move", data=data)
    assert begun.status_code == 409


def test_past_figures_keep_the_places_each_session_had(app, make_activity, person, operator):
    activity_id, sessions = make_activity(capacity=4, weeks=2)
    resident = person()
    with app.app_context():
        sign(sessions[0], resident)
        held = db.session.get(ActivitySession, sessions[0])
        held.starts_at = held.resource.starts_at = utcnow() - timedelta(days=1)
        held.ends_at = held.starts_at + timedelta(hours=1)
        db.session.commit()
        activity = db.session.get(Activity, activity_id)
        details = editing.Details(
            title_zh=activity.title_zh,
            category=activity.category,
            place_id=activity.place_id,
            capacity=10,
        )
        editing.change(db.session, db.session.get(User, operator), activity_id, details)
        db.session.commit()
        ((_activity, figures),), _by_category = attendance.figures(db.session)
        # The session held had 4 places, whatever the activity has now.
        assert (figures.sessions, figures.places, figures.signed) == (1, 4, 1)


def test_an_offer_never_outlasts_a_session_moved_earlier(app, make_activity, person, operator):
    _activity_id, (session_id,) = make_activity(capacity=1, starts_in=timedelta(days=5))
    first, waiting = person(), person()
    with app.app_context():
        taken = db.session.get(User, first)
        signup = joining.sign_up(db.session, session_id, taken, taken)
        sign(session_id, waiting)
        joining.cancel(db.session, signup, taken)
        db.session.commit()
        offer = db.session.scalars(select(Reservation).where(Reservation.status == "offered")).one()
        soon = utcnow().replace(microsecond=0) + timedelta(hours=1)
        assert offer.offer_expires_at > soon
        editing.move_session(db.session, db.session.get(User, operator), session_id, soon)
        db.session.commit()
        db.session.refresh(offer)
        assert offer.offer_expires_at == soon
        # Once it has begun, the place can no longer be taken.
        with pytest.raises(Conflict):
            capacity.accept_offer(
                db.session, offer.id, db.session.get(User, waiting), now=soon + timedelta(minutes=1)
            )


def test_a_reminder_listed_before_a_move_waits_for_the_new_time(
    app, make_activity, person, operator
):
    _activity_id, (session_id,) = make_activity(starts_in=timedelta(days=3))
    resident = person()
    with app.app_context():
        sign(session_id, resident)
        row = db.session.get(ActivitySession, session_id)
        day_before = row.starts_at - timedelta(hours=20)
        listed = joining.due_reminders(db.session, day_before)
        assert len(listed) == 1
        # The office moves it a week later while the reminder job holds its list.
        later = row.starts_at + timedelta(days=7)
        editing.move_session(db.session, db.session.get(User, operator), session_id, later)
        db.session.commit()
        sent = reminders.send(
            db.session,
            SignUp,
            lambda _session, _now: listed,
            joining.remind,
            day_before,
            start_of=activity_tasks._start_of,
        )
        assert sent == 0
        assert titles_for(resident, "Tomorrow") == []
        assert activity_tasks.send_reminders(db.session, later - timedelta(hours=20)) == 1


def test_publishing_an_activity_whose_every_session_was_called_off_is_refused(
    app, make_activity, operator
):
    activity_id, (session_id,) = make_activity(publish=False)
    with app.app_context():
        actor = db.session.get(User, operator)
        cancelling.call_off(db.session, actor, session_id, "Rain.")
        db.session.commit()
        with pytest.raises(Conflict):
            schedule.publish(db.session, activity_id, actor)
