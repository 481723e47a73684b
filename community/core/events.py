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
    doc="""A resident's service booking changed (bookings.rules: book, cancel, reschedule,
    accept an offer), after the reservation moved and the people concerned were told.

    sender: the SQLAlchemy session of the transaction.
    booking: the Booking (its slot, service and reservation loaded).
    action: "booked" when the booking now holds a confirmed place (made so, or an offer
        from the waiting list accepted); "cancelled" when it ended (cancelled, the waiting
        list left, an offer declined: it may never have held a place, so check
        booking.work_order_id); "moved" when it replaced `previous` at another time.
    actor: the User who acted.
    previous: for "moved", the Booking it replaced (now cancelled); else None.

    An at-home service opens its work order on "booked" and "moved", and closes it on
    "cancelled" and, for `previous`, on "moved".""",
)

visit_confirmed = signals.signal(
    "visit-confirmed",
    doc="""A care visit was confirmed as done by the elder, their family or the office (the
    care feature), once per visit: the care feature sends it only from the transition that
    confirms, so a second confirmation sends nothing.

    sender: the SQLAlchemy session of the transaction.
    order: the care visit's WorkOrder (kind "care_visit").
    volunteer_id: the user who did the visit (the order's assignee).
    elder_id: the user who received it.
    started_at, finished_at: the recorded "I'm here" and "done" times (aware, UTC).
    window_minutes: the length of the time window the visit was asked for, the cap on the
        hours it earns without the office's say.

    The time bank credits the volunteer here; a receiver that raises refuses the
    confirmation.""",
)
