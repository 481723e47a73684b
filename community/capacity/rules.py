"""Reserve, release, offer to the next in line, accept or decline an offer, leave the waiting
list, move someone up, move a reservation to another resource; resize, reschedule or close a
resource: each one function, each safe under concurrency.

Every change first bumps the resource's version with an UPDATE. On PostgreSQL that UPDATE locks
the resource's row until the transaction ends; on SQLite it takes the database's write lock.
Either way two changes to one resource run one after the other, so the count of taken places
that follows is the truth when the new reservation is written (and the partial unique index
keeps a person to one active reservation even if a caller forgets). An UPDATE first, rather than
SELECT ... FOR UPDATE, because it is the same statement on both databases, and on SQLite a
transaction that reads before it writes can lose its snapshot to another writer and fail."""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from community.accounts.models import User
from community.capacity.models import (
    ACTIVE,
    Reservation,
    ReservationEvent,
    ReservationStatus,
    Resource,
)
from community.core.db import utcnow
from community.core.errors import Conflict, Full, Invalid, NotFound
from community.core.events import place_offered

S = ReservationStatus
# The shortest an offer is held: less than this before the start, nothing is offered.
MIN_HOLD = timedelta(minutes=10)


def lock(session: Session, resource_id: int) -> Resource:
    """Take the resource's lock for this transaction and return it, fresh."""
    bumped = session.execute(
        update(Resource)
        .where(Resource.id == resource_id)
        .values(version=Resource.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not bumped:
        raise NotFound(_("No such place to book."))
    return session.get(Resource, resource_id, populate_existing=True)


def taken(session: Session, resource: Resource, now: datetime) -> int:
    """Places held, confirmed, or offered and not yet run out."""
    holding = (Reservation.status.in_([S.HELD, S.CONFIRMED])) | (
        (Reservation.status == S.OFFERED) & (Reservation.offer_expires_at > now)
    )
    return session.scalar(
        select(func.coalesce(func.sum(Reservation.party_size), 0)).where(
            Reservation.resource_id == resource.id, holding
        )
    )


def free_places(session: Session, resource: Resource, now: datetime | None = None) -> int:
    """What a newcomer could have now: nothing while anyone is waiting (no jumping the line)."""
    now = now or utcnow()
    if _first_waiting(session, resource.id) is not None:
        return 0
    return max(resource.size - taken(session, resource, now), 0)


def _line(resource_id: int):
    return (
        select(Reservation)
        .where(Reservation.resource_id == resource_id, Reservation.status == S.WAITLISTED)
        .order_by(Reservation.priority.desc(), Reservation.id)
    )


def _first_waiting(session: Session, resource_id: int) -> Reservation | None:
    return session.scalars(_line(resource_id).limit(1)).first()


def position(session: Session, reservation: Reservation) -> int | None:
    """1 for the first in line; None when not waiting."""
    if reservation.status != S.WAITLISTED:
        return None
    ids = session.scalars(_line(reservation.resource_id).with_only_columns(Reservation.id))
    return list(ids).index(reservation.id) + 1


def _event(session, reservation, actor, action, from_status, note="", now=None) -> None:
    session.add(
        ReservationEvent(
            reservation_id=reservation.id,
            actor_id=actor.id if actor else None,
            action=action,
            from_status=from_status,
            to_status=reservation.status,
            note=note,
            created_at=now or utcnow(),
        )
    )


def _move(session, reservation, status, actor, action, now, note="", **values) -> None:
    from_status = reservation.status
    reservation.status = status
    reservation.updated_at = now
    for name, value in values.items():
        setattr(reservation, name, value)
    session.flush()
    _event(session, reservation, actor, action, from_status, note, now)


def _active_of(session: Session, resource_id: int, person_id: int) -> Reservation | None:
    return session.scalars(
        select(Reservation).where(
            Reservation.resource_id == resource_id,
            Reservation.person_id == person_id,
            Reservation.status.in_(ACTIVE),
        )
    ).first()


def reserve(
    session: Session,
    resource_id: int,
    person: User,
    booked_by: User,
    party_size: int = 1,
    *,
    hold: bool = False,
    waitlist: bool = True,
    now: datetime | None = None,
) -> Reservation:
    """A place for the person (and party), confirmed (held with hold=True) if it is free and
    nobody is waiting; else on the waiting list, or Full (a Conflict) with waitlist=False. The
    caller commits."""
    now = now or utcnow()
    if not isinstance(party_size, int) or party_size < 1:
        raise Invalid(_("Say how many people are coming."), field="party_size")
    resource = lock(session, resource_id)
    if resource.closed_at is not None:
        raise Conflict(_("This was called off: it takes no more sign-ups or bookings."))
    if resource.starts_at is not None and resource.starts_at <= now:
        raise Conflict(_("This has begun already."))
    if party_size > resource.size:
        raise Invalid(_("At most %(max)d people can come.", max=resource.size), field="party_size")
    _pass_on_expired(session, resource, now)
    if _active_of(session, resource.id, person.id) is not None:
        raise Conflict(_("There is a place for this person already, or they are on the list."))
    fits = party_size <= free_places(session, resource, now)
    if not fits and not waitlist:
        raise Full(_("That time is taken. Choose another."))
    status = (S.HELD if hold else S.CONFIRMED) if fits else S.WAITLISTED
    reservation = Reservation(
        resource_id=resource.id,
        person_id=person.id,
        booked_by_id=booked_by.id,
        party_size=party_size,
        status=status,
        created_at=now,
        updated_at=now,
    )
    session.add(reservation)
    session.flush()
    _event(session, reservation, booked_by, "reserve", None, now=now)
    return reservation


def _load(session: Session, reservation_id: int) -> tuple[Reservation, Resource]:
    """The reservation, with its resource locked first."""
    found = session.get(Reservation, reservation_id)
    if found is None:
        raise NotFound(_("No such booking."))
    resource = lock(session, found.resource_id)
    return session.get(Reservation, reservation_id, populate_existing=True), resource


def confirm(session: Session, reservation_id: int, actor: User | None, now=None) -> Reservation:
    """A held place becomes a confirmed one."""
    now = now or utcnow()
    reservation, _resource = _load(session, reservation_id)
    if reservation.status != S.HELD:
        raise Conflict(_("This booking cannot be confirmed now."))
    _move(session, reservation, S.CONFIRMED, actor, "confirm", now)
    return reservation


def release(
    session: Session, reservation_id: int, actor: User | None, note: str = "", now=None
) -> Reservation:
    """Cancel a reservation (a place, an offer, or a place in line); a freed place goes to the
    next in line at once."""
    now = now or utcnow()
    reservation, resource = _load(session, reservation_id)
    if reservation.status not in ACTIVE:
        raise Conflict(_("This booking is cancelled already."))
    _move(session, reservation, S.CANCELLED, actor, "cancel", now, note, offer_expires_at=None)
    offer_next(session, resource, now)
    return reservation


def resize(
    session: Session, resource_id: int, size: int, now: datetime | None = None
) -> list[Reservation]:
    """Change how many places the resource has. More places go at once to the first in line
    (offered, as when a place frees: what was offered is returned); fewer than are taken is
    Invalid. Under the lock, so a reservation racing it counts against the size it finds."""
    now = now or utcnow()
    resource = lock(session, resource_id)
    _pass_on_expired(session, resource, now)
    in_use = taken(session, resource, now)
    if size < in_use:
        raise Invalid(
            _("%(count)d places are taken already: it cannot have fewer.", count=in_use),
            field="size",
        )
    resource.size = size
    session.flush()
    return offer_next(session, resource, now)


def reschedule(session: Session, resource_id: int, starts_at: datetime) -> Resource:
    """The resource begins at another time. An offer made for the old time never outlasts the
    new start (moved earlier, it runs out when it begins)."""
    resource = lock(session, resource_id)
    resource.starts_at = starts_at
    session.execute(
        update(Reservation)
        .where(
            Reservation.resource_id == resource.id,
            Reservation.status == S.OFFERED,
            Reservation.offer_expires_at > starts_at,
        )
        .values(offer_expires_at=starts_at)
        .execution_options(synchronize_session="fetch")
    )
    return resource


def close(
    session: Session, resource_id: int, actor: User, note: str, now: datetime | None = None
) -> list[Reservation]:
    """Close the resource for good and cancel every active reservation on it (places, offers,
    the waiting list), nobody offered anything: what was cancelled, for the caller to tell.
    Under the resource's lock, so a reservation racing it either lands first and is cancelled
    here, or comes after and finds it closed. Conflict when it was closed already."""
    now = now or utcnow()
    resource = lock(session, resource_id)
    if resource.closed_at is not None:
        raise Conflict(_("This was called off already."))
    resource.closed_at = now
    cancelled = list(
        session.scalars(
            select(Reservation)
            .where(Reservation.resource_id == resource.id, Reservation.status.in_(ACTIVE))
            .order_by(Reservation.id)
        )
    )
    for reservation in cancelled:
        _move(session, reservation, S.CANCELLED, actor, "close", now, note, offer_expires_at=None)
    return cancelled


def _hold_for(resource: Resource, now: datetime) -> timedelta | None:
    hold = timedelta(minutes=resource.hold_minutes)
    if resource.starts_at is not None:
        hold = min(hold, (resource.starts_at - now) / 2)
    return hold if hold >= MIN_HOLD else None


def offer_next(session: Session, resource: Resource, now: datetime) -> list[Reservation]:
    """Offer the free places to those first in line, in order: priority, then time. A party
    that does not fit stops the line rather than be skipped. The resource must be locked."""
    hold = _hold_for(resource, now)
    if hold is None:
        return []
    free = resource.size - taken(session, resource, now)
    offered = []
    for waiting in session.scalars(_line(resource.id)).all():
        if waiting.party_size > free:
            break
        _move(session, waiting, S.OFFERED, None, "offer", now, offer_expires_at=now + hold)
        free -= waiting.party_size
        offered.append(waiting)
        place_offered.send(session, reservation=waiting)
    return offered


def _pass_on_expired(session: Session, resource: Resource, now: datetime) -> int:
    """Offers on this resource that ran out expire, and their places go to the next in line.
    The resource must be locked."""
    expired = session.scalars(
        select(Reservation).where(
            Reservation.resource_id == resource.id,
            Reservation.status == S.OFFERED,
            Reservation.offer_expires_at <= now,
        )
    ).all()
    for reservation in expired:
        _move(session, reservation, S.EXPIRED, None, "expire", now)
    if expired:
        offer_next(session, resource, now)
    return len(expired)


def accept_offer(session: Session, reservation_id: int, person: User, now=None) -> Reservation:
    now = now or utcnow()
    reservation, resource = _load(session, reservation_id)
    if reservation.status != S.OFFERED:
        raise Conflict(_("There is no offer to accept on this booking."))
    if resource.starts_at is not None and resource.starts_at <= now:
        raise Conflict(_("This has begun already."))
    if reservation.offer_expires_at <= now:
        _pass_on_expired(session, resource, now)
        raise Conflict(_("The offer ran out and went to the next in line."))
    _move(session, reservation, S.CONFIRMED, person, "accept", now, offer_expires_at=None)
    return reservation


def decline_offer(session: Session, reservation_id: int, person: User, now=None) -> Reservation:
    """ "I don't need it": the place goes to the next in line at once."""
    now = now or utcnow()
    reservation, resource = _load(session, reservation_id)
    if reservation.status != S.OFFERED:
        raise Conflict(_("There is no offer to decline on this booking."))
    _move(session, reservation, S.CANCELLED, person, "decline", now, offer_expires_at=None)
    offer_next(session, resource, now)
    return reservation


def leave(session: Session, reservation_id: int, person: User, now=None) -> Reservation:
    """Leave the waiting list."""
    now = now or utcnow()
    reservation, _resource = _load(session, reservation_id)
    if reservation.status != S.WAITLISTED:
        raise Conflict(_("This booking is not on the waiting list."))
    _move(session, reservation, S.CANCELLED, person, "leave", now)
    return reservation


def move_up(
    session: Session, reservation_id: int, operator: User, reason: str, now=None
) -> Reservation:
    """The office puts someone first in line, saying why (recorded)."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why this person goes first."), field="reason")
    if len(reason) > 500:
        raise Invalid(_("At most %(max)d characters.", max=500), field="reason")
    reservation, resource = _load(session, reservation_id)
    if reservation.status != S.WAITLISTED:
        raise Conflict(_("This booking is not on the waiting list."))
    top = session.scalar(
        select(func.max(Reservation.priority)).where(
            Reservation.resource_id == resource.id, Reservation.status == S.WAITLISTED
        )
    )
    _move(session, reservation, S.WAITLISTED, operator, "move_up", now, reason, priority=top + 1)
    offer_next(session, resource, now)
    return reservation


def move(
    session: Session, reservation_id: int, new_resource_id: int, actor: User, now=None
) -> Reservation:
    """Move a confirmed reservation to another resource in one transaction: the new place is
    taken and the old one released, never both and never neither. Both locks are taken in the
    order of their ids, so two moves the other way round cannot deadlock."""
    now = now or utcnow()
    old = session.get(Reservation, reservation_id)
    if old is None:
        raise NotFound(_("No such booking."))
    if old.resource_id == new_resource_id:
        raise Invalid(_("Choose another time."), field="slot")
    for resource_id in sorted({old.resource_id, new_resource_id}):
        lock(session, resource_id)
    old = session.get(Reservation, reservation_id, populate_existing=True)
    if old.status not in (S.CONFIRMED, S.HELD):
        raise Conflict(_("This booking was changed a moment ago. Look again."))
    person = session.get(User, old.person_id)
    new = reserve(
        session,
        new_resource_id,
        person,
        actor,
        old.party_size,
        hold=old.status == S.HELD,
        waitlist=False,
        now=now,
    )
    _move(session, old, S.CANCELLED, actor, "move", now, note=f"#{new.id}")
    offer_next(session, session.get(Resource, old.resource_id), now)
    return new


def expire_offers(session: Session, now: datetime | None = None) -> list[int]:
    """The resources whose offers ran out: for the periodic task, one transaction each."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Reservation.resource_id)
            .where(Reservation.status == S.OFFERED, Reservation.offer_expires_at <= now)
            .distinct()
        )
    )


def pass_on_expired(session: Session, resource_id: int, now: datetime | None = None) -> int:
    """Expire the run-out offers of one resource and offer their places on. The caller commits."""
    now = now or utcnow()
    return _pass_on_expired(session, lock(session, resource_id), now)
