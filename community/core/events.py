"""Signals: how a lower layer makes a higher one act without importing it.

Every receiver runs in the sender's transaction, on the session it is given, and never commits:
if the sender's transaction rolls back, so does everything the receivers did. A receiver that
raises refuses the whole change. Connect receivers at import time, in the feature that owns
them (`@work_order_changed.connect`), and take only keyword arguments besides the sender.
"""

from blinker import Namespace

signals = Namespace()

work_order_changed = signals.signal(
    "work-order-changed",
    doc="""An order moved through the state machine (workorders.machine.apply), after its
    version was bumped and its event appended, and after the people concerned were notified.

    sender: the SQLAlchemy session of the transaction.
    order: the WorkOrder (expired: it reloads with the new state).
    event: the WorkOrderEvent just appended (action, from_status, to_status, note).
    actor: the User who acted, or None for the system.

    A care visit closing credits the volunteer's hours here; a feature filters on
    order.kind and event.action.""",
)

place_offered = signals.signal(
    "place-offered",
    doc="""A freed place was offered to someone on a waiting list (capacity.rules.offer_next),
    held for them until reservation.offer_expires_at.

    sender: the SQLAlchemy session of the transaction.
    reservation: the Reservation now in status "offered" (its resource, person, expiry).

    The feature that owns the resource (bookings, activities) tells the person, in its own
    words, with a link to accept and one to say "I don't need it"; it filters on
    reservation.resource.kind.""",
)

booking_changed = signals.signal(
    "booking-changed",
    doc="""A service booking was made, cancelled or moved (bookings.rules book, cancel and
    reschedule), after its reservation changed and before the caller commits.

    sender: the SQLAlchemy session of the transaction.
    booking: the Booking concerned: the new one for "booked" and "moved" (for "moved", its
    reservation was made by capacity.rules.move, whose "move" event on the old reservation
    names the new one, so the booking it replaced can be found), the cancelled one for
    "cancelled".
    action: "booked", "cancelled" or "moved".
    actor: the User who acted (the resident, a family member, the office), or None for the
    system.

    An at-home booking becomes a work order of kind home_service here
    (bookings.kind.open_home_visit); a cancelled one cancels its order, a moved one carries it
    to the new time.""",
)
