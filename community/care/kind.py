"""The care visit as a kind of work order that volunteers claim from the open board, and the
concern a visit raises for the office. The visit follows its order through
`core.events.work_order_changed`: "I'm here" and "done" set its times, and the confirming
transition (the elder's, or closing by itself a week after it was done) tells the time bank
(`core.events.visit_confirmed`), once."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from community.accounts.models import Role
from community.care.models import CareVisit
from community.core.events import visit_confirmed, work_order_changed
from community.notify import kinds as notify_kinds
from community.workorders.announce import WORKORDER
from community.workorders.kinds import Kind, declare

CARE = notify_kinds.declare("care", _l("Care visits: new requests and updates"))

# What a visit is for, in the order the request form offers them.
VISIT_KINDS = {
    "visit": _l("A chat visit (探访)"),
    "meal": _l("Meal delivery (助餐)"),
    "clean": _l("Cleaning (助洁)"),
    "clinic": _l("Escort to a clinic (助医)"),
    "bath": _l("Help with a bath (助浴)"),
    "shopping": _l("Shopping"),
    "other": _l("Other"),
}

CARE_VISIT = declare(
    Kind(
        name="care_visit",
        label=_l("Care visit"),
        categories=VISIT_KINDS,
        # Only for a visit the office opens without a time: a request is due at its window.
        sla_hours={"low": 96, "normal": 48, "high": 12, "urgent": 2},
        assignable_roles=frozenset({Role.VOLUNTEER}),
        claim_roles=frozenset({Role.VOLUNTEER}),
        notification_kind=CARE,
        update_title=_l("Care visit #%(number)d: %(what)s"),
        link_endpoint="care.visit",
        event_texts={
            "report": _l("Asked for"),
            "schedule": _l("On the volunteers' board"),
            "claim": _l("A volunteer took it on"),
            "assign": _l("The office gave it to a volunteer"),
            "release": _l("Handed back to the board"),
            "start": _l("The volunteer is there"),
            "resolve": _l("Visit done"),
            "confirm": _l("Confirmed: the visit happened"),
            "rate": _l("Thanked"),
            "cancel": _l("Cancelled"),
            "auto_close": _l("Closed without confirmation"),
        },
    )
)

CARE_CONCERN = declare(
    Kind(
        name="care_concern",
        label=_l("Concern from a care visit"),
        categories={"wellbeing": _l("How the elder is")},
        sla_hours={"low": 48, "normal": 24, "high": 8, "urgent": 2},
        assignable_roles=frozenset({Role.OPERATOR, Role.STAFF}),
        notification_kind=WORKORDER,
        update_title=_l("Concern #%(number)d: %(what)s"),
        link_endpoint="workorders.detail",
    )
)

# Which time of the visit each transition sets.
_TIMES = {"start": "arrived_at", "resolve": "finished_at"}


@work_order_changed.connect
def _follow_order(session: Session, *, order, event, actor=None) -> None:
    if order.kind != CARE_VISIT.name:
        return
    column = _TIMES.get(event.action)
    if column is not None:
        session.execute(
            update(CareVisit)
            .where(CareVisit.order_id == order.id)
            .values({column: event.created_at})
            .execution_options(synchronize_session=False)
        )
    elif event.action in ("confirm", "auto_close"):
        # Only the transition that confirms gets here, and the machine's guarded UPDATE lets
        # exactly one confirmation through: a second one is refused before any signal. A visit
        # done and never confirmed closes by itself after a week (nobody said it went wrong):
        # the volunteer's time counts as if it had been confirmed.
        visit = session.scalar(select(CareVisit).where(CareVisit.order_id == order.id))
        if visit is None:
            return
        session.refresh(visit)
        visit_confirmed.send(
            session,
            order=order,
            volunteer_id=order.assignee_id,
            elder_id=visit.elder_id,
            started_at=visit.arrived_at,
            finished_at=visit.finished_at,
            window_minutes=int((visit.ends_at - visit.starts_at).total_seconds() // 60),
        )
