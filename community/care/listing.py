"""Lists of care visits: the open board, a volunteer's claims, an elder's visits; and the
office told of each unclaimed visit nearing its time."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, and_, bindparam, case, func, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session, aliased

from community.accounts.models import AccountStatus, Relation, Role, User, UserRole
from community.care.kind import CARE, CARE_VISIT, VISIT_KINDS
from community.care.models import CareConsent, CareSeries, CareVisit, ConsentStatus
from community.care.rules import ESCALATE_BEFORE
from community.core.db import UTCDateTime, utcnow
from community.core.links import path_for
from community.directory.models import Building
from community.notify import outbox
from community.workorders import states
from community.workorders.models import WorkOrder

# The lists print a few columns of each visit: plain rows, by statements built once at import
# (building a statement and its cache key cost more than running it). A visit row reads: id
# (the order's), status, category, building_id, starts_at, window, elder_id, elder_name.
_NOW = bindparam("now", type_=UTCDateTime())
BOARD_SHOWN = 100
VISITS_SHOWN = 60
_ELDER = aliased(User, name="elder")


def _visits() -> Select:
    return (
        select(
            WorkOrder.id,
            WorkOrder.status,
            WorkOrder.category,
            WorkOrder.building_id,
            CareVisit.starts_at,
            CareVisit.window,
            CareVisit.elder_id,
            _ELDER.name.label("elder_name"),
        )
        .select_from(WorkOrder)
        .join(CareVisit, CareVisit.order_id == WorkOrder.id)
        .join(_ELDER, _ELDER.id == CareVisit.elder_id)
    )


def _board(kind: bool, building: bool) -> Select:
    statement = _visits().where(
        WorkOrder.kind == CARE_VISIT.name,
        WorkOrder.status == states.ACCEPTED,
        WorkOrder.assignee_id.is_(None),
        CareVisit.ends_at > _NOW,
    )
    if kind:
        statement = statement.where(WorkOrder.category == bindparam("kind"))
    if building:
        statement = statement.where(WorkOrder.building_id == bindparam("building_id"))
    return statement.order_by(CareVisit.starts_at, WorkOrder.id).limit(BOARD_SHOWN)


_BOARD = {(k, b): _board(k, b) for k in (False, True) for b in (False, True)}
_CLAIMS = (
    _visits()
    .where(
        WorkOrder.assignee_id == bindparam("user_id"),
        or_(WorkOrder.status == states.ASSIGNED, WorkOrder.status == states.IN_PROGRESS),
    )
    .order_by(CareVisit.starts_at, WorkOrder.id)
)
_VISITS_OF = (
    _visits()
    .where(
        or_(
            CareVisit.elder_id.in_(bindparam("elder_ids", expanding=True)),
            WorkOrder.requester_id == bindparam("requested_by"),
        )
    )
    .order_by(CareVisit.starts_at.desc(), WorkOrder.id.desc())
    .limit(VISITS_SHOWN)
)


def board(
    session: Session,
    now: datetime | None = None,
    visit_kind: str | None = None,
    building_id: int | None = None,
) -> list[Row]:
    """Open requests nobody has taken, the soonest first, while their window has not ended."""
    kind = visit_kind in VISIT_KINDS
    parameters = {"now": now or utcnow()}
    if kind:
        parameters["kind"] = visit_kind
    if building_id:
        parameters["building_id"] = building_id
    return list(session.execute(_BOARD[kind, bool(building_id)], parameters))


def my_claims(session: Session, volunteer: User) -> list[Row]:
    return list(session.execute(_CLAIMS, {"user_id": volunteer.id}))


_BUILDINGS = select(Building.id, Building.name).order_by(Building.sort_key, Building.name)


def buildings(session: Session) -> list[Row]:
    """The buildings to filter the board by, as rows of id and name."""
    return list(session.execute(_BUILDINGS))


def visits_of(session: Session, elder_ids: list[int], requested_by: int) -> list[Row]:
    """The visits of these elders, and those this person asked for; the latest VISITS_SHOWN."""
    parameters = {"elder_ids": elder_ids, "requested_by": requested_by}
    return list(session.execute(_VISITS_OF, parameters))


# The people linked to the viewer, in the order the office linked them, each with whether they
# receive care, whether they are an active resident (whom family may act for), and what they
# let the viewer see (the consent, "pending" when they never said).
_RELATIVE = case(
    (Relation.person_id == bindparam("viewer_id"), Relation.relative_id),
    else_=Relation.person_id,
)
_FAMILY = (
    select(
        User.id,
        User.name,
        User.receives_care,
        case(
            (
                and_(
                    User.status == AccountStatus.ACTIVE,
                    select(UserRole.id)
                    .where(UserRole.user_id == User.id, UserRole.role == Role.RESIDENT)
                    .exists(),
                ),
                True,
            ),
            else_=False,
        ).label("resident"),
        func.coalesce(CareConsent.status, ConsentStatus.PENDING).label("consent"),
    )
    .select_from(Relation)
    .join(User, User.id == _RELATIVE)
    .outerjoin(
        CareConsent,
        and_(CareConsent.elder_id == User.id, CareConsent.relative_id == bindparam("viewer_id")),
    )
    .where(
        or_(
            Relation.person_id == bindparam("viewer_id"),
            Relation.relative_id == bindparam("viewer_id"),
        )
    )
    .order_by(Relation.id)
)


def family_of(session: Session, viewer: User) -> list[Row]:
    """The viewer's linked family: id, name, receives_care, resident, consent."""
    return list(session.execute(_FAMILY, {"viewer_id": viewer.id}))


# A weekly series as the list shows it: id, visit_kind, first_day, window, elder_id, elder_name.
_SERIES = (
    select(
        CareSeries.id,
        CareSeries.visit_kind,
        CareSeries.first_day,
        CareSeries.window,
        CareSeries.elder_id,
        _ELDER.name.label("elder_name"),
    )
    .join(_ELDER, _ELDER.id == CareSeries.elder_id)
    .where(
        CareSeries.elder_id.in_(bindparam("elder_ids", expanding=True)),
        CareSeries.stopped_at.is_(None),
    )
    .order_by(CareSeries.id)
)


def series_of(session: Session, elder_ids: list[int]) -> list[Row]:
    """The weekly series of these elders that still run."""
    if not elder_ids:
        return []
    return list(session.execute(_SERIES, {"elder_ids": elder_ids}))


def count_visits(session: Session, elder_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(CareVisit).where(CareVisit.elder_id == elder_id)
    )


def unclaimed_soon(session: Session, now: datetime | None = None) -> list:
    now = now or utcnow()
    return [row for row in board(session, now) if row.starts_at <= now + ESCALATE_BEFORE]


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
