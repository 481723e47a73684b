"""The at-home service: a booking that sends someone to a person's home is a work order of kind
`home_service`, with the same timeline, staff close-out and rating as a repair. The order
follows its booking through `core.events.booking_changed`: opened when booked, cancelled with
it, carried to the new time when moved."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm import Session

from community.accounts.models import Role, User
from community.bookings.models import Booking
from community.core.db import utcnow
from community.core.events import booking_changed
from community.directory.scenarios import SCENARIOS
from community.workorders import machine, states
from community.workorders.announce import WORKORDER
from community.workorders.kinds import Kind, declare
from community.workorders.models import WorkOrder

HOME_SERVICE = declare(
    Kind(
        name="home_service",
        label=_l("Home service"),
        # A service's category is its scenario: the order is filed under the same one.
        categories=dict(SCENARIOS),
        # Only when no time was agreed (the office opens one by hand): a booked visit is due at
        # the start of its slot.
        sla_hours={"low": 168, "normal": 72, "high": 24, "urgent": 4},
        assignable_roles=frozenset({Role.STAFF}),
        notification_kind=WORKORDER,
        update_title=_l("Home service #%(number)d: %(what)s"),
        link_endpoint="workorders.detail",
    )
)


def open_home_visit(session: Session, booking: Booking) -> WorkOrder | None:
    """The work order of an at-home booking, for the person's home: accepted for the slot's
    start and, when the provider is a member of staff, assigned to them. None for a booking at
    a place, or one that has its order already. The caller commits."""
    if booking.work_order_id is not None:
        return booking.work_order
    slot = booking.slot
    service = slot.service
    if not service.at_home:
        return None
    reservation = booking.reservation
    person = reservation.person
    booked_by = session.get(User, reservation.booked_by_id)
    unit = person.unit
    order = WorkOrder(
        kind=HOME_SERVICE.name,
        status=states.SUBMITTED,
        priority="normal",
        category=service.scenario if service.scenario in SCENARIOS else "service",
        description=_home_visit_description(booking),
        unit_id=unit.id if unit else None,
        building_id=unit.building_id if unit else None,
        requester_id=booked_by.id,
        on_behalf_of_id=person.id if person.id != booked_by.id else None,
    )
    session.add(order)
    session.flush()
    machine.record(session, order, booked_by, "report", order.description)
    booking.work_order_id = order.id
    provider = service.provider
    staff = provider.user if provider is not None else None
    if staff is not None and staff.has_role(*HOME_SERVICE.assignable_roles):
        action, assignee = "dispatch", {"assignee_id": staff.id}
    else:
        action, assignee = "schedule", {}
    machine.apply(session, order, None, action, order.version, due_at=slot.starts_at, **assignee)
    session.flush()
    return order


def _home_visit_description(booking: Booking) -> str:
    service = booking.slot.service
    # Stored text, read by whoever opens the order: the catalogue's Chinese name, the
    # community's working language, and the party.
    text = service.name_zh
    if booking.reservation.party_size > 1:
        text += f" ({booking.reservation.party_size})"
    if booking.note:
        text += f"\n{booking.note}"
    return text


def _cancel_home_visit(session: Session, booking: Booking, actor: User | None) -> None:
    """The booking was cancelled: so is its order, as its requester would (the transition
    table lets the requester cancel until work starts). An order already under way is left
    to the staff member and the office, with a comment saying the booking was cancelled."""
    order = booking.work_order
    if order is None:
        return
    session.refresh(order)
    requester = order.requester
    note = _("The booking was cancelled.")
    if (order.status, "cancel") in machine.TRANSITIONS:
        machine.apply(session, order, requester, "cancel", order.version, note=note)
    elif order.status in states.ACTIVE_STATUSES:
        machine.record(session, order, actor or requester, "comment", note)


def _move_home_visit(
    session: Session, booking: Booking, actor: User | None, previous: Booking | None
) -> None:
    """The booking moved to another slot: the new booking takes over the old one's order,
    now due at the new time."""
    order_id = booking.work_order_id or (previous.work_order_id if previous else None)
    if order_id is None:
        open_home_visit(session, booking)
        return
    booking.work_order_id = order_id
    order = session.get(WorkOrder, order_id)
    starts_at = booking.slot.starts_at
    session.execute(
        update(WorkOrder)
        .where(WorkOrder.id == order_id)
        .values(due_at=starts_at, version=WorkOrder.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.refresh(order)
    if order.status in states.ACTIVE_STATUSES:
        machine.record(
            session, order, actor or order.requester, "comment", _("The booking was moved.")
        )


@booking_changed.connect
def _follow_booking(
    session: Session, *, booking: Booking, action: str, actor=None, previous=None
) -> None:
    if not booking.slot.service.at_home:
        return
    if action == "booked":
        open_home_visit(session, booking)
    elif action == "cancelled":
        _cancel_home_visit(session, booking, actor)
    elif action == "moved":
        _move_home_visit(session, booking, actor, previous)
