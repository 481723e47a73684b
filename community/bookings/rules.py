"""Booking a service: book, cancel, move to another time, and answer an offer from the waiting
list, for oneself or for family. Plain Python over a session; the places come from the capacity
engine, the times from bookings.slots."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from community.accounts import relations
from community.accounts.models import User
from community.bookings.models import Booking, Service, Slot
from community.bookings.slots import check_bookable
from community.capacity import holding, reminders
from community.capacity import rules as capacity
from community.capacity.models import ACTIVE, Reservation, ReservationStatus, Resource
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid, NotFound
from community.core.events import booking_changed, place_offered
from community.core.links import path_for
from community.notify import kinds as notify_kinds
from community.notify import outbox

S = ReservationStatus
BOOKING = notify_kinds.declare("booking", _l("My bookings"))
SERVICE_SLOT = "service_slot"  # the kind of the capacity resources bookings own


def community_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["COMMUNITY_TIMEZONE"])


def _when(booking: Booking) -> str:
    return format_datetime(booking.slot.starts_at, "short")


def _tell(session: Session, booking: Booking, people, render) -> None:
    outbox.queue(
        session,
        people,
        BOOKING,
        render,
        link=path_for("bookings.detail", booking_id=booking.id),
        topic=f"booking-{booking.id}",
    )


def _people(session: Session, booking: Booking) -> list[User]:
    """The person the booking is for, and whoever booked it for them."""
    return holding.people_of(session, booking.reservation)


def slot_for(session: Session, service: Service, starts_at: datetime) -> Slot:
    """The slot of the service at that time, made with its resource on the first booking.
    Two first bookings at once: the unique (service, start) lets one slot in; the other's
    INSERT fails inside a SAVEPOINT, and it loads the winner. The resource is written first so
    the transaction starts with a write (on SQLite a transaction that reads first can lose its
    snapshot to another writer)."""
    statement = select(Slot).where(Slot.service_id == service.id, Slot.starts_at == starts_at)
    found = session.scalar(statement)
    if found is not None:
        return found
    resource = Resource(kind=SERVICE_SLOT, size=service.per_slot, starts_at=starts_at)
    session.add(resource)
    session.flush()
    slot = Slot(
        service_id=service.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=service.duration_minutes),
        resource_id=resource.id,
    )
    try:
        with session.begin_nested():
            session.add(slot)
    except IntegrityError:
        session.delete(resource)
        session.flush()
        return session.scalars(statement.execution_options(populate_existing=True)).one()
    return slot


def _check_person(session: Session, booked_by: User, person: User | None) -> User:
    if person is None or not relations.may_act_for(session, booked_by, person):
        raise Invalid(
            _("You can book for yourself, or for family the community office has linked to you."),
            field="person",
        )
    return person


def _check_party(service: Service, party_size) -> int:
    if not isinstance(party_size, int) or isinstance(party_size, bool) or party_size < 1:
        raise Invalid(_("Say how many people are coming."), field="party_size")
    if party_size > service.per_slot:
        raise Invalid(
            _("At most %(max)d people can come at one time.", max=service.per_slot),
            field="party_size",
        )
    return party_size


def _service(session: Session, service_id: int | None) -> Service:
    service = session.get(Service, service_id) if service_id else None
    if service is None or not service.active:
        raise Invalid(_("Choose a service from the list."), field="service")
    return service


def book(
    session: Session,
    service_id: int | None,
    starts_at: datetime | None,
    person: User | None,
    booked_by: User,
    party_size: int = 1,
    now: datetime | None = None,
) -> Booking:
    """Book a time of a service for the person: a confirmed place, or a place on the waiting
    list when the time is full (booking.reservation.status says which). The caller commits."""
    now = now or utcnow()
    service = _service(session, service_id)
    if starts_at is None or starts_at.tzinfo is None:
        raise Invalid(_("Choose a time."), field="slot")
    check_bookable(service, starts_at, now, community_zone())
    person = _check_person(session, booked_by, person)
    party_size = _check_party(service, party_size)
    slot = slot_for(session, service, starts_at)
    reservation = capacity.reserve(
        session, slot.resource_id, person, booked_by, party_size, now=now
    )
    booking = Booking(reservation=reservation, slot=slot, created_at=now)
    session.add(booking)
    reminders.mark_made(booking, slot.starts_at, now)
    session.flush()
    name = service.name
    if reservation.status == S.CONFIRMED:
        _tell(
            session,
            booking,
            _people(session, booking),
            lambda: (
                _("Booked: %(service)s", service=name(_locale())),
                _("%(when)s, for %(person)s.", when=_when(booking), person=person.name),
            ),
        )
        booking_changed.send(session, booking=booking, action="booked", actor=booked_by)
    else:
        _tell(
            session,
            booking,
            _people(session, booking),
            lambda: (
                _("On the waiting list: %(service)s", service=name(_locale())),
                _(
                    "%(when)s is full. %(person)s is on the waiting list and will be told "
                    "when a place frees.",
                    when=_when(booking),
                    person=person.name,
                ),
            ),
        )
    return booking


def _locale() -> str:
    """The language outbox.queue set for the recipient being rendered."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _check_cutoff(booking: Booking, now: datetime) -> None:
    service = booking.slot.service
    if booking.reservation.status in (S.CONFIRMED, S.HELD) and (
        booking.slot.starts_at - timedelta(hours=service.cancel_hours) < now
    ):
        raise Conflict(
            _(
                "A booking can be cancelled or moved until %(hours)d hours before it starts. "
                "Please call the community office.",
                hours=service.cancel_hours,
            )
        )


