"""The capacity engine: places are never sold twice, the waiting list keeps its order, offers
are held, passed on when they run out or are declined, and every change leaves an event."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.accounts.models import Role, User
from community.capacity import rules
from community.capacity import tasks as capacity_tasks
from community.capacity.models import Reservation, ReservationEvent, Resource
from community.core import tasks
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid
from community.core.events import place_offered
from community.core.extensions import db
from tests.threads import race


@pytest.fixture
def make_resource(app):
    def make(size: int = 2, hold_minutes: int = 60, starts_in: timedelta | None = None):
        starts_at = utcnow() + starts_in if starts_in else None
        resource = Resource(kind="test", size=size, hold_minutes=hold_minutes, starts_at=starts_at)
        db.session.add(resource)
        db.session.flush()
        return resource

    return make


@pytest.fixture
def people(app, make_user):
    """Eight residents, by name; made once per test."""
    with app.app_context():
        ids = [make_user(roles=[Role.RESIDENT]).id for _ in range(8)]
        db.session.commit()
    return ids


def person(user_id):
    return db.session.get(User, user_id)


def book(resource_id, user_id, party=1, **kwargs):
    return rules.reserve(db.session, resource_id, person(user_id), person(user_id), party, **kwargs)


def statuses(resource_id):
    return db.session.execute(
        select(Reservation.person_id, Reservation.status)
        .where(Reservation.resource_id == resource_id)
        .order_by(Reservation.id)
    ).all()


def test_places_are_confirmed_until_full_then_people_wait_in_line(app, people, make_resource):
    with app.app_context():
        resource = make_resource(size=3)
        first = book(resource.id, people[0], party=2)
        second = book(resource.id, people[1])
        third = book(resource.id, people[2])
        assert [first.status, second.status, third.status] == [
            "confirmed",
            "confirmed",
            "waitlisted",
        ]
        assert rules.free_places(db.session, resource) == 0
        assert rules.position(db.session, third) == 1


def test_a_party_bigger_than_the_resource_or_smaller_than_one_is_refused(
    app, people, make_resource
):
    with app.app_context():
        resource = make_resource(size=3)
        for party in (4, 0, -1):
            with pytest.raises(Invalid):
                book(resource.id, people[0], party=party)
        assert statuses(resource.id) == []


def test_one_active_reservation_per_person(app, people, make_resource):
    with app.app_context():
        resource = make_resource(size=3)
        book(resource.id, people[0])
        with pytest.raises(Conflict):
            book(resource.id, people[0])


def test_a_freed_place_is_offered_to_the_first_in_line_and_held(app, people, make_resource):
    offers = []
    heard = place_offered.connected_to(lambda session, reservation: offers.append(reservation.id))
    with heard, app.app_context():
        resource = make_resource(size=1, hold_minutes=30)
        mine = book(resource.id, people[0])
        waiting = book(resource.id, people[1])
        later = book(resource.id, people[2])
        rules.release(db.session, mine.id, person(people[0]))
        assert offers == [waiting.id]
        assert waiting.status == "offered"
        assert waiting.offer_expires_at - utcnow() <= timedelta(minutes=30)
        # Someone new cannot take the held place, nor jump those still waiting.
        newcomer = book(resource.id, people[3])
        assert newcomer.status == "waitlisted"
        rules.accept_offer(db.session, waiting.id, person(people[1]))
        assert waiting.status == "confirmed"
        assert later.status == "waitlisted"


def test_i_dont_need_it_passes_the_place_on_at_once(app, people, make_resource):
    with app.app_context():
        resource = make_resource(size=1)
        mine = book(resource.id, people[0])
        first = book(resource.id, people[1])
        second = book(resource.id, people[2])
        rules.release(db.session, mine.id, person(people[0]))
        rules.decline_offer(db.session, first.id, person(people[1]))
        assert (first.status, second.status) == ("cancelled", "offered")


def test_an_offer_that_runs_out_passes_on_by_itself(app, people, make_resource):
    with app.app_context():
        resource = make_resource(size=1, hold_minutes=30)
        mine = book(resource.id, people[0])
        first = book(resource.id, people[1])
        second = book(resource.id, people[2])
        rules.release(db.session, mine.id, person(people[0]))
        db.session.commit()
        first_id, second_id = first.id, second.id
    later = utcnow() + timedelta(minutes=31)
    with app.app_context():
        for resource_id in rules.expire_offers(db.session, later):
            rules.pass_on_expired(db.session, resource_id, later)
        db.session.commit()
        assert db.session.get(Reservation, first_id).status == "expired"
        assert db.session.get(Reservation, second_id).status == "offered"
        with pytest.raises(Conflict):
            rules.accept_offer(db.session, first_id, person(people[1]))


def test_the_periodic_job_passes_on_offers_in_its_own_transactions(
    app, people, make_resource, monkeypatch
):
    with app.app_context():
        resource = make_resource(size=1, hold_minutes=30)
        mine = book(resource.id, people[0])
        first = book(resource.id, people[1])
        second = book(resource.id, people[2])
        rules.release(db.session, mine.id, person(people[0]))
        first.offer_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        first_id, second_id = first.id, second.id
    monkeypatch.setattr(tasks, "_app", app)
    assert capacity_tasks.pass_on_expired_offers.call_local() == 1
    with app.app_context():
        assert db.session.get(Reservation, first_id).status == "expired"
        assert db.session.get(Reservation, second_id).status == "offered"


def test_offers_are_shorter_as_the_start_nears_and_none_at_the_last_minute(
    app, people, make_resource
):
    with app.app_context():
        soon = make_resource(size=1, hold_minutes=120, starts_in=timedelta(minutes=60))
        mine = book(soon.id, people[0])
        waiting = book(soon.id, people[1])
        rules.release(db.session, mine.id, person(people[0]))
        assert waiting.offer_expires_at - utcnow() <= timedelta(minutes=30)
        last_minute = make_resource(size=1, starts_in=timedelta(minutes=15))
        mine = book(last_minute.id, people[2])
        waiting = book(last_minute.id, people[3])
        rules.release(db.session, mine.id, person(people[2]))
        assert waiting.status == "waitlisted"


def test_the_office_moves_someone_up_with_a_recorded_reason(app, people, make_resource, make_user):
    with app.app_context():
        operator = make_user(roles=[Role.OPERATOR])
        resource = make_resource(size=1)
        book(resource.id, people[0])
        first = book(resource.id, people[1])
        elder = book(resource.id, people[2])
        with pytest.raises(Invalid):
            rules.move_up(db.session, elder.id, operator, "  ")
        rules.move_up(db.session, elder.id, operator, "行动不便，优先安排")
        assert rules.position(db.session, elder) == 1
        assert rules.position(db.session, first) == 2
        note = db.session.scalar(
            select(ReservationEvent.note).where(
                ReservationEvent.reservation_id == elder.id, ReservationEvent.action == "move_up"
            )
        )
        assert note == "行动不便，优先安排"


def test_moving_a_booking_takes_the_new_place_and_frees_the_old_or_changes_nothing(
    app, people, make_resource
):
    with app.app_context():
        monday, tuesday, full = make_resource(size=1), make_resource(size=1), make_resource(size=1)
        book(full.id, people[5])
        mine = book(monday.id, people[0])
        waiting = book(monday.id, people[1])
        with pytest.raises(Conflict):
            rules.move(db.session, mine.id, full.id, person(people[0]))
        assert mine.status == "confirmed"
        moved = rules.move(db.session, mine.id, tuesday.id, person(people[0]))
        assert (moved.status, mine.status, waiting.status) == ("confirmed", "cancelled", "offered")


def test_every_change_leaves_an_event(app, people, make_resource):
    with app.app_context():
        resource = make_resource(size=1)
        mine = book(resource.id, people[0])
        waiting = book(resource.id, people[1])
        rules.release(db.session, mine.id, person(people[0]))
        rules.accept_offer(db.session, waiting.id, person(people[1]))
        actions = db.session.scalars(
            select(ReservationEvent.action).order_by(ReservationEvent.id)
        ).all()
        assert actions == ["reserve", "reserve", "cancel", "offer", "accept"]


# ---- Real concurrency: threads, each with its own connection ----------------------------------


def test_many_at_once_for_few_places_never_oversell(app, make_user, make_resource):
    with app.app_context():
        ids = [make_user(roles=[Role.RESIDENT]).id for _ in range(24)]
        resource_id = make_resource(size=5).id
        db.session.commit()
    race(app, 24, lambda n: book(resource_id, ids[n]).status)
    with app.app_context():
        rows = statuses(resource_id)
        assert [status for _person, status in rows].count("confirmed") == 5
        assert [status for _person, status in rows].count("waitlisted") == 19
        # Those who came first have the places: the line is in arrival order.
        assert {status for _person, status in rows[:5]} == {"confirmed"}


def test_one_person_booking_twice_at_once_gets_one_place(app, people, make_resource):
    with app.app_context():
        resource_id = make_resource(size=5).id
        db.session.commit()
    results = race(app, 6, lambda n: book(resource_id, people[0]).status)
    assert sorted(results) == ["Conflict"] * 5 + ["confirmed"]
    with app.app_context():
        assert len(statuses(resource_id)) == 1


def test_many_moves_of_one_booking_at_once_leave_exactly_one_active(app, people, make_resource):
    with app.app_context():
        old = make_resource(size=1)
        targets = [make_resource(size=1).id for _ in range(6)]
        booking_id = book(old.id, people[0]).id
        db.session.commit()
    results = race(
        app, 6, lambda n: rules.move(db.session, booking_id, targets[n], person(people[0])).id
    )
    assert sum(isinstance(result, int) for result in results) == 1
    with app.app_context():
        active = db.session.scalar(
            select(func.count()).where(
                Reservation.person_id == people[0], Reservation.status == "confirmed"
            )
        )
        assert active == 1
