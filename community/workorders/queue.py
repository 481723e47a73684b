"""The operator's queue as SQL: filters read from a query string, keyset pages, status counts
and the staff picker's open load. Plain functions of a session: no request in here."""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from community.core.input import id_or_none
from community.workorders import states
from community.workorders.kinds import all_categories
from community.workorders.models import WorkOrder
from community.workorders.rows import listed

PAGE_SIZE = 25
EXPORT_CHUNK = 1000

# Status choices besides the statuses themselves.
ACTIVE, ALL = "active", "all"
UNASSIGNED = "unassigned"
NEWEST, URGENT = "newest", "urgent"
SORTS = (NEWEST, URGENT)
# Orders a member of staff is working on, for the picker's "open load".
LOAD_STATUSES = [states.ASSIGNED, states.IN_PROGRESS, states.REOPENED]

_NUMBER = re.compile(r"#?([0-9]+)")
_KEY_TIME = "%Y%m%dT%H%M%S.%fZ"


class rare(FunctionElement):
    """A condition few rows meet, such as "still active": finished orders pile up for years
    while the active ones stay a few thousand. PostgreSQL's statistics see that skew; SQLite's
    (ANALYZE without STAT4) know only the average rows per status, a tenth of the table, and
    would rather read a whole category, building or due-time range. likelihood() tells SQLite
    what its statistics cannot, so it reads the few active rows through the status index."""

    name = "rare"
    inherit_cache = True


@compiles(rare)
def _rare(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)})"


@compiles(rare, "sqlite")
def _rare_on_sqlite(element, compiler, **kw):
    return f"likelihood({compiler.process(element.clauses, **kw)}, 0.001)"


def _in_statuses(statuses: list[str]) -> ColumnElement[bool]:
    """Membership of a set of statuses, marked rare when none of them is a finished one."""
    condition = (
        WorkOrder.status == statuses[0] if len(statuses) == 1 else WorkOrder.status.in_(statuses)
    )
    return rare(condition) if set(statuses) <= set(states.ACTIVE_STATUSES) else condition


@dataclass(frozen=True)
class QueueFilters:
    """What the operator asked to see. Anything unknown in the query string falls back to the
    default, so an old bookmark or a hand-edited link still shows a page."""

    status: str = ACTIVE
    category: str = ""
    building: int | None = None
    priority: str = ""
    assignee: str = ""  # "", UNASSIGNED, or a user id
    overdue: bool = False
    q: str = ""
    sort: str = NEWEST

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "QueueFilters":
        status = args.get("status", "")
        assignee = args.get("assignee", "")
        building = args.get("building", "")
        return cls(
            status=status if status in (ACTIVE, ALL, *states.STATUSES) else ACTIVE,
            category=_one_of(args.get("category", ""), all_categories()),
            building=id_or_none(building),
            priority=_one_of(args.get("priority", ""), states.PRIORITIES),
            assignee=assignee if assignee == UNASSIGNED or id_or_none(assignee) else "",
            overdue=args.get("overdue", "") in ("1", "on", "true"),
            q=" ".join(args.get("q", "").split())[:100],
            sort=_one_of(args.get("sort", ""), SORTS) or NEWEST,
        )

    def as_args(self) -> dict[str, str]:
        """The query string for these filters: only what differs from the defaults."""
        args = {}
        for name in _FILTER_NAMES:  # not asdict(): it deep-copies, and pages call this often
            value = getattr(self, name)
            if value != getattr(_DEFAULT_FILTERS, name):
                args[name] = "1" if value is True else str(value)
        return args

    def with_status(self, status: str) -> "QueueFilters":
        return replace(self, status=status)


_DEFAULT_FILTERS = QueueFilters()
_FILTER_NAMES = tuple(field.name for field in fields(QueueFilters))


def _one_of(value: str, choices) -> str:
    return value if value in choices else ""


