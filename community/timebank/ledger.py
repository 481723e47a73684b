"""Reading the time bank's ledger: balances, what volunteers gave an elder, pages of movements,
a month's statement, the extra time waiting for the office. Written only by timebank/rules.py."""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, case, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from community.accounts.models import User
from community.timebank.models import (
    Account,
    PendingCredit,
    PendingStatus,
    Transfer,
    TransferKind,
)


def _signed(account_id: int):
    return case((Transfer.to_account_id == account_id, Transfer.minutes), else_=-Transfer.minutes)


def balance(session: Session, account_id: int | None, before: datetime | None = None) -> int:
    """The sum of the account's movements in minutes (before a moment, when given)."""
    if account_id is None:
        return 0
    statement = select(func.coalesce(func.sum(_signed(account_id)), 0)).where(
        or_(Transfer.from_account_id == account_id, Transfer.to_account_id == account_id)
    )
    if before is not None:
        statement = statement.where(Transfer.created_at < before)
    return int(session.scalar(statement))


def balance_of(session: Session, user_id: int) -> int:
    account_id = session.scalar(select(Account.id).where(Account.user_id == user_id))
    return balance(session, account_id)


def given_to(session: Session, account_id: int | None) -> int:
    """The minutes volunteers gave to the account, less any gift the office reversed."""
    if account_id is None:
        return 0
    received = session.scalar(
        select(func.coalesce(func.sum(Transfer.minutes), 0)).where(
            Transfer.kind == TransferKind.DONATION, Transfer.to_account_id == account_id
        )
    )
    original = aliased(Transfer)
    taken_back = session.scalar(
        select(func.coalesce(func.sum(Transfer.minutes), 0))
        .join(original, Transfer.reverses_id == original.id)
        .where(original.kind == TransferKind.DONATION, original.to_account_id == account_id)
    )
    return int(received) - int(taken_back)


def all_balances(session: Session) -> dict[int, int]:
    """Every account's balance, by account id, in two grouped queries."""
    balances = dict.fromkeys(session.scalars(select(Account.id)), 0)
    incoming = select(Transfer.to_account_id, func.sum(Transfer.minutes)).group_by(
        Transfer.to_account_id
    )
    outgoing = select(Transfer.from_account_id, func.sum(Transfer.minutes)).group_by(
        Transfer.from_account_id
    )
    for account_id, minutes in session.execute(incoming):
        balances[account_id] += int(minutes)
    for account_id, minutes in session.execute(outgoing):
        balances[account_id] -= int(minutes)
    return balances


def with_accounts(statement):
    """Both accounts and their people in the same query."""
    return statement.options(
        joinedload(Transfer.from_account).joinedload(Account.user),
        joinedload(Transfer.to_account).joinedload(Account.user),
    )


# Pages of movements, built once for each shape (building a statement with its joined loads
# cost more than running it): newest first, up to `size` + 1 rows (is there a next page?).
@lru_cache(maxsize=16)
def _movements(of_account: bool, older: bool, size: int):
    query = with_accounts(select(Transfer))
    if of_account:
        query = query.where(
            or_(
                Transfer.from_account_id == bindparam("account_id"),
                Transfer.to_account_id == bindparam("account_id"),
            )
        )
    if older:
        query = query.where(Transfer.id < bindparam("before"))
    return query.order_by(Transfer.id.desc()).limit(size + 1)


_REVERSED_AMONG = select(Transfer.reverses_id).where(
    Transfer.reverses_id.in_(bindparam("ids", expanding=True))
)


def statement_page(
    session: Session, account_id: int | None, before: int | None, size: int = 20
) -> tuple[list[Transfer], int | None]:
    """The account's movements, newest first, a page at a time (keyset on the id): the same
    queries for any page."""
    if account_id is None:
        return [], None
    rows = (
        session.scalars(
            _movements(True, bool(before), size), {"account_id": account_id, "before": before}
        )
        .unique()
        .all()
    )
    page = rows[:size]
    return page, (page[-1].id if len(rows) > size else None)


@lru_cache(maxsize=8)
def _ledger_rows(older: bool, size: int):
    """The office's page of movements as plain rows: each side's kind and person's name, no
    entities (20 rows of four joined entities cost more than the rest of the page)."""
    source, destination = aliased(Account), aliased(Account)
    source_person, destination_person = aliased(User), aliased(User)
    query = (
        select(
            Transfer.id,
            Transfer.minutes,
            Transfer.kind,
            Transfer.reason,
            Transfer.created_at,
            source.kind.label("from_kind"),
            source_person.name.label("from_name"),
            destination.kind.label("to_kind"),
            destination_person.name.label("to_name"),
        )
        .join(source, Transfer.from_account_id == source.id)
        .outerjoin(source_person, source.user_id == source_person.id)
        .join(destination, Transfer.to_account_id == destination.id)
        .outerjoin(destination_person, destination.user_id == destination_person.id)
    )
    if older:
        query = query.where(Transfer.id < bindparam("before"))
    return query.order_by(Transfer.id.desc()).limit(size + 1)


def ledger_page(
    session: Session, before: int | None, size: int = 20
) -> tuple[list, set[int], int | None]:
    """Every movement, newest first, for the office: the page (plain rows), the ids on it
    already reversed, and where the next page starts."""
    rows = session.execute(_ledger_rows(bool(before), size), {"before": before}).all()
    page = rows[:size]
    reversed_ids = set(session.scalars(_REVERSED_AMONG, {"ids": [row.id for row in page]}))
    return page, reversed_ids, (page[-1].id if len(rows) > size else None)


@dataclass
class MonthStatement:
    opening: int
    rows: list[Transfer]
    closing: int


def month_statement(
    session: Session, account_id: int | None, start: datetime, end: datetime
) -> MonthStatement:
    """A person's movements from start to end (oldest first), with the balance before and
    after."""
    if account_id is None:
        return MonthStatement(0, [], 0)
    rows = (
        session.scalars(
            with_accounts(select(Transfer))
            .where(
                or_(Transfer.from_account_id == account_id, Transfer.to_account_id == account_id),
                Transfer.created_at >= start,
                Transfer.created_at < end,
            )
            .order_by(Transfer.id)
        )
        .unique()
        .all()
    )
    opening = balance(session, account_id, before=start)
    closing = opening + sum(
        row.minutes if row.to_account_id == account_id else -row.minutes for row in rows
    )
    return MonthStatement(opening, rows, closing)


def month_transfers(session: Session, start: datetime, end: datetime) -> list[Transfer]:
    return (
        session.scalars(
            with_accounts(select(Transfer))
            .where(Transfer.created_at >= start, Transfer.created_at < end)
            .order_by(Transfer.id)
        )
        .unique()
        .all()
    )


def pending_credits(session: Session) -> list[PendingCredit]:
    return session.scalars(
        select(PendingCredit)
        .where(PendingCredit.status == PendingStatus.PENDING)
        .options(joinedload(PendingCredit.volunteer))
        .order_by(PendingCredit.id)
    ).all()