def cancel(session: Session, booking: Booking, actor: User, now: datetime | None = None) -> Booking:
    """Cancel a place (until the service's cutoff), an offer, or a place in line. A freed place
    goes to the next in line at once. The caller commits."""
    now = now or utcnow()
    status = booking.reservation.status
    if status not in ACTIVE:
        raise Conflict(_("This booking is cancelled already."))
    _check_cutoff(booking, now)
    holding.give_up(session, booking.reservation, actor, now)
    _ended(session, booking, actor)
    return booking


def _ended(session: Session, booking: Booking, actor: User) -> None:
    name = booking.slot.service.name
    others = [person for person in _people(session, booking) if person.id != actor.id]
    if others:
        _tell(
            session,
            booking,
            others,
            lambda: (
                _("Cancelled: %(service)s", service=name(_locale())),
                _("%(when)s, cancelled by %(name)s.", when=_when(booking), name=actor.name),
            ),
        )
    booking_changed.send(session, booking=booking, action="cancelled", actor=actor)


def reschedule(
    session: Session,
    booking: Booking,
    starts_at: datetime | None,
    actor: User,
    now: datetime | None = None,
) -> Booking:
    """Move a booking to another time of the same service: the new booking is made and the old
    released in one transaction, never both and never neither. Conflict when the new time is
    full. Returns the new booking; the caller commits."""
    now = now or utcnow()
    service = booking.slot.service
    if booking.reservation.status not in (S.CONFIRMED, S.HELD):
        raise Conflict(_("Only a confirmed booking can be moved."))
    _check_cutoff(booking, now)
    if starts_at is None or starts_at.tzinfo is None:
        raise Invalid(_("Choose a time."), field="slot")
    if starts_at == booking.slot.starts_at:
        raise Invalid(_("Choose another time."), field="slot")
    check_bookable(service, starts_at, now, community_zone())
    slot = slot_for(session, service, starts_at)
    reservation = capacity.move(session, booking.reservation_id, slot.resource_id, actor, now=now)
    moved = Booking(reservation=reservation, slot=slot, note=booking.note, created_at=now)
    session.add(moved)
    reminders.mark_made(moved, slot.starts_at, now)
    session.flush()
    name = service.name
    _tell(
        session,
        moved,
        _people(session, moved),
        lambda: (
            _("Moved: %(service)s", service=name(_locale())),
            _(
                "Now %(when)s, for %(person)s.",
                when=_when(moved),
                person=moved.reservation.person.name,
            ),
        ),
    )
    booking_changed.send(session, booking=moved, action="moved", actor=actor, previous=booking)
    return moved


def accept_offer(session: Session, booking: Booking, actor: User, now=None) -> Booking:
    """Take the place offered from the waiting list."""
    capacity.accept_offer(session, booking.reservation_id, actor, now=now)
    booking_changed.send(session, booking=booking, action="booked", actor=actor)
    return booking


def decline_offer(session: Session, booking: Booking, actor: User, now=None) -> Booking:
    """ "I don't need it": the place goes to the next in line at once."""
    capacity.decline_offer(session, booking.reservation_id, actor, now=now)
    _ended(session, booking, actor)
    return booking