@dataclass(frozen=True)
class SortKey:
    """Where a page ends: the last row's sort value and id. `at` is None for an order without
    a due time (they come last when the most urgent come first)."""

    at: datetime | None
    id: int

    def encode(self) -> str:
        stamp = self.at.astimezone(UTC).strftime(_KEY_TIME) if self.at else "none"
        return f"{stamp}_{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> "SortKey | None":
        """None for anything that is not a key this module wrote."""
        stamp, _sep, number = (text or "").rpartition("_")
        row_id = id_or_none(number)
        if row_id is None or not stamp:
            return None
        if stamp == "none":
            return cls(None, row_id)
        try:
            at = datetime.strptime(stamp, _KEY_TIME).replace(tzinfo=UTC)
        except ValueError:
            return None
        return cls(at, row_id)


@dataclass(frozen=True)
class QueuePage:
    orders: list[Row]  # see workorders.rows
    next_after: str | None


def _conditions(filters: QueueFilters, *, with_status: bool) -> list:
    """The filters as SQL; the time "now" (for overdue) is bound when the statement runs."""
    where: list[ColumnElement[bool]] = []
    if with_status and filters.status == ACTIVE:
        where.append(_in_statuses(states.ACTIVE_STATUSES))
    elif with_status and filters.status != ALL:
        where.append(_in_statuses([filters.status]))
    if filters.category:
        where.append(WorkOrder.category == filters.category)
    if filters.building is not None:
        where.append(WorkOrder.building_id == filters.building)
    if filters.priority:
        where.append(WorkOrder.priority == filters.priority)
    if filters.assignee == UNASSIGNED:
        where.append(WorkOrder.assignee_id.is_(None))
    elif filters.assignee:
        where.append(WorkOrder.assignee_id == int(filters.assignee))
    if filters.overdue:
        where.append(WorkOrder.due_at < bindparam("now"))
        where.append(_in_statuses(states.OPEN_STATUSES))
    if filters.q:
        where.append(_text_matches(filters.q))
    return where


def _text_matches(text: str) -> ColumnElement[bool]:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    matches = WorkOrder.description.ilike(f"%{escaped}%", escape="\\")
    number = _NUMBER.fullmatch(text)
    row_id = id_or_none(number.group(1)) if number else None
    # "#123" or "123" also finds the order with that number.
    return or_(matches, WorkOrder.id == row_id) if row_id else matches


def queue_page(
    session: Session,
    filters: QueueFilters,
    now: datetime,
    after: SortKey | None = None,
    size: int = PAGE_SIZE,
) -> QueuePage:
    """One page of the queue, starting after the given key (never OFFSET: a deep page costs
    what the first one does)."""
    if filters.sort == URGENT:
        orders = _most_urgent(session, filters, now, after, size + 1)
    elif after is not None and after.at is None:
        orders = []  # not a key the newest-first order writes
    else:
        orders = _run(session, _statement(filters, after, size + 1, NEWEST), now)
    if len(orders) <= size:
        return QueuePage(orders, None)
    orders = orders[:size]
    last = orders[-1]
    key = SortKey(last.due_at if filters.sort == URGENT else last.created_at, last.id)
    return QueuePage(orders, key.encode())


def _most_urgent(
    session: Session, filters: QueueFilters, now: datetime, after: SortKey | None, limit: int
) -> list[Row]:
    """due_at ascending, orders without a due time last, then id. Read as two index ranges,
    those with a due time by (due_at, id) and then those without by id, because the
    databases disagree on where NULL sorts and an expression in ORDER BY defeats the index."""
    orders: list[Row] = []
    if after is None or after.at is not None:
        orders = _run(session, _statement(filters, after, limit, DATED), now)
    if len(orders) < limit:
        orders += _run(session, _statement(filters, after, limit - len(orders), UNDATED), now)
    return orders


# The parts a page is read in: newest first, or the most urgent as those with a due time and
# then those without.
DATED, UNDATED = "dated", "undated"


