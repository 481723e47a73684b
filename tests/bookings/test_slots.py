"""Slot computation: the weekly plan with its breaks and buffers, closed dates, Chinese public
holidays and make-up working days, notice, horizon, the past, and the free places of each slot
counted in a fixed number of queries."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from community.accounts.models import Role
from community.bookings import slots
from community.bookings.models import Service, ServiceClosure, ServiceHours, Slot
from community.capacity import rules as capacity
from community.capacity.models import Resource
from community.core.errors import Invalid
from community.core.extensions import db
from tests.querycount import count_queries

ZONE = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
TUESDAY = date(2026, 12, 1)
NATIONAL_DAY = date(2026, 10, 1)  # a Thursday, a public holiday
MAKEUP_SUNDAY = date(2026, 9, 20)  # a Sunday worked for the National Day week (调休上班)
PLAIN_SUNDAY = date(2026, 9, 27)
WEEKDAYS = range(5)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock time, in UTC as the database keeps it."""
    return datetime.combine(day, time(hour, minute), ZONE).astimezone(UTC)


def the_evening_before(day: date) -> datetime:
    return at(day - timedelta(days=1), 20)


def make_service(plan=((9, 12),), weekdays=WEEKDAYS, **values) -> Service:
    """A service open on the weekdays, each from..to hour pair an opening."""
    values = {
        "name_zh": "理发",
        "name_en": "Haircut",
        "scenario": "service",
        "duration_minutes": 60,
        "per_slot": 1,
        "notice_hours": 2,
        "horizon_days": 14,
        **values,
    }
    service = Service(**values)
    service.hours = [
        ServiceHours(weekday=weekday, opens=opens * 60, closes=closes * 60)
        for weekday in weekdays
        for opens, closes in plan
    ]
    db.session.add(service)
    db.session.flush()
    return service


def local_times(found) -> list[str]:
    return [slot.starts_at.astimezone(ZONE).strftime("%H:%M") for slot in found]


def test_the_library_knows_the_days_used_below():
    assert slots.is_public_holiday(NATIONAL_DAY)
    assert slots.is_makeup_workday(MAKEUP_SUNDAY)
    assert not slots.is_makeup_workday(PLAIN_SUNDAY)
    assert not slots.is_public_holiday(TUESDAY)
    assert slots.plan_weekday(MAKEUP_SUNDAY) == 0


CASES = {
    "the plan": ({}, TUESDAY, None, ["09:00", "10:00", "11:00"]),
    "a break between two openings": (
        {"plan": ((9, 12), (14, 17))},
        TUESDAY,
        None,
        ["09:00", "10:00", "11:00", "14:00", "15:00", "16:00"],
    ),
    "a buffer between bookings": ({"buffer_minutes": 30}, TUESDAY, None, ["09:00", "10:30"]),
    "a long service that fits once": ({"duration_minutes": 150}, TUESDAY, None, ["09:00"]),
    "a date closed for this service": ({}, TUESDAY, "this", []),
    "a date closed for every service": ({}, TUESDAY, "all", []),
    "a date closed for another service only": (
        {},
        TUESDAY,
        "other",
        ["09:00", "10:00", "11:00"],
    ),
    "a public holiday": ({}, NATIONAL_DAY, None, []),
    "a make-up working day follows Monday's plan": (
        {"plan": ((9, 11),), "weekdays": [0]},
        MAKEUP_SUNDAY,
        None,
        ["09:00", "10:00"],
    ),
    "a make-up day where Monday is closed": ({"weekdays": [1, 2]}, MAKEUP_SUNDAY, None, []),
    "an ordinary Sunday": ({}, PLAIN_SUNDAY, None, []),
    "an inactive service": ({"active": False}, TUESDAY, None, []),
}


@pytest.mark.parametrize(
    ("values", "day", "closed", "expected"), CASES.values(), ids=list(CASES.keys())
)
def test_the_slots_of_a_day(app, values, day, closed, expected):
    with app.app_context():
        service = make_service(**values)
        other = make_service()
        if closed:
            service_id = {"this": service.id, "all": None, "other": other.id}[closed]
            db.session.add(ServiceClosure(service_id=service_id, day=day, reason="盘点"))
            db.session.flush()
        found = slots.day_slots(db.session, service, day, the_evening_before(day), ZONE)
        assert local_times(found) == expected
        length = timedelta(minutes=service.duration_minutes)
        assert all(slot.free == 1 and slot.ends_at - slot.starts_at == length for slot in found)


REACH = {
    "notice: two hours ahead at least": ({"notice_hours": 2}, at(TUESDAY, 8, 30), ["11:00"]),
    "no notice, but not in the past": ({"notice_hours": 0}, at(TUESDAY, 10, 0), ["11:00"]),
    "the day has passed": ({"notice_hours": 0}, at(TUESDAY, 18), []),
    "beyond the horizon": ({"horizon_days": 14}, at(TUESDAY - timedelta(days=20), 9), []),
    "the horizon ends within the day": (
        {"horizon_days": 14},
        at(TUESDAY - timedelta(days=14), 10),
        ["09:00", "10:00"],
    ),
}


@pytest.mark.parametrize(("values", "now", "expected"), REACH.values(), ids=list(REACH.keys()))
def test_notice_horizon_and_the_past(app, values, now, expected):
    with app.app_context():
        service = make_service(**values)
        assert local_times(slots.day_slots(db.session, service, TUESDAY, now, ZONE)) == expected


