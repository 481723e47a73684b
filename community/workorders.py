"""Work-order rules outside the state machine: reporting, who may see what, "me too",
the lists each person works from, and closing orders nobody confirmed."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists, func, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from community import accounts, notifications, workflow
from community.errors import Conflict, Invalid, NotAllowed, NotFound
from community.links import path_for
from community.models import (
    AccountStatus,
    Place,
    Role,
    User,
    UserRole,
    WorkOrder,
    WorkOrderFollower,
    utcnow,
)

URGENCIES = ["normal", "urgent"]
MAX_DESCRIPTION = 2000


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


def _resident(session: Session, login: str) -> User:
    try:
        user = accounts.find_by_login(session, login)
    except Invalid:
        user = None
    if user is None or not user.has_role(Role.RESIDENT):
        raise Invalid(_("No resident has this phone number or email."), field="on_behalf_of")
    return user


def report_repair(
    session: Session,
    reporter: User,
    *,
    category: str,
    description: str,
    urgency: str = "normal",
    place_id: int | None = None,
    on_behalf_of: str = "",
    photos: list | None = None,
) -> WorkOrder:
    """A new repair report, at the requester's home (place_id None) or a common place."""
    if reporter.status != AccountStatus.ACTIVE or not reporter.roles:
        raise NotAllowed(_("Your account must be approved before you can report."))
    if category not in workflow.CATEGORIES:
        raise Invalid(_("Choose what kind of problem it is."), field="category")
    description = (description or "").strip()
    if not description:
        raise Invalid(_("Describe the problem in a few words."), field="description")
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(_("At most %(max)d characters.", max=MAX_DESCRIPTION), field="description")
    if urgency not in URGENCIES:
        raise Invalid(_("Choose how urgent it is."), field="urgency")
    for_whom = _resident(session, on_behalf_of) if on_behalf_of.strip() else None
    if for_whom is not None and for_whom.id == reporter.id:
        for_whom = None
    place = unit = None
    if place_id:
        place = session.get(Place, place_id)
        if place is None:
            raise Invalid(_("Choose a place from the list."), field="place")
    else:
        unit = (for_whom or reporter).unit
        if unit is None:
            raise Invalid(_("You have no home on record: choose a common place."), field="place")
    order = WorkOrder(
        kind="repair",
        status=workflow.SUBMITTED,
        priority="urgent" if urgency == "urgent" else "normal",
        category=category,
        description=description,
        place=place,
        unit=unit,
        building_id=place.building_id if place else unit.building_id,
        requester_id=reporter.id,
        on_behalf_of_id=for_whom.id if for_whom else None,
    )
    session.add(order)
    session.flush()
    event = workflow.record(session, order, reporter, "report", description)
    for photo in photos or []:
        photo.order_id, photo.event_id = order.id, event.id
        session.add(photo)
    if for_whom is not None:
        notifications.queue(
            session,
            [for_whom],
            "workorder",
            lambda: (
                _("%(name)s reported a repair for you", name=reporter.name),
                description[:200],
            ),
            link=path_for("repairs.detail", order_id=order.id),
        )
    return order


def open_reports_at(session: Session, place_id: int, limit: int = 10) -> list[WorkOrder]:
    """Open reports about a common place: "is it one of these?"."""
    return list(
        session.scalars(
            select(WorkOrder)
            .where(
                WorkOrder.place_id == place_id,
                WorkOrder.status.in_(workflow.ACTIVE_STATUSES),
            )
            .order_by(WorkOrder.id.desc())
            .limit(limit)
        )
    )


def follow(session: Session, user: User, order_id: int) -> WorkOrder:
    """ "Me too": a resident follows someone else's report about a common place."""
    if not user.has_role(Role.RESIDENT):
        raise NotAllowed(_("Only residents can join a report."))
    order = session.get(WorkOrder, order_id)
    if order is None or order.place_id is None:
        # Reports about someone's home are private: they cannot be joined, or even found.
        raise NotFound(_("No such report."))
    if order.status not in workflow.ACTIVE_STATUSES:
        raise Conflict(_("This report is finished already: make a new one."))
    if user.id in (order.requester_id, order.on_behalf_of_id) or is_following(
        session, order.id, user
    ):
        return order
    session.add(WorkOrderFollower(order_id=order.id, user_id=user.id))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()  # the same person, twice at once: once is enough
        return session.get(WorkOrder, order_id)
    workflow.record(session, order, user, "follow")
    return order


