"""The work-order state machine, declared once as data, and the one function that moves an
order through it: check the table and the actor, bump the version, append the event, tell the
people concerned, in the caller's transaction. Kind-specific facts come from workorders.kinds;
what each action changes besides the status is a table of handlers."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from community.accounts.models import Role, User
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid, NotAllowed, NotFound
from community.core.events import work_order_changed
from community.workorders import announce
from community.workorders.kinds import Kind, kind_of
from community.workorders.models import WorkOrder, WorkOrderEvent, WorkOrderFollower
from community.workorders.states import (
    ACCEPTED,
    ACTIVE_STATUSES,
    ASSIGNED,
    ASSIGNEE,
    CANCELLED,
    CLAIMANT,
    CLOSED,
    DUPLICATE,
    IN_PROGRESS,
    OPEN_STATUSES,
    OPERATOR,
    PRIORITIES,
    REJECTED,
    REOPEN_WINDOW,
    REOPENED,
    REQUESTER,
    RESOLVED,
    STATUS_LABELS,
    SUBMITTED,
    SYSTEM,
)

MAX_NOTE = 2000


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
    (ACCEPTED, "claim"): _rule(ASSIGNED, CLAIMANT),
    # Work taken from the open board may be handed back before it starts (claimable kinds
    # only: see _release); it goes back on the board.
    (ASSIGNED, "release"): _rule(ACCEPTED, ASSIGNEE),
    (ASSIGNED, "start"): _rule(IN_PROGRESS, ASSIGNEE),
    (REOPENED, "start"): _rule(IN_PROGRESS, ASSIGNEE),
    (IN_PROGRESS, "resolve"): _rule(RESOLVED, ASSIGNEE),
    (RESOLVED, "confirm"): _rule(CLOSED, REQUESTER),
    (RESOLVED, "reopen"): _rule(REOPENED, REQUESTER),
    (RESOLVED, "auto_close"): _rule(CLOSED, SYSTEM),
    # An order the system opens for something already agreed (an at-home booking: the time was
    # free, so there is nothing for the office to accept): due at the agreed time, and given
    # straight to the one who will do it when that is known.
    (SUBMITTED, "schedule"): _rule(ACCEPTED, SYSTEM),
    (SUBMITTED, "dispatch"): _rule(ASSIGNED, SYSTEM),
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


def is_overdue(order: WorkOrder, now: datetime | None = None) -> bool:
    return (
        order.due_at is not None
        and order.status in OPEN_STATUSES
        and order.due_at < (now or utcnow())
    )


def relations(order: WorkOrder, user: User | None) -> set[str]:
    """What the person is to this order: requester, assignee, operator, one who may claim it
    (or system if None)."""
    if user is None:
        return {SYSTEM}
    kind = kind_of(order)
    found = set()
    if user.id in (order.requester_id, order.on_behalf_of_id):
        found.add(REQUESTER)
    if order.assignee_id == user.id and user.has_role(*kind.assignable_roles):
        found.add(ASSIGNEE)
    if kind.claimable and user.has_role(*kind.claim_roles):
        found.add(CLAIMANT)  # the claim itself checks that nobody has it yet
    if user.has_role(Role.OPERATOR, Role.ADMIN):
        found.add(OPERATOR)
    return found


def within_reopen_window(order: WorkOrder, now: datetime | None = None) -> bool:
    return order.resolved_at is not None and (now or utcnow()) <= (
        order.resolved_at + REOPEN_WINDOW
    )


# Shown only where they can succeed: reopen within its window, rate once.
_OFFERED: dict[str, Callable[[WorkOrder, datetime | None], bool]] = {
    "reopen": within_reopen_window,
    "rate": lambda order, now: order.rating is None,
    "release": lambda order, now: kind_of(order).claimable,
}


def allowed_actions(order: WorkOrder, user: User, now: datetime | None = None) -> list[str]:
    """The actions this person can take on the order now, for showing the right buttons."""
    mine = relations(order, user)
    return [
        action
        for (status, action), rule in TRANSITIONS.items()
        if status == order.status and mine & rule.who
        if _OFFERED.get(action, lambda *_: True)(order, now)
    ]


# ---- What each action changes besides status and version --------------------------------


@dataclass
class Step:
    """One action being taken: what a handler reads."""

    session: Session
    order: WorkOrder
    kind: Kind
    actor: User | None
    now: datetime
    fields: dict

    @property
    def note(self) -> str:
        return (self.fields.get("note") or "").strip()

    def required_note(self, message: str) -> str:
        if not self.note:
            raise Invalid(message, field="note")
        return self.note


@dataclass
class Change:
    values: dict = field(default_factory=dict)  # columns to set
    note: str = ""  # for the timeline
    # Conditions the UPDATE must meet besides the order's id. None: the version the person saw.
    guard: list | None = None


def _accept(step: Step) -> Change:
    category = step.fields.get("category") or step.order.category
    priority = step.fields.get("priority") or step.order.priority
    if category not in step.kind.categories:
        raise Invalid(_("Choose a category from the list."), field="category")
    if priority not in PRIORITIES:
        raise Invalid(_("Choose a priority from the list."), field="priority")
    due = step.kind.due_time(category, priority, step.now)
    return Change({"category": category, "priority": priority, "due_at": due}, step.note)


def _schedule(step: Step) -> Change:
    """Accepted by the system for an agreed time (fields due_at), or the kind's SLA."""
    category = step.fields.get("category") or step.order.category
    if category not in step.kind.categories:
        raise Invalid(_("Choose a category from the list."), field="category")
    due = step.fields.get("due_at")
    if not isinstance(due, datetime):
        due = step.kind.due_time(category, step.order.priority, step.now)
    return Change({"category": category, "due_at": due}, step.note)