REFUSALS = {
    "in the past": ({}, at(TUESDAY, 9), at(TUESDAY, 10), "passed"),
    "too soon": ({"notice_hours": 2}, at(TUESDAY, 10), at(TUESDAY, 9), "hours ahead"),
    "too far ahead": ({}, at(TUESDAY, 9), at(TUESDAY - timedelta(days=30), 9), "days ahead"),
    "outside the plan": ({}, at(TUESDAY, 13), the_evening_before(TUESDAY), "not open"),
    "between two slots": ({}, at(TUESDAY, 9, 30), the_evening_before(TUESDAY), "not open"),
    "inside a buffer": (
        {"buffer_minutes": 30},
        at(TUESDAY, 10),
        the_evening_before(TUESDAY),
        "not open",
    ),
    "a closed date": ({}, at(TUESDAY, 9), the_evening_before(TUESDAY), "盘点"),
    "a public holiday": (
        {},
        at(NATIONAL_DAY, 9),
        the_evening_before(NATIONAL_DAY),
        "public holidays",
    ),
    "an ordinary Sunday": (
        {},
        at(PLAIN_SUNDAY, 9),
        the_evening_before(PLAIN_SUNDAY),
        "not open",
    ),
    "an inactive service": (
        {"active": False},
        at(TUESDAY, 9),
        the_evening_before(TUESDAY),
        "cannot be booked",
    ),
}


@pytest.mark.parametrize(
    ("values", "starts_at", "now", "words"), REFUSALS.values(), ids=list(REFUSALS.keys())
)
def test_a_time_that_cannot_be_booked_is_refused_next_to_the_slot(
    app, values, starts_at, now, words
):
    with app.app_context():
        service = make_service(**values)
        db.session.add(ServiceClosure(service_id=service.id, day=TUESDAY, reason="盘点"))
        if words != "盘点":
            db.session.query(ServiceClosure).delete()
        db.session.flush()
        with force_locale("en"), pytest.raises(Invalid) as refused:
            slots.check_bookable(service, starts_at, now, ZONE)
        assert refused.value.field == "slot"
        assert words in refused.value.message


@pytest.mark.parametrize(
    ("day", "hour"), [(TUESDAY, 9), (TUESDAY, 11), (MAKEUP_SUNDAY, 10)], ids=str
)
def test_a_time_of_the_plan_is_bookable(app, day, hour):
    with app.app_context():
        service = make_service()
        slots.check_bookable(service, at(day, hour), the_evening_before(day), ZONE)


def book(service, starts_at, people, size=None):
    """A slot of the service at that time, and a reservation for each person (or (person,
    party size))."""
    resource = Resource(kind="service_slot", size=size or service.per_slot, starts_at=starts_at)
    db.session.add(resource)
    db.session.flush()
    slot = Slot(
        service_id=service.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=service.duration_minutes),
        resource_id=resource.id,
    )
    db.session.add(slot)
    db.session.flush()
    now = the_evening_before(TUESDAY)
    for person in people:
        person, party = person if isinstance(person, tuple) else (person, 1)
        capacity.reserve(db.session, resource.id, person, person, party, now=now)
    return slot


def test_free_places_count_bookings_and_people_waiting(app, make_user):
    with app.app_context():
        service = make_service(per_slot=2)
        ann, bob, cai = (make_user(roles=[Role.RESIDENT]) for _ in range(3))
        book(service, at(TUESDAY, 9), [ann])
        book(service, at(TUESDAY, 10), [ann, bob])
        # A place is left at 11, but a party of two waits for it: nobody jumps the line.
        book(service, at(TUESDAY, 11), [ann, (cai, 2)])
        free = {
            slot.starts_at: slot.free
            for slot in slots.day_slots(
                db.session, service, TUESDAY, the_evening_before(TUESDAY), ZONE
            )
        }
        assert free == {at(TUESDAY, 9): 1, at(TUESDAY, 10): 0, at(TUESDAY, 11): 0}


def test_the_slots_of_a_day_cost_the_same_queries_however_many_are_booked(app, make_user):
    with app.app_context():
        engine = db.engine
        quiet = make_service(plan=((8, 20),))
        busy = make_service(plan=((8, 20),), per_slot=3)
        people = [make_user(roles=[Role.RESIDENT]) for _ in range(4)]
        book(quiet, at(TUESDAY, 8), people[:1])
        for hour in range(8, 20):
            book(busy, at(TUESDAY, hour), people)
        db.session.commit()
        now = the_evening_before(TUESDAY)
        counts = []
        for service in (quiet, busy):
            service = db.session.get(Service, service.id)
            db.session.expire_all()
            with count_queries(engine) as statements:
                found = slots.day_slots(db.session, service, TUESDAY, now, ZONE)
            counts.append(len(statements))
        assert len(found) == 12
        assert all(slot.free == 0 for slot in found)
        assert counts[0] == counts[1] <= 4


def test_the_day_picker_offers_days_with_a_start(app):
    with app.app_context():
        service = make_service(horizon_days=14)
        db.session.add(ServiceClosure(service_id=None, day=date(2026, 9, 29), reason="停电"))
        db.session.flush()
        monday_morning = at(date(2026, 9, 28), 8)
        days = slots.bookable_days(db.session, service, monday_morning, ZONE)
        assert days == [
            date(2026, 9, 28),  # today: 10:00 and 11:00 are two hours ahead
            # 9-29 closed, 9-30 open, 10-1 to 10-7 the National Day holiday
            date(2026, 9, 30),
            date(2026, 10, 8),
            date(2026, 10, 9),
            date(2026, 10, 10),  # a Saturday worked: Monday's plan
            # 10-12 at 9:00 is past the horizon (14 days from Monday 8:00)
        ]


def test_an_inactive_service_has_no_days(app):
    with app.app_context():
        service = make_service(active=False)
        assert slots.bookable_days(db.session, service, the_evening_before(TUESDAY), ZONE) == []
