"""An at-home booking is a work order of kind home_service: opened when booked, assigned to the
staff member who provides it, cancelled or moved with the booking, and closed like a repair."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from community.accounts.models import Role
from community.bookings.kind import HOME_SERVICE, open_home_visit
from community.bookings.models import Booking, Provider, Service, Slot
from community.capacity import rules as capacity
from community.capacity.models import Resource
from community.core.db import utcnow
from community.core.events import booking_changed
from community.core.extensions import db
from community.directory.scenarios import SCENARIOS
from community.notify.models import Notification
from community.workorders import machine
from community.workorders.models import WorkOrder
from tests.workorder_helpers import ELDERLY, OPERATOR, RESIDENT, STAFF, person

ZONE = ZoneInfo("Asia/Shanghai")


def tomorrow_at(hour: int, days: int = 1) -> datetime:
    day = utcnow().astimezone(ZONE).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), ZONE).astimezone(ZoneInfo("UTC"))


def make_service(provider: Provider | None = None, *, at_home=True, price=0, per_slot=1, **v):
    service = Service(
        name_zh=v.pop("name_zh", "上门理发"),
        name_en=v.pop("name_en", "Haircut at home"),
        scenario=v.pop("scenario", "health"),
        at_home=at_home,
        price_cents=price,
        per_slot=per_slot,
        provider=provider,
        **v,
    )
    db.session.add(service)
    db.session.flush()
    return service


def staff_provider() -> Provider:
    staff = person(STAFF)
    provider = Provider(name=staff.name, phone=staff.phone, user_id=staff.id)
    db.session.add(provider)
    db.session.flush()
    return provider


def book(service: Service, who, starts_at: datetime, booked_by=None, party=1) -> Booking:
    """A booking the way the booking rules make one: the slot and its resource, a reservation
    through the capacity engine, then the Booking row."""
    slot = db.session.scalar(
        select(Slot).where(Slot.service_id == service.id, Slot.starts_at == starts_at)
    )
    if slot is None:
        resource = Resource(kind="service_slot", size=service.per_slot, starts_at=starts_at)
        db.session.add(resource)
        db.session.flush()
        slot = Slot(
            service_id=service.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=service.duration_minutes or 60),
            resource_id=resource.id,
        )
        db.session.add(slot)
        db.session.flush()
    reservation = capacity.reserve(db.session, slot.resource_id, who, booked_by or who, party)
    booking = Booking(reservation_id=reservation.id, slot_id=slot.id)
    db.session.add(booking)
    db.session.flush()
    return booking


def booked(booking: Booking, actor=None) -> Booking:
    booking_changed.send(db.session, booking=booking, action="booked", actor=actor)
    return booking


@pytest.fixture
def ctx(app, demo):
    with app.app_context():
        yield db.session


def test_the_kind_files_orders_under_the_nine_scenarios_for_staff_to_do():
    assert set(HOME_SERVICE.categories) == set(SCENARIOS)
    assert HOME_SERVICE.assignable_roles == {Role.STAFF}
    assert not HOME_SERVICE.claimable
    assert HOME_SERVICE.link_endpoint == "workorders.detail"


def test_a_haircut_at_home_becomes_an_order_assigned_to_the_staff_member(ctx):
    service = make_service(staff_provider())
    elder = person(ELDERLY)
    starts = tomorrow_at(10)
    booking = booked(book(service, elder, starts), elder)
    ctx.commit()

    order = ctx.get(WorkOrder, booking.work_order_id)
    assert order.kind == "home_service"
    assert order.status == "assigned"
    assert order.assignee_id == person(STAFF).id
    assert order.due_at == starts
    assert order.unit_id == elder.unit_id
    assert order.place_id is None
    assert order.category == "health"
    assert [e.action for e in order.events] == ["report", "dispatch"]
    assert order.events[-1].actor_id is None  # the system, not a made-up operator


def test_the_staff_member_hears_of_the_visit_and_the_elder_is_not_told_twice(ctx):
    service = make_service(staff_provider())
    elder = person(ELDERLY)
    booking = booked(book(service, elder, tomorrow_at(10)), elder)
    ctx.commit()
    to_staff = ctx.scalars(
        select(Notification).where(Notification.user_id == person(STAFF).id)
    ).all()
    assert [note.link for note in to_staff] == [f"/repairs/{booking.work_order_id}"]
    to_elder = ctx.scalars(
        select(Notification).where(
            Notification.user_id == elder.id, Notification.kind == "workorder"
        )
    ).all()
    assert to_elder == []


def test_an_outside_provider_leaves_the_order_accepted_for_the_office_to_assign(ctx):
    outside = Provider(name="洁家保洁", phone="4006660000")
    service = make_service(outside, name_zh="家庭保洁", scenario="service", price=8000)
    resident = person(RESIDENT)
    booking = booked(book(service, resident, tomorrow_at(14)))
    order = booking.work_order
    assert order.status == "accepted"
    assert order.assignee_id is None
    assert order.due_at == tomorrow_at(14)
    assert machine.allowed_actions(order, person(OPERATOR)).count("assign") == 1


def test_a_booking_at_a_place_is_no_work_order(ctx, make_place):
    clinic = make_place(name="社区卫生站", kind="clinic")
    service = make_service(None, at_home=False, place_id=clinic.id, name_zh="健康检查")
    booking = booked(book(service, person(RESIDENT), tomorrow_at(9)))
    assert booking.work_order_id is None
    assert open_home_visit(ctx, booking) is None
    assert ctx.scalar(select(func.count(WorkOrder.id))) == 0


def test_a_daughter_books_for_her_mother_and_the_order_is_at_the_mothers_home(ctx):
    service = make_service(staff_provider())
    daughter, mother = person(RESIDENT), person(ELDERLY)
    booking = booked(book(service, mother, tomorrow_at(10), booked_by=daughter), daughter)
    order = booking.work_order
    assert order.requester_id == daughter.id
    assert order.on_behalf_of_id == mother.id
    assert order.unit_id == mother.unit_id != daughter.unit_id


def test_booking_twice_makes_one_order(ctx):
    service = make_service(staff_provider())
    booking = booked(book(service, person(ELDERLY), tomorrow_at(10)))
    booked(booking)
    assert ctx.scalar(select(func.count(WorkOrder.id))) == 1


def test_cancelling_the_booking_cancels_its_order(ctx):
    service = make_service(staff_provider())
    elder = person(ELDERLY)
    booking = booked(book(service, elder, tomorrow_at(10)))
    capacity.release(ctx, booking.reservation_id, elder)
    booking_changed.send(ctx, booking=booking, action="cancelled", actor=elder)
    ctx.commit()
    order = ctx.get(WorkOrder, booking.work_order_id)
    assert order.status == "cancelled"
    assert order.events[-1].action == "cancel"


def test_cancelling_after_work_started_leaves_a_note_for_the_staff_member(ctx):
    service = make_service(staff_provider())
    elder = person(ELDERLY)
    booking = booked(book(service, elder, tomorrow_at(10)))
    order = booking.work_order
    machine.apply(ctx, order, person(STAFF), "start", order.version)
    capacity.release(ctx, booking.reservation_id, elder)
    booking_changed.send(ctx, booking=booking, action="cancelled", actor=elder)
    ctx.refresh(order)
    assert order.status == "in_progress"
    assert order.events[-1].action == "comment"


def test_a_moved_booking_carries_its_order_to_the_new_time(ctx):
    service = make_service(staff_provider())
    elder = person(ELDERLY)
    old = booked(book(service, elder, tomorrow_at(10)))
    order_id = old.work_order_id
    later = tomorrow_at(15, days=2)
    # The new slot and its resource, then the engine's move (new place taken, old freed).
    placeholder = book(service, person(RESIDENT), later)
    capacity.release(ctx, placeholder.reservation_id, person(RESIDENT))
    new_reservation = capacity.move(ctx, old.reservation_id, placeholder.slot.resource_id, elder)
    new = Booking(reservation_id=new_reservation.id, slot_id=placeholder.slot_id)
    ctx.add(new)
    ctx.flush()
    booking_changed.send(ctx, booking=new, action="moved", actor=elder, previous=old)
    ctx.commit()

    assert new.work_order_id == order_id
    order = ctx.get(WorkOrder, order_id)
    assert order.due_at == later
    assert order.status == "assigned"
    assert ctx.scalar(select(func.count(WorkOrder.id)).where(WorkOrder.kind == "home_service")) == 1


def at_home_haircut_booked(app) -> int:
    """A haircut at home booked by the elder, committed; the id of its order."""
    with app.app_context():
        service = make_service(staff_provider())
        booking = booked(book(service, person(ELDERLY), tomorrow_at(10)))
        db.session.commit()
        return booking.work_order_id


def order_of(app, order_id: int) -> WorkOrder:
    with app.app_context():
        order = db.session.get(WorkOrder, order_id)
        db.session.expunge(order)
        return order


def test_the_staff_member_closes_it_like_a_repair_and_the_resident_rates_it(app, login_as):
    order_id = at_home_haircut_booked(app)
    staff, elder = login_as("staff"), login_as("elderly")
    page = staff.get(f"/repairs/{order_id}")
    assert page.status_code == 200
    assert "上门理发" in page.get_data(as_text=True)

    def act(client, action, **data):
        data["version"] = order_of(app, order_id).version
        response = client.post(f"/repairs/{order_id}/do/{action}", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)

    act(staff, "start")
    act(staff, "resolve", note="剪好了，已打扫")
    act(elder, "confirm")
    act(elder, "rate", rating="5", note="很好")
    with app.app_context():
        order = db.session.get(WorkOrder, order_id)
        assert (order.status, order.rating) == ("closed", 5)
        actions = [e.action for e in order.events]
    assert actions == ["report", "dispatch", "start", "resolve", "confirm", "rate"]


def test_a_neighbour_cannot_open_the_home_service_order(app, login_as):
    order_id = at_home_haircut_booked(app)
    assert login_as("volunteer").get(f"/repairs/{order_id}").status_code == 404
