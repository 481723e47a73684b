"""Keyset pagination, newest first: a page of rows and the key the next page starts before."""

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session


def newest_first(
    session: Session, statement: Select, key: InstrumentedAttribute, before: int | None, size: int
) -> tuple[list, int | None]:
    """Rows of statement with key < before, by key descending; (rows, next before or None)."""
    if before:
        statement = statement.where(key < before)
    rows = session.scalars(statement.order_by(key.desc()).limit(size + 1)).all()
    page = rows[:size]
    return page, (getattr(page[-1], key.key) if len(rows) > size else None)
