"""Residents find activities, sign up alone or with companions, wait their turn, take or pass
on a held place, cancel, and carry a ticket; the operator publishes a weekly series once."""

import itertools
from datetime import timedelta

from sqlalchemy import func, select

from community.accounts.models import Relation, User
from community.activities import joining, rules, schedule
from community.activities import tasks as activity_tasks
from community.activities.models import ActivitySession, SignUp
from community.capacity import rules as capacity
from community.capacity.models import Reservation, Resource
from community.core.db import utcnow
from community.core.errors import Full
from community.core.extensions import db
from community.notify.models import Notification
from tests.querycount import queries_for


def sign(session_id, user_id, companions=0, booked_by=None, now=None):
    person = db.session.get(User, user_id)
    by = db.session.get(User, booked_by) if booked_by else person
    signup = joining.sign_up(db.session, session_id, person, by, companions, now=now)
    db.session.commit()
    return signup


def status_of(signup_id):
    signup = db.session.get(SignUp, signup_id)
    db.session.refresh(signup.reservation)
    return signup.reservation.status


def test_a_weekly_series_is_a_session_a_week_each_with_its_own_places(app, make_activity):
    _activity, sessions = make_activity(weeks=8, capacity=12)
    with app.app_context():
        rows = [db.session.get(ActivitySession, session_id) for session_id in sessions]
        assert len(rows) == 8
        zone = rules.community_zone()
        local = [row.starts_at.astimezone(zone) for row in rows]
        assert {moment.time() for moment in local} == {local[0].time()}
        assert {b - a for a, b in itertools.pairwise(local)} == {timedelta(weeks=1)}
        resources = {row.resource_id for row in rows}
        assert len(resources) == 8
        kinds = db.session.scalars(select(Resource.kind).where(Resource.id.in_(resources)))
        assert set(kinds) == {"activity"}


def test_a_party_of_three_never_takes_the_last_two_places(app, make_activity, person):
    _activity, (session_id,) = make_activity(capacity=4)
    first, family, single = person(), person(), person()
    with app.app_context():
        assert sign(session_id, first, companions=1).reservation.status == "confirmed"
        three = sign(session_id, family, companions=2)
        assert three.reservation.status == "waitlisted"
        # Nobody jumps the line either: one person waits behind the family.
        assert sign(session_id, single).reservation.status == "waitlisted"
        row = db.session.get(ActivitySession, session_id)
        assert schedule.places_of(db.session, [row], utcnow())[row.id].taken == 2


def test_at_most_three_companions(app, make_activity, person, client_for):
    _activity, (session_id,) = make_activity()
    resident = person()
    client = client_for(resident)
    response = client.post(
        f"/activities/sessions/{session_id}/join",
        data={"person": str(resident), "companions": "4"},
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignUp)) == 0


def test_an_activity_without_a_limit_records_everyone(app, make_activity, person):
    _activity, (session_id,) = make_activity(capacity=None)
    people = [person() for _ in range(5)]
    with app.app_context():
        statuses = [sign(session_id, p, companions=3).reservation.status for p in people]
        assert statuses == ["confirmed"] * 5


def test_without_a_waiting_list_a_full_session_refuses(app, make_activity, person, client_for):
    _activity, (session_id,) = make_activity(capacity=1, waitlist=False)
    first, second = person(), person()
    with app.app_context():
        sign(session_id, first)
    response = client_for(second).post(
        f"/activities/sessions/{session_id}/join", data={"person": str(second), "companions": "0"}
    )
    assert response.status_code == 409
    assert "This session is full." in response.get_data(as_text=True)
    with app.app_context():
        try:
            sign(session_id, second)
        except Full:
            db.session.rollback()
        else:  # pragma: no cover
            raise AssertionError("a full session without a list took a sign-up")


