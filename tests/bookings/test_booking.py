"""Residents book a service for themselves or family, cancel until the cutoff, move it in one
transaction, answer waiting-list offers, get reminders once, and add it to their calendar."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from icalendar import Calendar
from sqlalchemy import func, select

from community.accounts.models import User
from community.bookings import rules, tasks
from community.bookings.models import Booking, Service, ServiceHours, Slot
from community.capacity import holding
from community.capacity.models import Reservation
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid
from community.core.events import booking_changed
from community.core.extensions import db
from community.notify.models import Notification
from tests.conftest import user_id
from tests.querycount import queries_for

ZONE = ZoneInfo("Asia/Shanghai")


def make_service(per_slot: int = 1, **values) -> Service:
    """A service open 8:00 to 18:00 every day, hour-long slots."""
    service = Service(
        name_zh=values.pop("name_zh", "上门理发"),
        name_en=values.pop("name_en", "Haircut at home"),
        description_zh="理发师上门服务",
        description_en="A barber comes to your home",
        scenario="service",
        at_home=values.pop("at_home", True),
        duration_minutes=60,
        per_slot=per_slot,
        notice_hours=2,
        horizon_days=14,
        cancel_hours=2,
        **values,
    )
    service.hours = [ServiceHours(weekday=day, opens=8 * 60, closes=18 * 60) for day in range(7)]
    db.session.add(service)
    db.session.flush()
    return service


def at(days: int, hour: int) -> datetime:
    """hour o'clock in the community, days from today, in UTC."""
    day = utcnow().astimezone(ZONE).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), ZONE).astimezone(ZoneInfo("UTC"))


def person(login_or_id) -> User:
    if isinstance(login_or_id, int):
        return db.session.get(User, login_or_id)
    return db.session.scalar(select(User).where(User.phone == login_or_id))


@pytest.fixture
def service_id(app):
    with app.app_context():
        service_id = make_service(per_slot=2).id
        db.session.commit()
    return service_id


def test_a_resident_books_a_free_time_and_is_told(app, demo, service_id):
    with app.app_context():
        me = person(demo["resident"])
        booking = rules.book(db.session, service_id, at(2, 10), me, me)
        db.session.commit()
        assert booking.reservation.status == "confirmed"
        assert booking.slot.resource.size == 2
        # One message, in the booking's words: the at-home work order it opened says nothing
        # more to the resident.
        note = db.session.scalars(select(Notification).where(Notification.user_id == me.id)).one()
        assert note.link == f"/bookings/{booking.id}"
        assert "上门理发" in note.title


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("past", "That time has passed"),
        ("outside", "not open at that time"),
        ("too_soon", "at least 2 hours ahead"),
        ("too_far", "at most 14 days ahead"),
        ("unknown", "Choose a service from the list"),
        ("party", "At most 2 people"),
        ("stranger", "family the community office has linked"),
    ],
)
def test_each_refusal_says_why_and_saves_nothing(app, demo, service_id, case, message):
    with app.app_context():
        me, other = person(demo["resident"]), person(demo["volunteer"])
        args = {"service_id": service_id, "starts_at": at(2, 10), "person": me, "party_size": 1}
        now = utcnow()
        if case == "past":
            args["starts_at"] = at(-1, 10)
        elif case == "outside":
            args["starts_at"] = at(2, 20)
        elif case == "too_soon":
            args["starts_at"] = now.replace(second=0, microsecond=0) + timedelta(minutes=30)
            args["starts_at"] = args["starts_at"].replace(minute=0) + timedelta(hours=1)
        elif case == "too_far":
            args["starts_at"] = at(20, 10)
        elif case == "unknown":
            args["service_id"] = 999999
        elif case == "party":
            args["party_size"] = 3
        elif case == "stranger":
            args["person"] = other
        with force_locale("en"), pytest.raises(Invalid, match=message):
            rules.book(db.session, booked_by=me, now=now, **args)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_the_booking_page_refuses_bad_input_next_to_the_field(app, login_as, service_id):
    client = login_as("resident")
    page = client.post(
        f"/services/{service_id}/book",
        data={"slot": at(2, 20).isoformat(), "person": "0", "party_size": "1"},
    )
    assert page.status_code == 422
    assert 'id="slot-error"' in page.get_data(as_text=True)
    junk = client.post(f"/services/{service_id}/book", data={"slot": "junk", "party_size": "x"})
    assert junk.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_a_family_member_books_for_their_parent_and_both_see_it(app, demo, login_as, service_id):
    daughter = login_as("resident")
    elder_id = user_id(app, demo["elderly"])
    form = daughter.get(f"/services/{service_id}/book?slot={at(2, 9).isoformat()}")
    assert "吴奶奶" in form.get_data(as_text=True)
    response = daughter.post(
        f"/services/{service_id}/book",
        data={"slot": at(2, 9).isoformat(), "person": str(elder_id), "party_size": "1"},
    )
    assert response.status_code == 302
    booking_path = response.headers["Location"]
    assert daughter.get(booking_path).status_code == 200
    elder = login_as("elderly")
    assert elder.get(booking_path).status_code == 200
    assert "上门理发" in elder.get("/bookings").get_data(as_text=True)
    # A neighbour gets nothing, not even a hint the booking exists.
    for role in ("volunteer",):
        neighbour = login_as(role)
        assert neighbour.get(booking_path).status_code == 404
        assert neighbour.get(booking_path + "/calendar.ics").status_code == 404
        assert neighbour.post(booking_path + "/cancel").status_code == 404


