"""The office's page of calls for help as plain rows: the open calls, the longest waiting
first; the ones closed lately, a page at a time; and the staff with whether they are on duty.

Each list is one statement with the names and homes it shows joined in. As entities, every
alert brought its elder, who raised it and who answered, and each of those their home and
their roles: a statement more per person and most of the page's time."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Row, bindparam, select, tuple_
from sqlalchemy.orm import Session, aliased

from community.accounts.models import AccountStatus, Role, User, UserRole
from community.core.db import utcnow
from community.directory.models import Building, Unit
from community.help.models import AlertStatus, HelpAlert, OnDuty

# Open calls are one per elder at most. In the rare hour with more than this, the longest
# waiting are shown and the page says that there are more.
OPEN_SHOWN = 100
CLOSED_PAGE = 20
RECENT = timedelta(days=7)

_elder = aliased(User, name="elder")
_answerer = aliased(User, name="answerer")


def _alerts():
    """SELECT an alert's row: the elder's name and home, and who answered."""
    return (
        select(
            HelpAlert.id,
            HelpAlert.status,
            HelpAlert.raised_at,
            HelpAlert.acknowledged_at,
            HelpAlert.resolved_at,
            _elder.name.label("elder_name"),
            Unit.label.label("unit_label"),
            Building.name.label("building_name"),
            _answerer.name.label("answerer_name"),
        )
        .select_from(HelpAlert)
        .join(_elder, _elder.id == HelpAlert.elder_id)
        .outerjoin(Unit, Unit.id == _elder.unit_id)
        .outerjoin(Building, Building.id == Unit.building_id)
        .outerjoin(_answerer, _answerer.id == HelpAlert.acknowledged_by_id)
    )


# Built once (building a statement costs about what running it does); values bound per call.
_OPEN = (
    _alerts()
    .where(HelpAlert.status != AlertStatus.RESOLVED)
    .order_by(HelpAlert.raised_at, HelpAlert.id)
    .limit(bindparam("size"))
)
_CLOSED = (
    _alerts()
    .where(HelpAlert.status == AlertStatus.RESOLVED, HelpAlert.raised_at >= bindparam("since"))
    .order_by(HelpAlert.raised_at.desc(), HelpAlert.id.desc())
    .limit(bindparam("size"))
)
# The page after a given alert: those raised before it (by time, then id).
_raised_at_of_before = (
    select(HelpAlert.raised_at).where(HelpAlert.id == bindparam("before")).scalar_subquery()
)
_CLOSED_BEFORE = _CLOSED.where(
    tuple_(HelpAlert.raised_at, HelpAlert.id) < tuple_(_raised_at_of_before, bindparam("before"))
)
_ROSTER = (
    select(User.id, User.name, OnDuty.since)
    .join(UserRole, UserRole.user_id == User.id)
    .outerjoin(OnDuty, OnDuty.user_id == User.id)
    .where(UserRole.role == Role.STAFF, User.status == AccountStatus.ACTIVE)
    .order_by(User.name, User.id)
)


@dataclass(frozen=True)
class OfficeList:
    open: list[Row]
    more_open: bool
    closed: list[Row]
    before: int | None  # the closed page starts after this alert; None: the newest
    next_before: int | None  # the last closed row's id when there are earlier ones


def office_list(session: Session, before: int | None = None) -> OfficeList:
    """The open calls (up to OPEN_SHOWN) and one page of those raised in the last RECENT and
    closed since, newest first, starting after the alert `before`."""
    open_rows = list(session.execute(_OPEN, {"size": OPEN_SHOWN + 1}))
    values = {"since": utcnow() - RECENT, "size": CLOSED_PAGE + 1}
    if before is None:
        closed = list(session.execute(_CLOSED, values))
    else:
        closed = list(session.execute(_CLOSED_BEFORE, {**values, "before": before}))
    more_closed = len(closed) > CLOSED_PAGE
    closed = closed[:CLOSED_PAGE]
    return OfficeList(
        open=open_rows[:OPEN_SHOWN],
        more_open=len(open_rows) > OPEN_SHOWN,
        closed=closed,
        before=before,
        next_before=closed[-1].id if more_closed else None,
    )


def duty_roster(session: Session) -> list[Row]:
    """Every active member of staff (id, name) and since when they are on duty (None: off)."""
    return list(session.execute(_ROSTER))