def test_a_resident_joins_the_list_is_offered_a_freed_place_in_the_inbox_and_takes_it(
    app, make_activity, person, client_for
):
    _activity, (session_id,) = make_activity(capacity=1)
    first, waiting = person(), person()
    with app.app_context():
        taken = sign(session_id, first).id
    client = client_for(waiting)
    response = client.post(
        f"/activities/sessions/{session_id}/join", data={"person": str(waiting), "companions": "0"}
    )
    assert response.status_code == 302
    signup_page = response.headers["Location"]
    assert "waiting list" in client.get(signup_page).get_data(as_text=True)
    # The first person cancels: the place goes to the next in line at once, held for them.
    response = client_for(first).post(f"/activities/signups/{taken}/cancel")
    assert response.status_code == 302
    with app.app_context():
        note = db.session.scalars(
            select(Notification).where(Notification.user_id == waiting).order_by(Notification.id)
        ).all()[-1]
        assert note.kind == "activities"
        assert note.title.startswith("A place is free for you")
        assert note.link == signup_page
    page = client.get(signup_page).get_data(as_text=True)
    assert "Take the place" in page
    assert "I don't need it" in page
    response = client.post(signup_page + "/accept")
    assert response.status_code == 302
    page = client.get(signup_page).get_data(as_text=True)
    assert "<svg" in page
    assert 'aria-label="Ticket QR code"' in page
    with app.app_context():
        signup = db.session.scalar(select(SignUp).where(SignUp.session_id == session_id))
        assert status_of(signup.id) == "cancelled"


def test_offers_run_out_and_pass_on_and_i_dont_need_it_passes_at_once(app, make_activity, person):
    _activity, (session_id,) = make_activity(
        capacity=1, hold_minutes=30, starts_in=timedelta(days=2)
    )
    first, second, third, fourth = person(), person(), person(), person()
    with app.app_context():
        a = sign(session_id, first).id
        b = sign(session_id, second).id
        c = sign(session_id, third).id
        d = sign(session_id, fourth).id
        joining.cancel(db.session, db.session.get(SignUp, a), db.session.get(User, first))
        db.session.commit()
        assert status_of(b) == "offered"
        later = utcnow() + timedelta(minutes=31)
        resource_id = db.session.get(ActivitySession, session_id).resource_id
        assert capacity.expire_offers(db.session, later) == [resource_id]
        capacity.pass_on_expired(db.session, resource_id, later)
        db.session.commit()
        assert (status_of(b), status_of(c)) == ("expired", "offered")
        joining.decline_offer(db.session, db.session.get(SignUp, c), db.session.get(User, third))
        db.session.commit()
        assert (status_of(c), status_of(d)) == ("cancelled", "offered")


def test_family_signs_up_an_elder_they_may_act_for(app, make_activity, person, client_for):
    _activity, (session_id,) = make_activity(audience="seniors")
    daughter, elder, stranger = person(), person(birth_year=1945), person(birth_year=1940)
    with app.app_context():
        low, high = sorted([daughter, elder])
        db.session.add(Relation(person_id=low, relative_id=high))
        db.session.commit()
    client = client_for(daughter)
    page = client.get(f"/activities/sessions/{session_id}/join").get_data(as_text=True)
    assert f'value="{elder}"' in page
    response = client.post(
        f"/activities/sessions/{session_id}/join", data={"person": str(elder), "companions": "0"}
    )
    assert response.status_code == 302
    response = client.post(
        f"/activities/sessions/{session_id}/join",
        data={"person": str(stranger), "companions": "0"},
    )
    assert response.status_code == 422
    with app.app_context():
        rows = db.session.execute(select(Reservation.person_id, Reservation.booked_by_id)).all()
        assert rows == [(elder, daughter)]
    assert "for" in client.get("/activities/mine").get_data(as_text=True)


def test_publishing_tells_the_audience_once(app, make_activity, person, client_for, operator):
    residents = [person() for _ in range(3)]
    activity_id, _sessions = make_activity(publish=False)
    office = client_for(operator)
    assert office.post(f"/activities/{activity_id}/publish").status_code == 302
    assert office.post(f"/activities/{activity_id}/publish").status_code == 302
    with app.app_context():
        counts = dict(
            db.session.execute(
                select(Notification.user_id, func.count())
                .where(Notification.kind == "activities")
                .group_by(Notification.user_id)
            ).all()
        )
        assert all(counts.get(resident) == 1 for resident in residents)
        assert set(counts.values()) == {1}