def leave_waiting_list(session: Session, booking: Booking, actor: User, now=None) -> Booking:
    capacity.leave(session, booking.reservation_id, actor, now=now)
    _ended(session, booking, actor)
    return booking


@place_offered.connect
def tell_of_offer(session: Session, reservation: Reservation, **_kwargs) -> None:
    """A place freed on a slot: tell the first in line, with links to take it or pass it on."""
    if reservation.resource.kind != SERVICE_SLOT:
        return
    booking = session.scalar(
        select(Booking)
        .where(Booking.reservation_id == reservation.id)
        .options(joinedload(Booking.slot).joinedload(Slot.service))
    )
    if booking is None:  # the reservation is being made by book() right now
        return
    name = booking.slot.service.name
    expires = reservation.offer_expires_at
    _tell(
        session,
        booking,
        [reservation.person],
        lambda: (
            _("A place is free for you: %(service)s", service=name(_locale())),
            _(
                "%(when)s. Take it before %(until)s, or say you don't need it so the next "
                "person can have it.",
                when=_when(booking),
                until=format_datetime(expires, "short"),
            ),
        ),
    )


# ---- Reading: what a person may see ---------------------------------------------------------


def _visible_to(user: User):
    """Bookings for the person, and those they made for family they are still linked to (the
    office and staff act for any resident, so theirs stay visible too)."""
    made_by_me = Reservation.booked_by_id == user.id
    if user.has_role(*relations.MAY_ACT_FOR_ANY_RESIDENT):
        return or_(Reservation.person_id == user.id, made_by_me)
    return or_(Reservation.person_id == user.id, and_(made_by_me, holding.linked_to_person(user)))


def _loaded():
    return (
        select(Booking)
        .join(Reservation, Reservation.id == Booking.reservation_id)
        .options(
            joinedload(Booking.slot).joinedload(Slot.service).joinedload(Service.place),
            joinedload(Booking.reservation).joinedload(Reservation.person),
        )
    )


def booking_for(session: Session, user: User, booking_id: int) -> Booking:
    """The booking if the user may see and change it; NotFound otherwise (no hint it exists)."""
    booking = session.scalar(_loaded().where(Booking.id == booking_id, _visible_to(user)))
    if booking is None:
        raise NotFound(_("No such booking."))
    return booking


def my_bookings(
    session: Session, user: User, now: datetime | None = None
) -> tuple[list[Booking], list[Booking], dict[int, int]]:
    """(upcoming, past, waiting-list position by booking id), in three queries however many."""
    now = now or utcnow()
    rows = list(
        session.scalars(
            _loaded()
            .join(Slot, Slot.id == Booking.slot_id)
            .where(_visible_to(user))
            .order_by(Slot.starts_at, Booking.id)
            .limit(200)
        ).unique()
    )
    upcoming = [b for b in rows if b.slot.ends_at > now and b.reservation.status in ACTIVE]
    past = [b for b in reversed(rows) if b not in upcoming]
    return upcoming, past, holding.positions(session, upcoming)


def acting_for(session: Session, user: User) -> list[User]:
    """Whom the user may book for from the booking form: themself, then their linked family."""
    people = [user]
    for link in relations.relatives_of(session, user):
        other_id = link.relative_id if link.person_id == user.id else link.person_id
        other = session.get(User, other_id)
        if other is not None and relations.may_act_for(session, user, other):
            people.append(other)
    return people


def due_reminders(session: Session, now: datetime) -> list[tuple[Booking, str]]:
    """(booking, marker) for each reminder due: a day before and an hour before the start."""
    query = _loaded().join(Slot, Slot.id == Booking.slot_id)
    return reminders.due(session, query, Booking, Slot.starts_at, now)


def remind(session: Session, booking: Booking, column: str) -> None:
    name = booking.slot.service.name
    where = booking.slot.service.place
    soon = column == "reminded_hour_at"

    def render():
        title = (
            _("In an hour: %(service)s", service=name(_locale()))
            if soon
            else _("Tomorrow: %(service)s", service=name(_locale()))
        )
        place = where.name if where else _("At home")
        return title, _("%(when)s, %(place)s.", when=_when(booking), place=place)

    _tell(session, booking, _people(session, booking), render)