@lru_cache(maxsize=256)
def _statement(filters: QueueFilters, after: SortKey | None, limit: int, part: str) -> Select:
    """One part of a page, built once for these filters, key and size and then kept: an
    operator reloading the queue, or paging through it again, sends the same statement, and
    building one cost about what running it did. Filters and frozen keys are values, so they
    make the cache key; the time is bound when it runs."""
    candidates = _candidates(filters)
    if part == NEWEST:
        # created_at DESC, id DESC: served backwards by (status, created_at, id) or
        # (created_at, id).
        found = select(candidates.c.id)
        if after is not None:
            # Written as a range plus a tie-break so that both databases seek in the index.
            found = found.where(
                candidates.c.created_at <= after.at,
                or_(candidates.c.created_at < after.at, candidates.c.id < after.id),
            )
        found = found.order_by(candidates.c.created_at.desc(), candidates.c.id.desc())
        return _rows(found.limit(limit), (WorkOrder.created_at.desc(), WorkOrder.id.desc()))
    due, number = candidates.c.due_at, candidates.c.id
    if part == DATED:
        dated = select(number).where(due.is_not(None))
        if after is not None:
            dated = dated.where(due >= after.at, or_(due > after.at, number > after.id))
        return _rows(dated.order_by(due, number).limit(limit), (WorkOrder.due_at, WorkOrder.id))
    undated = select(number).where(due.is_(None))
    if after is not None and after.at is None:
        undated = undated.where(number > after.id)
    return _rows(undated.order_by(number).limit(limit), (WorkOrder.id,))


def _candidates(filters: QueueFilters):
    """The matching orders' ids and sort key.

    When only active statuses are wanted, they are read first, by status, and only then
    sorted: a few thousand rows at most. Left to themselves both databases would rather walk
    the due-time (or creation-time) index in order and filter, betting the active orders are
    spread evenly; they are not (they are the newest, with the latest due times), and the walk
    crosses every finished order before the first active one: 0.6 s at a million orders on
    PostgreSQL. MATERIALIZED fences the read off from the ORDER BY on both databases."""
    # Only the sort key: for the newest first, (status, created_at, id) covers the read.
    key = WorkOrder.due_at if filters.sort == URGENT else WorkOrder.created_at
    statement = select(WorkOrder.id, key).where(*_conditions(filters, with_status=True))
    few = filters.overdue or filters.status in (ACTIVE, *states.ACTIVE_STATUSES)
    if few:
        return statement.cte("candidates").prefix_with("MATERIALIZED")
    return statement.subquery("candidates")


def _rows(page_ids: Select, order: tuple) -> Select:
    """The orders whose ids page_ids picks. The ids are picked first, from an index alone
    where one covers the filters; the rows and what they show are read for those ids only,
    not for every candidate the database had to sort."""
    chosen = page_ids.subquery()
    return listed().join(chosen, WorkOrder.id == chosen.c.id).order_by(*order)


def _run(session: Session, statement: Select, now: datetime) -> list[Row]:
    return list(session.execute(statement, {"now": now}))


def iter_orders(
    session: Session, filters: QueueFilters, now: datetime, chunk: int = EXPORT_CHUNK
) -> Iterator[Row]:
    """Every matching order in queue order, read in keyset chunks so that an export of a
    million rows never holds more than one chunk in memory."""
    after = None
    while True:
        page = queue_page(session, filters, now, after, size=chunk)
        yield from page.orders
        if page.next_after is None:
            return
        after = SortKey.decode(page.next_after)


def status_counts(session: Session, filters: QueueFilters, now: datetime) -> dict[str, int]:
    """How many orders of each active status match the other filters, in one GROUP BY.

    Only the active statuses are counted: finished orders pile up for years, and counting
    them would make every page slower as the community gets older."""
    rows = session.execute(
        select(WorkOrder.status, func.count())
        .where(
            *_conditions(filters, with_status=False),
            _in_statuses(states.ACTIVE_STATUSES),
        )
        .group_by(WorkOrder.status),
        {"now": now},
    )
    counts = dict.fromkeys(states.ACTIVE_STATUSES, 0)
    counts.update(dict(rows.all()))
    return counts