def my_orders(session: Session, user: User, limit: int = 50) -> list[WorkOrder]:
    """Orders I asked for, that were asked for me, or that I follow; the newest first.

    Three indexed lookups in a UNION: an OR across them makes databases scan every order."""
    mine = union(
        select(WorkOrder.id).where(WorkOrder.requester_id == user.id),
        select(WorkOrder.id).where(WorkOrder.on_behalf_of_id == user.id),
        select(WorkOrderFollower.order_id).where(WorkOrderFollower.user_id == user.id),
    ).subquery()
    return list(
        session.scalars(
            select(WorkOrder)
            .join(mine, WorkOrder.id == mine.c.id)
            .options(selectinload(WorkOrder.place), selectinload(WorkOrder.unit))
            .order_by(WorkOrder.id.desc())
            .limit(limit)
        )
    )


def staff_orders(session: Session, user: User) -> list[WorkOrder]:
    """The orders assigned to this person that are still to do: the soonest due first, so
    overdue ones come first."""
    return list(
        session.scalars(
            select(WorkOrder)
            .where(
                WorkOrder.assignee_id == user.id,
                WorkOrder.status.in_([workflow.ASSIGNED, workflow.IN_PROGRESS, workflow.REOPENED]),
            )
            .options(selectinload(WorkOrder.place), selectinload(WorkOrder.unit))
            .order_by(WorkOrder.due_at.is_(None), WorkOrder.due_at, WorkOrder.id)
        )
    )


def close_unconfirmed(session: Session, now: datetime | None = None) -> int:
    """Close orders resolved more than 7 days ago that their requester never confirmed."""
    now = now or utcnow()
    cutoff = now - workflow.AUTO_CLOSE_AFTER
    due = session.scalars(
        select(WorkOrder).where(
            WorkOrder.status == workflow.RESOLVED, WorkOrder.resolved_at <= cutoff
        )
    ).all()
    closed = 0
    for order in due:
        try:
            workflow.apply(session, order, None, "auto_close", order.version, now=now)
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


def staff_with_load(session: Session) -> list[tuple[User, int]]:
    """Every active member of the service staff with how many orders they have open, in one
    query: the operator's picker when assigning."""
    open_orders = (
        select(WorkOrder.assignee_id, func.count().label("load"))
        .where(WorkOrder.status.in_([workflow.ASSIGNED, workflow.IN_PROGRESS, workflow.REOPENED]))
        .group_by(WorkOrder.assignee_id)
        .subquery()
    )
    rows = session.execute(
        select(User, func.coalesce(open_orders.c.load, 0))
        .join(UserRole, UserRole.user_id == User.id)
        .outerjoin(open_orders, open_orders.c.assignee_id == User.id)
        .where(UserRole.role == Role.STAFF, User.status == AccountStatus.ACTIVE)
        .order_by(User.name, User.id)
    ).all()
    return [(user, load) for user, load in rows]


def assign_orders(
    session: Session, operator: User, order_ids: list[int], assignee: User
) -> tuple[list[int], list[str]]:
    """Assign each order that can be assigned in its state; say why each other one was not.
    The caller commits once: workflow.apply changes nothing when it refuses, so the skipped
    orders leave no trace in the transaction."""
    orders = session.scalars(
        select(WorkOrder).where(WorkOrder.id.in_(order_ids)).order_by(WorkOrder.id)
    ).all()
    found = {order.id for order in orders}
    skipped = [
        _("#%(number)d does not exist.", number=number)
        for number in order_ids
        if number not in found
    ]
    assigned = []
    for order in orders:
        number, status = order.id, order.status
        try:
            workflow.apply(
                session, order, operator, "assign", order.version, assignee_id=assignee.id
            )
        except Conflict:
            skipped.append(skip_reason(number, status))
        else:
            assigned.append(number)
    return assigned, skipped


def skip_reason(number: int, status: str) -> str:
    label = workflow.STATUS_LABELS[status]
    if (status, "assign") in workflow.TRANSITIONS:
        return _("#%(number)d was changed by someone else a moment ago.", number=number)
    if status == workflow.SUBMITTED:
        return _("#%(number)d is %(status)s: accept it first.", number=number, status=label)
    return _("#%(number)d is %(status)s: it cannot be assigned.", number=number, status=label)
