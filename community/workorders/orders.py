"""Work-order rules outside the state machine: who may see what, the lists each person works
from, the staff picker, bulk assignment, and closing orders nobody confirmed."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, case, exists, func, select, union
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from community.accounts.models import AccountStatus, Role, User, UserRole
from community.core.db import utcnow
from community.core.errors import Conflict, NotFound
from community.core.input import id_or_none
from community.workorders import machine, states
from community.workorders.models import WorkOrder, WorkOrderFollower
from community.workorders.rows import listed


def can_see(order: WorkOrder, user: User, following: bool = False) -> bool:
    if user.has_role(Role.OPERATOR, Role.ADMIN):
        return True
    if user.status != AccountStatus.ACTIVE:
        return False
    if user.id in (order.requester_id, order.on_behalf_of_id) or following:
        return True
    return order.assignee_id == user.id and user.has_role(Role.STAFF, Role.VOLUNTEER)


def is_following(session: Session, order_id: int, user: User) -> bool:
    return session.scalar(
        select(
            exists().where(
                WorkOrderFollower.order_id == order_id, WorkOrderFollower.user_id == user.id
            )
        )
    )


def load_order(session: Session, user: User, order_id: int) -> WorkOrder:
    """The order if this person may see it; anyone else is told it does not exist."""
    order = session.get(WorkOrder, order_id)
    if order is None or not can_see(order, user, is_following(session, order_id, user)):
        raise NotFound(_("No such report."))
    return order


MY_ORDERS_SHOWN = 50


def _my_orders_statement():
    """Three indexed lookups in a UNION: an OR across them makes databases scan every order."""
    person = bindparam("user_id")
    mine = union(
        select(WorkOrder.id).where(WorkOrder.requester_id == person),
        select(WorkOrder.id).where(WorkOrder.on_behalf_of_id == person),
        select(WorkOrderFollower.order_id).where(WorkOrderFollower.user_id == person),
    ).subquery()
    return (
        listed()
        .join(mine, WorkOrder.id == mine.c.id)
        .order_by(WorkOrder.id.desc())
        .limit(MY_ORDERS_SHOWN)
    )


# Both lists are built once, for any person: building a statement and its cache key cost
# more than running it.
_MY_ORDERS = _my_orders_statement()
# Urgent ones first (danger, water running, someone stuck: they cannot wait behind a door lock
# that is a day late), then the soonest due, so overdue ones come next. The due time already
# follows from the priority, so high comes before normal where it matters.
_STAFF_ORDERS = (
    listed()
    .where(
        WorkOrder.assignee_id == bindparam("user_id"),
        WorkOrder.status.in_([states.ASSIGNED, states.IN_PROGRESS, states.REOPENED]),
    )
    .order_by(
        case((WorkOrder.priority == "urgent", 0), else_=1),
        WorkOrder.due_at.is_(None),
        WorkOrder.due_at,
        WorkOrder.id,
    )
    .limit(bindparam("size"))
    .offset(bindparam("skip"))
)


def my_orders(session: Session, user: User) -> list[Row]:
    """Orders I asked for, that were asked for me, or that I follow; the newest
    MY_ORDERS_SHOWN, as list rows (workorders.rows)."""
    return list(session.execute(_MY_ORDERS, {"user_id": user.id}))


STAFF_PAGE_SIZE = 25


@dataclass(frozen=True)
class WorkPage:
    orders: list[Row]
    number: int
    has_next: bool


def staff_orders(session: Session, user: User, page: int = 1) -> WorkPage:
    """One page of the orders assigned to this person that are still to do, urgent first,
    then by due time, as list rows (workorders.rows). Numbered pages (OFFSET): what one person
    has to do is a few hundred orders at most, all read from the assignee's index."""
    size = STAFF_PAGE_SIZE
    rows = list(
        session.execute(
            _STAFF_ORDERS, {"user_id": user.id, "size": size + 1, "skip": (page - 1) * size}
        )
    )
    return WorkPage(rows[:size], page, len(rows) > size)


def contacts_for(order: WorkOrder, viewer: User) -> list[User]:
    """Whom the viewer may phone about this order: the requester and the person it is for.
    Only for who must reach them: the office, and the staff member or volunteer assigned
    while the order is still theirs to finish. Never other residents or other staff."""
    if viewer.has_role(Role.OPERATOR, Role.ADMIN):
        allowed = True
    else:
        allowed = (
            order.assignee_id == viewer.id
            and viewer.has_role(Role.STAFF, Role.VOLUNTEER)
            and order.status in states.ACTIVE_STATUSES
        )
    if not allowed:
        return []
    people = [order.on_behalf_of, order.requester]
    return [person for person in dict.fromkeys(people) if person is not None and person.phone]