def test_a_resident_cannot_book_for_someone_not_linked_to_them(app, demo, login_as, service_id):
    client = login_as("resident")
    stranger = user_id(app, demo["volunteer"])
    response = client.post(
        f"/services/{service_id}/book",
        data={"slot": at(2, 9).isoformat(), "person": str(stranger), "party_size": "1"},
    )
    assert response.status_code == 422
    assert "linked" in response.get_data(as_text=True) or "关联" in response.get_data(as_text=True)


def test_cancel_until_the_cutoff_then_a_message(app, demo, service_id):
    with app.app_context():
        me = person(demo["resident"])
        starts = at(2, 10)
        booking = rules.book(db.session, service_id, starts, me, me)
        db.session.commit()
        with force_locale("en"), pytest.raises(Conflict, match="2 hours before"):
            rules.cancel(db.session, booking, me, now=starts - timedelta(hours=1))
        db.session.rollback()
        rules.cancel(db.session, booking, me, now=starts - timedelta(hours=3))
        db.session.commit()
        assert db.session.get(Booking, booking.id).reservation.status == "cancelled"


def test_a_reschedule_makes_the_new_booking_and_frees_the_old_or_changes_nothing(app, demo):
    with app.app_context():
        service = make_service(per_slot=1)
        me, other = person(demo["resident"]), person(demo["volunteer"])
        old = rules.book(db.session, service.id, at(2, 10), me, me)
        rules.book(db.session, service.id, at(2, 12), other, other)  # 12:00 is full
        db.session.commit()
        heard = []

        def hear(sender, **kw):
            heard.append(kw["action"])

        # Connected for this test only: the home-service receiver must stay connected.
        with booking_changed.connected_to(hear), pytest.raises(Conflict):
            rules.reschedule(db.session, old, at(2, 12), me)
        db.session.rollback()
        assert db.session.get(Booking, old.id).reservation.status == "confirmed"
        with booking_changed.connected_to(hear):
            new = rules.reschedule(db.session, db.session.get(Booking, old.id), at(2, 14), me)
        db.session.commit()
        assert new.reservation.status == "confirmed"
        assert db.session.get(Booking, old.id).reservation.status == "cancelled"
        assert heard[-1] == "moved"


def test_a_waiting_resident_is_offered_the_freed_place_and_answers(app, demo):
    with app.app_context():
        service = make_service(per_slot=1)
        first, second = person(demo["volunteer"]), person(demo["resident"])
        third = person(demo["staff"])
        taken = rules.book(db.session, service.id, at(2, 10), first, first)
        waiting = rules.book(db.session, service.id, at(2, 10), second, second)
        last = rules.book(db.session, service.id, at(2, 10), third, third)
        db.session.commit()
        assert waiting.reservation.status == "waitlisted"
        assert holding.positions(db.session, [waiting, last]) == {waiting.id: 1, last.id: 2}
        rules.cancel(db.session, taken, first)
        db.session.commit()
        assert db.session.get(Booking, waiting.id).reservation.status == "offered"
        waiting_id, last_id = waiting.id, last.id
        offer = db.session.scalars(
            select(Notification)
            .where(Notification.user_id == second.id)
            .order_by(Notification.id.desc())
        ).first()
        assert offer.link == f"/bookings/{waiting.id}"
    client = app.test_client()
    client.login(demo["resident"])
    page = client.get(f"/bookings/{waiting_id}").get_data(as_text=True)
    assert f"/bookings/{waiting_id}/accept" in page
    assert f"/bookings/{waiting_id}/decline" in page
    assert client.post(f"/bookings/{waiting_id}/decline").status_code == 302
    with app.app_context():
        assert db.session.get(Booking, waiting_id).reservation.status == "cancelled"
        assert db.session.get(Booking, last_id).reservation.status == "offered"
        rules.accept_offer(db.session, db.session.get(Booking, last_id), person(demo["staff"]))
        db.session.commit()
        assert db.session.get(Booking, last_id).reservation.status == "confirmed"


