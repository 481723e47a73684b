"""A care visit from claimed to thanked: what each person may see of it, the volunteer's steps
and log (a concern raises a flagged order for the office), and the elder's side: confirm,
thank, cancel. Every move goes through the work-order machine."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from community.accounts import relations
from community.accounts.models import AccountStatus, Role, User, UserRole
from community.care.kind import CARE_CONCERN, CARE_VISIT
from community.care.models import CareLogRead, CareVisit
from community.care.rules import MAX_LOG, MOODS, family_may_see, is_office
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid, NotAllowed, NotFound
from community.core.links import path_for
from community.notify import outbox
from community.workorders import machine, states
from community.workorders.announce import WORKORDER
from community.workorders.models import WorkOrder


@dataclass
class VisitView:
    """A visit as one person may see it."""

    order: WorkOrder
    visit: CareVisit
    elder: User
    is_elder: bool
    is_assignee: bool
    is_office: bool
    is_family: bool  # linked family with the elder's consent
    may_ask: bool  # may cancel, confirm and thank for the elder

    @property
    def sees_private(self) -> bool:
        """The elder's exact home and needs notes."""
        return self.is_elder or self.is_assignee or self.is_office or self.is_family

    @property
    def has_log(self) -> bool:
        return self.visit.finished_at is not None

    @property
    def on_board(self) -> bool:
        return self.order.status == states.ACCEPTED and self.order.assignee_id is None


def load_visit(session: Session, user: User, order_id: int) -> VisitView:
    """The visit if this person may see it at all; anyone else is told it does not exist. A
    volunteer sees an open one as the board shows it (no home, no notes) until they claim it."""
    order = session.get(WorkOrder, order_id)
    visit = session.get(CareVisit, order_id) if order is not None else None
    if visit is None or user.status != AccountStatus.ACTIVE:
        raise NotFound(_("No such visit."))
    elder = visit.elder
    is_elder = user.id == elder.id
    is_family = family_may_see(session, elder, user)
    view = VisitView(
        order=order,
        visit=visit,
        elder=elder,
        is_elder=is_elder,
        is_assignee=order.assignee_id == user.id and user.has_role(Role.VOLUNTEER),
        is_office=is_office(user),
        is_family=is_family,
        may_ask=is_elder
        or is_office(user)
        or is_family
        or (user.id == order.requester_id and relations.may_act_for(session, user, elder)),
    )
    volunteer_on_board = view.on_board and user.has_role(*CARE_VISIT.claim_roles)
    if not (view.sees_private or view.may_ask or volunteer_on_board):
        raise NotFound(_("No such visit."))
    return view


def read_log(session: Session, user: User, view: VisitView, now: datetime | None = None) -> bool:
    """The log may be shown to this person: family and the office leave a record each time."""
    if not view.has_log or not view.sees_private:
        return False
    if not (view.is_elder or view.is_assignee):
        session.add(
            CareLogRead(
                order_id=view.order.id,
                reader_id=user.id,
                reader_is="office" if view.is_office else "family",
                read_at=now or utcnow(),
            )
        )
    return True


def claim_visit(session: Session, volunteer: User, order_id: int) -> WorkOrder:
    order = session.get(WorkOrder, order_id)
    if order is None or order.kind != CARE_VISIT.name:
        raise NotFound(_("No such visit."))
    if order.status != states.ACCEPTED or order.assignee_id is not None:
        raise Conflict(_("Someone else took this visit a moment ago."))
    try:
        machine.claim(session, order, volunteer)
    except Conflict:
        raise Conflict(_("Someone else took this visit a moment ago.")) from None
    return order


def step(session: Session, volunteer: User, view: VisitView, action: str, version: int | None):
    """Hand back, or "I'm here": the machine checks it is theirs and the version they saw."""
    if not view.is_assignee:
        raise NotAllowed(_("Only the volunteer who took this visit can do that."))
    machine.apply(session, view.order, volunteer, action, version)