def _dispatch(step: Step) -> Change:
    scheduled, assigned = _schedule(step), _assign(step)
    return Change({**scheduled.values, **assigned.values}, step.note)


def _reject(step: Step) -> Change:
    note = step.required_note(_("Say why the report is rejected."))
    if len(note) > 500:
        raise Invalid(_("At most %(max)d characters.", max=500), field="note")
    return Change({"status_note": note}, note)


def _duplicate(step: Step) -> Change:
    original = _original_for(step.session, step.order, step.fields.get("duplicate_of"))
    return Change({"duplicate_of_id": original.id}, step.note)


def _assign(step: Step) -> Change:
    assignee_id = step.fields.get("assignee_id")
    assignee = step.session.get(User, assignee_id) if isinstance(assignee_id, int) else None
    if assignee is None or not assignee.has_role(*step.kind.assignable_roles):
        raise Invalid(_("Choose someone who can do this work."), field="assignee_id")
    return Change({"assignee_id": assignee.id}, step.note)


def _claim(step: Step) -> Change:
    # Whoever's UPDATE lands first while it is still unassigned has it: no version needed, the
    # board may be a minute old and still right.
    return Change(
        {"assignee_id": step.actor.id},
        step.note,
        guard=[WorkOrder.assignee_id.is_(None), WorkOrder.status == step.order.status],
    )


def _release(step: Step) -> Change:
    if not step.kind.claimable:
        raise Conflict(_("Only work taken from the open board can be handed back."))
    # Only while it is still theirs: an operator's reassignment at the same moment wins.
    return Change(
        {"assignee_id": None},
        step.note,
        guard=[WorkOrder.assignee_id == step.actor.id, WorkOrder.status == step.order.status],
    )


def _resolve(step: Step) -> Change:
    return Change({"resolved_at": step.now}, step.required_note(_("Say what was done.")))


