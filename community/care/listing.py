"""Lists of care visits: the open board, a volunteer's claims, an elder's visits; and the
office told of each unclaimed visit nearing its time."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from community.accounts.models import AccountStatus, Role, User, UserRole
from community.care.kind import CARE, CARE_VISIT, VISIT_KINDS
from community.care.models import CareVisit
from community.care.rules import ESCALATE_BEFORE
from community.core.db import utcnow
from community.core.links import path_for
from community.directory.models import Building
from community.notify import outbox
from community.workorders import states
from community.workorders.models import WorkOrder


def board(
    session: Session,
    now: datetime | None = None,
    visit_kind: str | None = None,
    building_id: int | None = None,
    limit: int = 100,
) -> list[tuple[WorkOrder, CareVisit]]:
    """Open requests nobody has taken, the soonest first, while their window has not ended."""
    now = now or utcnow()
    statement = (
        select(WorkOrder, CareVisit)
        .join(CareVisit, CareVisit.order_id == WorkOrder.id)
        .where(
            WorkOrder.kind == CARE_VISIT.name,
            WorkOrder.status == states.ACCEPTED,
            WorkOrder.assignee_id.is_(None),
            CareVisit.ends_at > now,
        )
    )
    if visit_kind in VISIT_KINDS:
        statement = statement.where(WorkOrder.category == visit_kind)
    if building_id:
        statement = statement.where(WorkOrder.building_id == building_id)
    rows = session.execute(statement.order_by(CareVisit.starts_at, WorkOrder.id).limit(limit)).all()
    return [tuple(row) for row in rows]


def my_claims(session: Session, volunteer: User) -> list[tuple[WorkOrder, CareVisit]]:
    rows = session.execute(
        select(WorkOrder, CareVisit)
        .join(CareVisit, CareVisit.order_id == WorkOrder.id)
        .where(
            WorkOrder.assignee_id == volunteer.id,
            WorkOrder.status.in_([states.ASSIGNED, states.IN_PROGRESS]),
        )
        .options(selectinload(CareVisit.elder))
        .order_by(CareVisit.starts_at, WorkOrder.id)
    ).all()
    return [tuple(row) for row in rows]


def buildings(session: Session) -> list[Building]:
    return list(session.scalars(select(Building).order_by(Building.sort_key, Building.name)))


def visits_of(
    session: Session, elder_ids: list[int], requested_by: int | None = None, limit: int = 60
) -> list[tuple[WorkOrder, CareVisit]]:
    """The visits of these elders, and those this person asked for; the latest first."""
    wanted = CareVisit.elder_id.in_(elder_ids) if elder_ids else None
    if requested_by is not None:
        asked = WorkOrder.requester_id == requested_by
        wanted = asked if wanted is None else or_(wanted, asked)
    if wanted is None:
        return []
    rows = session.execute(
        select(WorkOrder, CareVisit)
        .join(CareVisit, CareVisit.order_id == WorkOrder.id)
        .where(wanted)
        .options(selectinload(CareVisit.elder))
        .order_by(CareVisit.starts_at.desc(), WorkOrder.id.desc())
        .limit(limit)
    ).all()
    return [tuple(row) for row in rows]


def count_visits(session: Session, elder_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(CareVisit).where(CareVisit.elder_id == elder_id)
    )


def unclaimed_soon(session: Session, now: datetime | None = None) -> list:
    now = now or utcnow()
    return [row for row in board(session, now) if row[1].starts_at <= now + ESCALATE_BEFORE]


def escalate(session: Session, now: datetime | None = None) -> int:
    """Tell the office of each unclaimed visit nearing its time, once: the marker is taken by a
    conditional UPDATE, so two workers never tell twice."""
    now = now or utcnow()
    due = session.execute(
        select(WorkOrder.id, CareVisit.starts_at)
        .join(CareVisit, CareVisit.order_id == WorkOrder.id)
        .where(
            WorkOrder.kind == CARE_VISIT.name,
            WorkOrder.status == states.ACCEPTED,
            WorkOrder.assignee_id.is_(None),
            CareVisit.escalated_at.is_(None),
            CareVisit.starts_at <= now + ESCALATE_BEFORE,
            CareVisit.ends_at > now,
        )
    ).all()
    if not due:
        return 0
    office = session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.OPERATOR, User.status == AccountStatus.ACTIVE)
    ).all()
    told = 0
    for order_id, _starts_at in due:
        taken = session.execute(
            update(CareVisit)
            .where(CareVisit.order_id == order_id, CareVisit.escalated_at.is_(None))
            .values(escalated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            continue
        outbox.queue(
            session,
            office,
            CARE,
            lambda order_id=order_id: (
                _("Nobody has taken care visit #%(number)d yet", number=order_id),
                _("It is due soon: assign a volunteer, or call the elder."),
            ),
            link=path_for("workorders.detail", order_id=order_id),
            urgent=False,
            topic=f"wo{order_id}",
        )
        told += 1
    return told
