"""Who is told what when an order changes: the requester, the person it is for, the assignee
and the followers, each in their own language, in the words of the order's kind."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from community.accounts.models import User
from community.core.links import path_for
from community.notify import kinds, outbox
from community.workorders.kinds import event_text, kind_of
from community.workorders.models import WorkOrder, WorkOrderEvent, WorkOrderFollower
from community.workorders.states import STATUS_LABELS

# The notification kind of every work-order update, unless a kind of order sends its own.
WORKORDER = kinds.declare("workorder", _l("Updates on my repairs and work orders"))
# Actions that open an order someone already agreed to and was told of (machine.py: schedule,
# dispatch): the requester is not told twice.
TOLD_ELSEWHERE = frozenset({"schedule", "dispatch"})


def order_changed(
    session: Session, order: WorkOrder, event: WorkOrderEvent, actor: User | None
) -> None:
    """Tell the people who care about an order what just happened to it."""
    session.refresh(order)
    if event.action in TOLD_ELSEWHERE:
        # The order began as something the person already agreed to (a booking), and they were
        # told in its words: only the one who will do the work hears of it here.
        people = {order.assignee}
    else:
        people = {order.requester, order.on_behalf_of, order.assignee}
        people.update(
            session.scalars(
                select(User)
                .join(WorkOrderFollower, WorkOrderFollower.user_id == User.id)
                .where(WorkOrderFollower.order_id == order.id)
            )
        )
    people.discard(None)
    if actor is not None:
        people.discard(actor)
    if not people:
        return
    kind = kind_of(order)

    def render():
        what = event_text(order, event.action)
        title = str(kind.update_title) % {"number": order.id, "what": what}
        body = event.note or _("Status: %(status)s", status=STATUS_LABELS[order.status])
        return title, body

    outbox.queue(
        session,
        people,
        kind.notification_kind,
        render,
        link=path_for(kind.link_endpoint, order_id=order.id),
        urgent=order.priority == "urgent",
        # The latest change of an order replaces the earlier ones still waiting on a phone.
        topic=f"wo{order.id}",
    )