def test_a_draft_is_seen_by_nobody_but_those_who_run_it(app, make_activity, person, client_for):
    activity_id, _sessions = make_activity(publish=False)
    resident = client_for(person())
    assert resident.get(f"/activities/{activity_id}").status_code == 404
    assert "书法班" not in resident.get("/activities/").get_data(as_text=True)


def test_the_calendar_file_has_the_session(app, make_activity, person, client_for):
    _activity, (session_id,) = make_activity(title_en="Calligraphy")
    resident = person()
    with app.app_context():
        signup_id = sign(session_id, resident).id
    response = client_for(resident).get(f"/activities/signups/{signup_id}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert "BEGIN:VEVENT" in body
    assert "DTSTART;TZID=Asia/Shanghai" in body
    assert "活动中心" in body


def test_someone_elses_sign_up_is_not_found(app, make_activity, person, client_for):
    _activity, (session_id,) = make_activity()
    owner, other = person(), person()
    with app.app_context():
        signup_id = sign(session_id, owner).id
    client = client_for(other)
    assert client.get(f"/activities/signups/{signup_id}").status_code == 404
    assert client.post(f"/activities/signups/{signup_id}/cancel").status_code == 404


def test_reminders_go_once_a_day_before_and_an_hour_before(app, make_activity, person):
    _activity, (session_id,) = make_activity(starts_in=timedelta(days=3))
    resident = person()
    with app.app_context():
        sign(session_id, resident)
        starts = db.session.get(ActivitySession, session_id).starts_at
        day_before = starts - timedelta(hours=20)
        assert activity_tasks.send_reminders(db.session, day_before) == 1
        assert activity_tasks.send_reminders(db.session, day_before) == 0
        hour_before = starts - timedelta(minutes=58)
        assert activity_tasks.send_reminders(db.session, hour_before) == 1
        assert activity_tasks.send_reminders(db.session, hour_before) == 0
        titles = db.session.scalars(
            select(Notification.title).where(Notification.user_id == resident)
        ).all()
        assert sum(title.startswith("Tomorrow") for title in titles) == 1


def test_the_list_and_an_activity_page_run_a_fixed_number_of_queries(
    app, make_activity, person, client_for
):
    resident = person()
    client = client_for(resident)

    def grow(count):
        for _ in range(count):
            _activity, sessions = make_activity(weeks=3, capacity=20)
            with app.app_context():
                for session_id in sessions:
                    sign(session_id, person(), companions=2)
                sign(sessions[0], resident, companions=1)
        return _activity

    first = grow(1)
    small_list = queries_for(app, client, "/activities/")
    small_page = queries_for(app, client, f"/activities/{first}")
    last = grow(6)
    assert queries_for(app, client, "/activities/") == small_list
    assert queries_for(app, client, f"/activities/{last}") == small_page
    assert queries_for(app, client, "/activities/mine") == queries_for(
        app, client, "/activities/mine"
    )


def test_my_activities_say_where_each_waits_and_whom_it_is_for(
    app, make_activity, person, client_for
):
    _activity, (session_id,) = make_activity(capacity=1)
    first, second, elder = person(), person(), person(birth_year=1945)
    with app.app_context():
        low, high = sorted([second, elder])
        db.session.add(Relation(person_id=low, relative_id=high))
        db.session.commit()
        code = sign(session_id, first).short_code
        sign(session_id, elder, booked_by=second)
        sign(session_id, second)
    page = client_for(second).get("/activities/mine").get_data(as_text=True)
    assert "Waiting list: number 1" in page
    assert "Waiting list: number 2" in page
    assert page.count("for 测试") == 1
    page = client_for(first).get("/activities/mine").get_data(as_text=True)
    assert code in page
    assert "Place confirmed" in page