def _reopen(step: Step) -> Change:
    if not within_reopen_window(step.order, step.now):
        raise Conflict(_("It is more than 7 days since this was fixed: report it again."))
    return Change({"resolved_at": None}, step.required_note(_("Say what is still wrong.")))


def _close(step: Step) -> Change:
    return Change({"closed_at": step.now}, step.note)


def _rate(step: Step) -> Change:
    rating = step.fields.get("rating")
    if step.order.rating is not None:
        raise Conflict(_("You have rated this already."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Invalid(_("Choose from 1 to 5 stars."), field="rating")
    if len(step.note) > 500:
        raise Invalid(_("At most %(max)d characters.", max=500), field="note")
    return Change({"rating": rating, "rating_comment": step.note}, step.note)


def _comment(step: Step) -> Change:
    return Change({}, step.required_note(_("Write your comment.")))


HANDLERS: dict[str, Callable[[Step], Change]] = {
    "accept": _accept,
    "reject": _reject,
    "duplicate": _duplicate,
    "assign": _assign,
    "schedule": _schedule,
    "dispatch": _dispatch,
    "claim": _claim,
    "release": _release,
    "resolve": _resolve,
    "reopen": _reopen,
    "confirm": _close,
    "auto_close": _close,
    "rate": _rate,
    "comment": _comment,
}


def _plain(step: Step) -> Change:
    return Change({}, step.note)


def _original_for(session: Session, order: WorkOrder, original_id) -> WorkOrder:
    original = session.get(WorkOrder, original_id) if isinstance(original_id, int) else None
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
    expected_version: int | None,
    *,
    now: datetime | None = None,
    photos: list | None = None,
    acting_for: User | None = None,
    **fields,
) -> WorkOrderEvent:
    """Take an action on an order. The caller commits; on any error nothing is changed.

    actor None is the system (the scheduler). Raises NotFound for an unknown action,
    NotAllowed when the actor may never take it, Conflict when the order's state does not
    allow it or someone changed the order since expected_version, Invalid for bad input.

    acting_for: the person the actor acts for (an elder's family, the office at the desk): the
    table is judged by who that person is to the order, and the event still records the actor.
    The caller has checked that the actor may act for them.
    """
    if action not in MAY_EVER:
        raise NotFound(_("No such action."))
    mine = relations(order, acting_for or actor)
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
    step = Step(session, order, kind_of(order), actor, now, fields)
    if len(step.note) > MAX_NOTE:
        raise Invalid(_("At most %(max)d characters.", max=MAX_NOTE), field="note")
    change = HANDLERS.get(action, _plain)(step)
    guard = change.guard
    if guard is None:
        guard = [WorkOrder.version == expected_version]
    from_status = order.status
    result = session.execute(
        update(WorkOrder)
        .where(WorkOrder.id == order.id, *guard)
        .values(status=rule.to, version=WorkOrder.version + 1, updated_at=now, **change.values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        if action == "claim":
            raise Conflict(_("Someone else took this on a moment ago."))
        raise Conflict(_("Someone else changed this order a moment ago. Look again and retry."))
    event = WorkOrderEvent(
        order_id=order.id,
        actor_id=actor.id if actor else None,
        action=action,
        from_status=from_status,
        to_status=rule.to,
        note=change.note,
        created_at=now,
    )
    session.add(event)
    session.flush()
    for photo in photos or []:
        photo.order_id, photo.event_id = order.id, event.id
        session.add(photo)
    session.expire(order)
    if action == "duplicate":
        _merge_followers(session, order, change.values["duplicate_of_id"])
    announce.order_changed(session, order, event, actor)
    work_order_changed.send(session, order=order, event=event, actor=actor)
    return event


def claim(session: Session, order: WorkOrder, volunteer: User, note: str = "") -> WorkOrderEvent:
    """Take an unassigned order of a claimable kind from the open board. Two people at once:
    one has it, the other is told someone else took it (Conflict)."""
    return apply(session, order, volunteer, "claim", None, note=note)


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