def close_unconfirmed(session: Session, now: datetime | None = None) -> int:
    """Close orders resolved more than 7 days ago that their requester never confirmed."""
    now = now or utcnow()
    cutoff = now - states.AUTO_CLOSE_AFTER
    due = session.scalars(
        select(WorkOrder).where(
            WorkOrder.status == states.RESOLVED, WorkOrder.resolved_at <= cutoff
        )
    ).all()
    closed = 0
    for order in due:
        try:
            machine.apply(session, order, None, "auto_close", order.version, now=now)
            closed += 1
        except Conflict:
            continue  # the requester acted at the same moment: theirs wins
    return closed


def shown_name(order: WorkOrder, actor: User | None, viewer: User) -> str:
    """The name a viewer sees for whoever took a step: residents never see other residents'
    names, except between the requester and the person the report is for."""
    if actor is None:
        return _("The system")
    if actor.id == viewer.id:
        return _("You")
    if viewer.has_role(Role.OPERATOR, Role.ADMIN, Role.STAFF) or actor.has_role(
        Role.OPERATOR, Role.ADMIN, Role.STAFF
    ):
        return actor.name
    pair = {order.requester_id, order.on_behalf_of_id}
    if viewer.id in pair and actor.id in pair:
        return actor.name
    return _("A resident")


def _open_loads():
    """Orders each member of staff is working on, by assignee."""
    return (
        select(WorkOrder.assignee_id, func.count().label("load"))
        .where(WorkOrder.status.in_([states.ASSIGNED, states.IN_PROGRESS, states.REOPENED]))
        .group_by(WorkOrder.assignee_id)
        .subquery()
    )


def _staff_with(columns, roles: Iterable[str]):
    open_orders = _open_loads()
    return (
        select(*columns, func.coalesce(open_orders.c.load, 0))
        .outerjoin(open_orders, open_orders.c.assignee_id == User.id)
        .where(
            User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(list(roles)))),
            User.status == AccountStatus.ACTIVE,
        )
        .order_by(User.name, User.id)
    )


def staff_with_load(
    session: Session, roles: Iterable[str] = (Role.STAFF,)
) -> list[tuple[User, int]]:
    """Everyone active who holds one of the roles (the service staff, unless the kind of order
    says otherwise) with how many orders they have open, in one query: the operator's picker
    when assigning."""
    rows = session.execute(_staff_with([User], roles)).all()
    return [(user, load) for user, load in rows]


def staff_picker(session: Session, roles: Iterable[str] = (Role.STAFF,)) -> list[tuple]:
    """staff_with_load for a page: the same people, order and counts, as plain
    (person, open load) pairs where person has only .id and .name, read as columns."""
    rows = session.execute(_staff_with([User.id, User.name], roles)).all()
    return [(StaffMember(person_id, name), load) for person_id, name, load in rows]


@dataclass(frozen=True)
class StaffMember:
    id: int
    name: str


def parse_picks(values: list[str]) -> dict[int, int]:
    """The ticked rows of a bulk form, each "<order id>:<version it was shown with>". Anything
    else (a bare id, junk, numbers no database holds) is left out: both halves go through the
    one id parser."""
    picks = {}
    for value in values:
        number, _, version = str(value).partition(":")
        number, version = id_or_none(number), id_or_none(version)
        if number is not None and version is not None:
            picks[number] = version
    return picks


def assign_orders(
    session: Session, operator: User, picks: dict[int, int], assignee: User
) -> tuple[list[int], list[str]]:
    """Assign each ticked order as it was shown (picks: id -> version), through the same
    transition as the order page; say why each other one was not. An order someone is working
    on is never taken off them in bulk: that is done on its own page, on purpose. The caller
    commits once: machine.apply changes nothing when it refuses, so the skipped orders leave no
    trace in the transaction."""
    orders = session.scalars(
        select(WorkOrder).where(WorkOrder.id.in_(list(picks))).order_by(WorkOrder.id)
    ).all()
    found = {order.id for order in orders}
    skipped = [
        _("#%(number)d does not exist.", number=number)
        for number in sorted(picks)
        if number not in found
    ]
    assigned = []
    for order in orders:
        number, status = order.id, order.status
        if status == states.IN_PROGRESS:
            skipped.append(
                _("#%(number)d is being worked on: reassign it on its own page.", number=number)
            )
            continue
        try:
            machine.apply(
                session, order, operator, "assign", picks[number], assignee_id=assignee.id
            )
        except Conflict:
            skipped.append(skip_reason(number, status))
        else:
            assigned.append(number)
    return assigned, skipped


def skip_reason(number: int, status: str) -> str:
    label = states.STATUS_LABELS[status]
    if (status, "assign") in machine.TRANSITIONS:
        return _("#%(number)d was changed by someone else a moment ago.", number=number)
    if status == states.SUBMITTED:
        return _("#%(number)d is %(status)s: accept it first.", number=number, status=label)
    return _("#%(number)d is %(status)s: it cannot be assigned.", number=number, status=label)