def test_a_waiting_resident_leaves_the_list(app, demo, login_as):
    with app.app_context():
        service = make_service(per_slot=1)
        first, me = person(demo["volunteer"]), person(demo["resident"])
        rules.book(db.session, service.id, at(2, 10), first, first)
        waiting_id = rules.book(db.session, service.id, at(2, 10), me, me).id
        db.session.commit()
    client = login_as("resident")
    assert "1" in client.get("/bookings").get_data(as_text=True)
    assert client.post(f"/bookings/{waiting_id}/leave").status_code == 302
    with app.app_context():
        assert db.session.get(Booking, waiting_id).reservation.status == "cancelled"


def test_reminders_go_once_the_day_before_and_the_hour_before(app, demo, service_id):
    with app.app_context():
        me = person(demo["resident"])
        starts = at(3, 10)
        booking = rules.book(db.session, service_id, starts, me, me)
        db.session.commit()

        def reminders():
            return db.session.scalar(
                select(func.count()).where(
                    Notification.user_id == me.id, Notification.link == f"/bookings/{booking.id}"
                )
            )

        assert reminders() == 1  # the confirmation
        assert tasks.send_reminders(db.session, starts - timedelta(hours=30)) == 0
        assert tasks.send_reminders(db.session, starts - timedelta(hours=23)) == 1
        assert tasks.send_reminders(db.session, starts - timedelta(hours=22)) == 0
        assert tasks.send_reminders(db.session, starts - timedelta(minutes=55)) == 1
        assert tasks.send_reminders(db.session, starts - timedelta(minutes=50)) == 0
        assert reminders() == 3


def test_a_worker_back_within_the_hour_sends_only_the_hours_reminder(app, demo, service_id):
    with app.app_context():
        me = person(demo["resident"])
        starts = at(3, 10)
        booking = rules.book(db.session, service_id, starts, me, me)
        db.session.commit()
        assert tasks.send_reminders(db.session, starts - timedelta(minutes=40)) == 1
        note = db.session.scalars(
            select(Notification).where(Notification.user_id == me.id).order_by(Notification.id)
        ).all()[-1]
        assert note.link == f"/bookings/{booking.id}"
        assert "一小时后" in note.title


def test_add_to_calendar_gives_an_ics_in_the_community_time_zone(app, demo, login_as, service_id):
    with app.app_context():
        me = person(demo["resident"])
        starts = at(2, 10)
        booking_id = rules.book(db.session, service_id, starts, me, me).id
        db.session.commit()
    response = login_as("resident").get(f"/bookings/{booking_id}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    event = next(iter(calendar.walk("VEVENT")))
    assert event.decoded("dtstart") == starts
    assert str(event.decoded("dtstart").tzinfo) == "Asia/Shanghai"
    assert event.decoded("dtstart").hour == 10
    assert event.decoded("dtend") == starts + timedelta(hours=1)
    assert str(event["uid"]).startswith(f"booking-{booking_id}@")
    assert str(event["summary"]) == "上门理发"
    assert "LOCATION" in event
    assert calendar.walk("VTIMEZONE")


def test_browsing_shows_only_free_times_and_junk_days_are_ignored(app, demo, login_as):
    with app.app_context():
        service = make_service(per_slot=1)
        other = person(demo["volunteer"])
        rules.book(db.session, service.id, at(2, 10), other, other)
        db.session.commit()
        service_id = service.id
    client = login_as("resident")
    assert "上门理发" in client.get("/services").get_data(as_text=True)
    day = at(2, 10).astimezone(ZONE).date().isoformat()
    page = client.get(f"/services/{service_id}?day={day}").get_data(as_text=True)
    assert "slot=" + at(2, 9).isoformat().replace("+", "%2B") in page
    assert "slot=" + at(2, 10).isoformat().replace("+", "%2B") not in page
    assert client.get(f"/services/{service_id}?day=junk").status_code == 200
    assert client.get(f"/services/{service_id}?day=2026-13-45").status_code == 200
    assert client.get("/services/999999").status_code == 404


def test_my_bookings_page_costs_the_same_queries_for_many_bookings(app, demo, login_as):
    client = login_as("resident")
    with app.app_context():
        service = make_service(per_slot=1)
        me = person(demo["resident"])
        rules.book(db.session, service.id, at(2, 9), me, me)
        db.session.commit()
        service_id = service.id
    few = queries_for(app, client, "/bookings")
    with app.app_context():
        me = person(demo["resident"])
        for hour in range(10, 17):
            rules.book(db.session, service_id, at(2, hour), me, me)
        db.session.commit()
    assert queries_for(app, client, "/bookings") == few


def test_a_reservation_is_made_once_per_slot(app, demo, service_id):
    with app.app_context():
        me = person(demo["resident"])
        rules.book(db.session, service_id, at(2, 10), me, me)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Slot)) == 1
        assert db.session.scalar(select(func.count()).select_from(Reservation)) == 1