@dataclass
class VisitLog:
    done: str
    mood: int | None
    concern: str = ""


def finish(
    session: Session, volunteer: User, view: VisitView, version: int | None, log: VisitLog
) -> None:
    """Done: the log, and a concern raises one flagged order for the office. Sent twice at
    once, the machine lets one through; the other is refused before anything is written."""
    if not view.is_assignee:
        raise NotAllowed(_("Only the volunteer who took this visit can do that."))
    done, concern = log.done.strip(), log.concern.strip()
    if not done:
        raise Invalid(_("Say what was done."), field="done")
    if len(done) > MAX_LOG:
        raise Invalid(_("At most %(max)d characters.", max=MAX_LOG), field="done")
    if log.mood not in MOODS:
        raise Invalid(_("Choose how the elder seemed."), field="mood")
    if len(concern) > MAX_LOG:
        raise Invalid(_("At most %(max)d characters.", max=MAX_LOG), field="concern")
    machine.apply(session, view.order, volunteer, "resolve", version, note=done)
    concern_id = raise_concern(session, volunteer, view, concern) if concern else None
    session.execute(
        update(CareVisit)
        .where(CareVisit.order_id == view.order.id)
        .values(mood=log.mood, concern=concern, concern_order_id=concern_id)
        .execution_options(synchronize_session=False)
    )
    session.expire(view.visit)


def raise_concern(session: Session, volunteer: User, view: VisitView, concern: str) -> int:
    """A flagged order for the office (priority high), about the elder's home."""
    unit = view.elder.unit
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        description = _(
            "Concern after care visit #%(number)d for %(name)s: %(concern)s",
            number=view.order.id,
            name=view.elder.name,
            concern=concern,
        )
    order = WorkOrder(
        kind=CARE_CONCERN.name,
        status=states.SUBMITTED,
        priority="high",
        category="wellbeing",
        description=description,
        unit_id=unit.id if unit else None,
        building_id=unit.building_id if unit else None,
        requester_id=volunteer.id,
    )
    session.add(order)
    session.flush()
    machine.record(session, order, volunteer, "report", concern)
    office = session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.OPERATOR, User.status == AccountStatus.ACTIVE)
    ).all()
    outbox.queue(
        session,
        office,
        WORKORDER,
        lambda: (_("A volunteer raised a concern about an elder"), concern),
        link=path_for("workorders.detail", order_id=order.id),
        urgent=False,
        topic=f"wo{order.id}",
    )
    return order.id


def confirm(
    session: Session,
    actor: User,
    view: VisitView,
    version: int | None,
    rating: int | None = None,
    thanks: str = "",
) -> None:
    """The elder, family or the office confirm the visit happened, and may thank: the order
    closes (and the time bank hears once), then the rating is the order's."""
    if not view.may_ask:
        raise NotAllowed(_("Only the elder, their family or the office can confirm a visit."))
    thanks = thanks.strip()
    if (thanks or rating is not None) and (rating not in range(1, 6)):
        raise Invalid(_("Choose from 1 to 5 stars."), field="rating")
    machine.apply(session, view.order, actor, "confirm", version, acting_for=view.elder)
    if rating is not None:
        session.refresh(view.order)
        thank(session, actor, view, view.order.version, rating, thanks)


def thank(
    session: Session, actor: User, view: VisitView, version: int | None, rating, thanks: str
) -> None:
    if not view.may_ask:
        raise NotAllowed(_("Only the elder, their family or the office can thank for a visit."))
    machine.apply(
        session,
        view.order,
        actor,
        "rate",
        version,
        acting_for=view.elder,
        rating=rating,
        note=thanks.strip(),
    )


def cancel(session: Session, actor: User, view: VisitView, version: int | None) -> None:
    if not view.may_ask:
        raise NotAllowed(_("Only the elder, their family or the office can cancel a visit."))
    machine.apply(session, view.order, actor, "cancel", version, acting_for=view.elder)
