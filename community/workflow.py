"""The work-order state machine, declared once as data, and the one function that moves an
order through it: check the table and the actor, bump the version, append the event, notify."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from community import notifications
from community.errors import Conflict, Invalid, NotAllowed, NotFound
from community.models import Role, User, WorkOrder, WorkOrderEvent, WorkOrderFollower, utcnow

# Statuses, in the order an order usually lives through them.
SUBMITTED, ACCEPTED, ASSIGNED, IN_PROGRESS = "submitted", "accepted", "assigned", "in_progress"
RESOLVED, CLOSED, REOPENED = "resolved", "closed", "reopened"
REJECTED, CANCELLED, DUPLICATE = "rejected", "cancelled", "duplicate"
STATUSES = [SUBMITTED, ACCEPTED, ASSIGNED, IN_PROGRESS, REOPENED, RESOLVED, CLOSED]
STATUSES += [REJECTED, CANCELLED, DUPLICATE]
OPEN_STATUSES = [SUBMITTED, ACCEPTED, ASSIGNED, IN_PROGRESS, REOPENED]
# Orders someone still has to act on (the requester, for resolved ones).
ACTIVE_STATUSES = [*OPEN_STATUSES, RESOLVED]

STATUS_LABELS = {
    SUBMITTED: _l("Submitted"),
    ACCEPTED: _l("Accepted"),
    ASSIGNED: _l("Assigned"),
    IN_PROGRESS: _l("In progress"),
    REOPENED: _l("Reopened"),
    RESOLVED: _l("Resolved"),
    CLOSED: _l("Closed"),
    REJECTED: _l("Rejected"),
    CANCELLED: _l("Cancelled"),
    DUPLICATE: _l("Duplicate"),
}

# Who someone is to an order.
REQUESTER, ASSIGNEE, OPERATOR, SYSTEM = "requester", "assignee", "operator", "system"

ACTION_LABELS = {
    "accept": _l("Accept"),
    "reject": _l("Reject"),
    "duplicate": _l("Mark as duplicate"),
    "assign": _l("Assign"),
    "start": _l("Start work"),
    "resolve": _l("Mark as fixed"),
    "confirm": _l("Confirm it is fixed"),
    "reopen": _l("Not fixed: reopen"),
    "cancel": _l("Cancel the report"),
    "comment": _l("Comment"),
    "rate": _l("Rate"),
    "auto_close": _l("Closed automatically"),
    "report": _l("Reported"),
    "follow": _l("Me too"),
}

# What the timeline says happened.
EVENT_TEXTS = {
    "report": _l("Reported"),
    "accept": _l("Accepted by the office"),
    "reject": _l("Rejected"),
    "duplicate": _l("Marked as a duplicate"),
    "assign": _l("Assigned"),
    "start": _l("Work started"),
    "resolve": _l("Fixed"),
    "confirm": _l("Confirmed fixed"),
    "reopen": _l("Reopened"),
    "cancel": _l("Cancelled"),
    "comment": _l("Comment"),
    "rate": _l("Rated"),
    "auto_close": _l("Closed automatically"),
    "follow": _l("Another resident reported the same"),
}


@dataclass(frozen=True)
class Rule:
    to: str
    who: frozenset[str]


def _rule(to: str, *who: str) -> Rule:
    return Rule(to, frozenset(who))


TRANSITIONS: dict[tuple[str, str], Rule] = {
    (SUBMITTED, "accept"): _rule(ACCEPTED, OPERATOR),
    (SUBMITTED, "reject"): _rule(REJECTED, OPERATOR),
    (ACCEPTED, "reject"): _rule(REJECTED, OPERATOR),
    (SUBMITTED, "duplicate"): _rule(DUPLICATE, OPERATOR),
    (ACCEPTED, "duplicate"): _rule(DUPLICATE, OPERATOR),
    (ACCEPTED, "assign"): _rule(ASSIGNED, OPERATOR),
    (ASSIGNED, "assign"): _rule(ASSIGNED, OPERATOR),
    (IN_PROGRESS, "assign"): _rule(ASSIGNED, OPERATOR),
    (REOPENED, "assign"): _rule(ASSIGNED, OPERATOR),
    (ASSIGNED, "start"): _rule(IN_PROGRESS, ASSIGNEE),
    (REOPENED, "start"): _rule(IN_PROGRESS, ASSIGNEE),
    (IN_PROGRESS, "resolve"): _rule(RESOLVED, ASSIGNEE),
    (RESOLVED, "confirm"): _rule(CLOSED, REQUESTER),
    (RESOLVED, "reopen"): _rule(REOPENED, REQUESTER),
    (RESOLVED, "auto_close"): _rule(CLOSED, SYSTEM),
    (SUBMITTED, "cancel"): _rule(CANCELLED, REQUESTER),
    (ACCEPTED, "cancel"): _rule(CANCELLED, REQUESTER),
    (ASSIGNED, "cancel"): _rule(CANCELLED, REQUESTER),
    (CLOSED, "rate"): _rule(CLOSED, REQUESTER),
    **{
        (status, "comment"): _rule(status, REQUESTER, ASSIGNEE, OPERATOR)
        for status in ACTIVE_STATUSES
    },
}
ACTIONS = sorted({action for _status, action in TRANSITIONS})
# Everyone who may take an action in some state: anyone else is refused outright (403).
MAY_EVER: dict[str, frozenset[str]] = {
    action: frozenset().union(*(r.who for (_s, a), r in TRANSITIONS.items() if a == action))
    for action in ACTIONS
}

REOPEN_WINDOW = timedelta(days=7)
AUTO_CLOSE_AFTER = timedelta(days=7)

PRIORITIES = ["low", "normal", "high", "urgent"]
PRIORITY_LABELS = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
}
# Hours from acceptance to the due time, per priority; some categories are faster.
SLA_HOURS = {"low": 168, "normal": 72, "high": 24, "urgent": 4}
SLA_FACTOR = {"elevator": 0.5, "electrical": 0.75}

CATEGORIES = [
    "plumbing",
    "electrical",
    "elevator",
    "doors_locks",
    "public_area",
    "greenery",
    "noise",
    "other",
]
CATEGORY_LABELS = {
    "plumbing": _l("Plumbing"),
    "electrical": _l("Electrical"),
    "elevator": _l("Elevator"),
    "doors_locks": _l("Doors and locks"),
    "public_area": _l("Public area"),
    "greenery": _l("Greenery"),
    "noise": _l("Noise"),
    "other": _l("Other"),
}


def due_time(category: str, priority: str, start: datetime) -> datetime:
    hours = SLA_HOURS[priority] * SLA_FACTOR.get(category, 1.0)
    return start + timedelta(hours=hours)


def is_overdue(order: WorkOrder, now: datetime | None = None) -> bool:
    return (
        order.due_at is not None
        and order.status in OPEN_STATUSES
        and order.due_at < (now or utcnow())
    )


def relations(order: WorkOrder, user: User | None) -> set[str]:
    """What the person is to this order: requester, assignee, operator (or system if None)."""
    if user is None:
        return {SYSTEM}
    found = set()
    if user.id in (order.requester_id, order.on_behalf_of_id):
        found.add(REQUESTER)
    if order.assignee_id == user.id and user.has_role(Role.STAFF, Role.VOLUNTEER):
        found.add(ASSIGNEE)
    if user.has_role(Role.OPERATOR, Role.ADMIN):
        found.add(OPERATOR)
    return found


def allowed_actions(order: WorkOrder, user: User, now: datetime | None = None) -> list[str]:
    """The actions this person can take on the order now, for showing the right buttons."""
    mine = relations(order, user)
    actions = []
    for (status, action), rule in TRANSITIONS.items():
        if status != order.status or not (mine & rule.who):
            continue
        if action == "reopen" and not within_reopen_window(order, now):
            continue
        if action == "rate" and order.rating is not None:
            continue
        actions.append(action)
    return actions


def within_reopen_window(order: WorkOrder, now: datetime | None = None) -> bool:
    return order.resolved_at is not None and (now or utcnow()) <= (
        order.resolved_at + REOPEN_WINDOW
    )


def _required_note(note: str, message: str) -> str:
    note = (note or "").strip()
    if not note:
        raise Invalid(message, field="note")
    return note[:2000]


def _changes_for(
    session: Session, order: WorkOrder, action: str, now: datetime, fields: dict
) -> tuple[dict, str]:
    """The columns an action sets besides status and version, and the note for the timeline."""
    note = (fields.get("note") or "").strip()[:2000]
    if action == "accept":
        category = fields.get("category") or order.category
        priority = fields.get("priority") or order.priority
        if category not in CATEGORIES:
            raise Invalid(_("Choose a category from the list."), field="category")
        if priority not in PRIORITIES:
            raise Invalid(_("Choose a priority from the list."), field="priority")
        due = due_time(category, priority, now)
        return {"category": category, "priority": priority, "due_at": due}, note
    if action == "reject":
        note = _required_note(note, _("Say why the report is rejected."))
        return {"status_note": note[:500]}, note
    if action == "duplicate":
        original = _original_for(session, order, fields.get("duplicate_of"))
        return {"duplicate_of_id": original.id}, note
    if action == "assign":
        assignee = session.get(User, fields.get("assignee_id") or 0)
        if assignee is None or not assignee.has_role(Role.STAFF):
            raise Invalid(_("Choose a member of the service staff."), field="assignee_id")
        return {"assignee_id": assignee.id}, note
    if action == "resolve":
        return {"resolved_at": now}, _required_note(note, _("Say what was done."))
    if action == "reopen":
        if not within_reopen_window(order, now):
            raise Conflict(_("It is more than 7 days since this was fixed: report it again."))
        return {"resolved_at": None}, _required_note(note, _("Say what is still wrong."))
    if action in ("confirm", "auto_close"):
        return {"closed_at": now}, note
    if action == "rate":
        rating = fields.get("rating")
        if order.rating is not None:
            raise Conflict(_("You have rated this already."))
        if not isinstance(rating, int) or not 1 <= rating <= 5:
            raise Invalid(_("Choose from 1 to 5 stars."), field="rating")
        return {"rating": rating, "rating_comment": note[:500]}, note
    if action == "comment":
        return {}, _required_note(note, _("Write your comment."))
    return {}, note


def _original_for(session: Session, order: WorkOrder, original_id) -> WorkOrder:
    try:
        original = session.get(WorkOrder, int(original_id))
    except (TypeError, ValueError):
        original = None
    if original is None or original.id == order.id or original.kind != order.kind:
        raise Invalid(_("Give the number of the original report."), field="duplicate_of")
    if original.status not in ACTIVE_STATUSES:
        raise Invalid(_("The original report must still be open."), field="duplicate_of")
    return original


def apply(
    session: Session,
    order: WorkOrder,
    actor: User | None,
    action: str,
    expected_version: int,
    *,
    now: datetime | None = None,
    photos: list | None = None,
    **fields,
) -> WorkOrderEvent:
    """Take an action on an order. The caller commits; on any error nothing is changed.

    actor None is the system (the scheduler). Raises NotFound for an unknown action,
    NotAllowed when the actor may never take it, Conflict when the order's state does not
    allow it or someone changed the order since expected_version, Invalid for bad input.
    """
    if action not in MAY_EVER:
        raise NotFound(_("No such action."))
    mine = relations(order, actor)
    if not mine & MAY_EVER[action]:
        raise NotAllowed(_("You are not allowed to do that."))
    rule = TRANSITIONS.get((order.status, action))
    if rule is None or not mine & rule.who:
        raise Conflict(
            _(
                "This cannot be done while the order is %(status)s.",
                status=STATUS_LABELS[order.status],
            )
        )
    now = now or utcnow()
    changes, note = _changes_for(session, order, action, now, fields)
    from_status = order.status
    result = session.execute(
        update(WorkOrder)
        .where(WorkOrder.id == order.id, WorkOrder.version == expected_version)
        .values(status=rule.to, version=expected_version + 1, updated_at=now, **changes)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(_("Someone else changed this order a moment ago. Look again and retry."))
    event = WorkOrderEvent(
        order_id=order.id,
        actor_id=actor.id if actor else None,
        action=action,
        from_status=from_status,
        to_status=rule.to,
        note=note,
        created_at=now,
    )
    session.add(event)
    session.flush()
    for photo in photos or []:
        photo.order_id, photo.event_id = order.id, event.id
        session.add(photo)
    session.expire(order)
    if action == "duplicate":
        _merge_followers(session, order, changes["duplicate_of_id"])
    notifications.order_changed(session, order, event, actor)
    return event


def _merge_followers(session: Session, duplicate: WorkOrder, original_id: int) -> None:
    """The duplicate's people follow the original from now on."""
    wanted = {duplicate.requester_id, duplicate.on_behalf_of_id} | set(
        session.scalars(
            select(WorkOrderFollower.user_id).where(WorkOrderFollower.order_id == duplicate.id)
        )
    )
    wanted.discard(None)
    present = set(
        session.scalars(
            select(WorkOrderFollower.user_id).where(WorkOrderFollower.order_id == original_id)
        )
    )
    for user_id in wanted - present:
        session.add(WorkOrderFollower(order_id=original_id, user_id=user_id))


def record(
    session: Session, order: WorkOrder, actor: User, action: str, note: str = ""
) -> WorkOrderEvent:
    """An event that changes no state (the report itself, a "me too")."""
    event = WorkOrderEvent(
        order_id=order.id,
        actor_id=actor.id,
        action=action,
        from_status=None if action == "report" else order.status,
        to_status=order.status,
        note=note,
    )
    session.add(event)
    session.flush()
    return event
