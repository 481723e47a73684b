"""A place as the features that sell places (bookings, activities) hand it to people: whom it
is for, which of them a user may see, where a waiting one stands in line, and giving it up.
Each feature's row (a booking, a sign-up) holds its reservation as `.reservation`."""

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from community.accounts.models import Relation, User
from community.capacity import rules
from community.capacity.models import Reservation, ReservationStatus

S = ReservationStatus


def people_of(session: Session, reservation: Reservation) -> list[User]:
    """The person the place is for, and whoever took it for them."""
    people = [reservation.person]
    if reservation.booked_by_id != reservation.person_id:
        people.append(session.get(User, reservation.booked_by_id))
    return people


def linked_to_person(user: User):
    """A clause: the user is still linked (as family) to the reservation's person."""
    return (
        select(Relation.id)
        .where(
            or_(
                and_(Relation.person_id == user.id, Relation.relative_id == Reservation.person_id),
                and_(Relation.relative_id == user.id, Relation.person_id == Reservation.person_id),
            )
        )
        .exists()
    )


def positions(session: Session, holders: list) -> dict[int, int]:
    """Where each waiting holder (a booking, a sign-up) stands in its line (1: next), by the
    holder's id, in one query."""
    waiting = {h.reservation_id: h.id for h in holders if h.reservation.status == S.WAITLISTED}
    resources = {h.reservation.resource_id for h in holders if h.reservation_id in waiting}
    return line_positions(session, waiting, resources)


def line_positions(
    session: Session, waiting: dict[int, int], resources: set[int]
) -> dict[int, int]:
    """positions() for holders read as plain rows: waiting maps each waiting reservation's id
    to its holder's id, resources are their resources."""
    if not waiting:
        return {}
    line = session.execute(
        select(Reservation.id, Reservation.resource_id)
        .where(Reservation.resource_id.in_(resources), Reservation.status == S.WAITLISTED)
        .order_by(Reservation.resource_id, Reservation.priority.desc(), Reservation.id)
    ).all()
    found, counts = {}, {}
    for reservation_id, resource_id in line:
        counts[resource_id] = counts.get(resource_id, 0) + 1
        if reservation_id in waiting:
            found[waiting[reservation_id]] = counts[resource_id]
    return found


def give_up(session: Session, reservation: Reservation, actor: User, now: datetime) -> None:
    """Leave the line, decline the offer or release the place, whichever the reservation holds:
    a freed place goes to the next in line at once. The caller checks it is still active."""
    if reservation.status == S.WAITLISTED:
        rules.leave(session, reservation.id, actor, now=now)
    elif reservation.status == S.OFFERED:
        rules.decline_offer(session, reservation.id, actor, now=now)
    else:
        rules.release(session, reservation.id, actor, now=now)
