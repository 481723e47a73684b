"""Reporting a repair, "is it one of these?" for a common place, and "me too"."""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from community.accounts import relations
from community.accounts.models import AccountStatus, Role, User
from community.core.errors import Conflict, Invalid, NotAllowed, NotFound
from community.core.links import path_for
from community.directory.models import Place
from community.notify import outbox
from community.repairs.kind import REPAIR
from community.workorders import machine, states
from community.workorders.announce import WORKORDER
from community.workorders.models import WorkOrder, WorkOrderFollower
from community.workorders.orders import is_following

URGENCIES = ["normal", "urgent"]
MAX_DESCRIPTION = 2000


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
    if category not in REPAIR.categories:
        raise Invalid(_("Choose what kind of problem it is."), field="category")
    description = (description or "").strip()
    if not description:
        raise Invalid(_("Describe the problem in a few words."), field="description")
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(_("At most %(max)d characters.", max=MAX_DESCRIPTION), field="description")
    if urgency not in URGENCIES:
        raise Invalid(_("Choose how urgent it is."), field="urgency")
    for_whom = None
    if on_behalf_of.strip():
        for_whom = relations.person_to_act_for(session, reporter, on_behalf_of, "on_behalf_of")
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
        kind=REPAIR.name,
        status=states.SUBMITTED,
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
    event = machine.record(session, order, reporter, "report", description)
    for photo in photos or []:
        photo.order_id, photo.event_id = order.id, event.id
        session.add(photo)
    if for_whom is not None:
        outbox.queue(
            session,
            [for_whom],
            WORKORDER,
            lambda: (
                _("%(name)s reported a repair for you", name=reporter.name),
                description[:200],
            ),
            link=path_for(REPAIR.link_endpoint, order_id=order.id),
        )
    return order


def open_reports_at(session: Session, place_id: int, limit: int = 10) -> list[WorkOrder]:
    """Open reports about a common place: "is it one of these?"."""
    return list(
        session.scalars(
            select(WorkOrder)
            .where(
                WorkOrder.place_id == place_id,
                WorkOrder.status.in_(states.ACTIVE_STATUSES),
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
    if order.status not in states.ACTIVE_STATUSES:
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
    machine.record(session, order, user, "follow")
    return order
