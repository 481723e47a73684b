"""The time bank's ledger: accounts, the transfers between them (written once, never changed),
and the part of a visit's time that waits for the office's say."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, event, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from community.accounts.models import User
from community.core.db import Base, UTCDateTime, utcnow
from community.workorders.models import WorkOrder


class AccountKind:
    BANK = "bank"  # the community's bank: where earned hours come from
    POOL = "pool"  # the community pool: hours given to the community as a whole
    PERSON = "person"  # one per person, made on their first movement


class TransferKind:
    VISIT = "visit"  # a confirmed care visit, up to its window
    VISIT_EXTRA = "visit_extra"  # a visit's time beyond its window, confirmed by the office
    DONATION = "donation"  # a volunteer gave hours to an elder or to the pool
    OFFICE = "office"  # the office recorded other volunteer work
    REVERSAL = "reversal"  # the office undid a wrong entry


class PendingStatus:
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REFUSED = "refused"


class Account(Base):
    """A place hours are held. Its balance is never stored: it is the sum of its transfers."""

    __tablename__ = "timebank_account"
    __table_args__ = (
        CheckConstraint("(kind = 'person') = (user_id IS NOT NULL)", name="person_has_user"),
        # One bank and one pool.
        Index(
            "uq_timebank_account_shared_kind",
            "kind",
            unique=True,
            sqlite_where=text("user_id IS NULL"),
            postgresql_where=text("user_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    # Bumped to lock the account (a donation checks the balance under it); never a balance.
    version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()


class Transfer(Base):
    """One movement of minutes from one account to another. Written once: nothing in the code
    updates or deletes a row (guarded below, and by a trigger in the database); a wrong entry is
    undone by a reversing transfer that points to it."""

    __tablename__ = "timebank_transfer"
    __table_args__ = (
        CheckConstraint("minutes > 0", name="minutes_positive"),
        CheckConstraint("from_account_id <> to_account_id", name="two_accounts"),
        Index("ix_timebank_transfer_from_id", "from_account_id", "id"),
        Index("ix_timebank_transfer_to_id", "to_account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    from_account_id: Mapped[int] = mapped_column(ForeignKey("timebank_account.id"))
    to_account_id: Mapped[int] = mapped_column(ForeignKey("timebank_account.id"))
    minutes: Mapped[int]
    # What earned it, once: "visit:<order id>", "visit-extra:<order id>". A visit confirmed
    # twice at once meets this unique key and is credited once.
    source: Mapped[str | None] = mapped_column(String(40), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    # The entry this one reverses; unique, so an entry is reversed at most once.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("timebank_transfer.id"), unique=True)
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    from_account: Mapped[Account] = relationship(foreign_keys=[from_account_id])
    to_account: Mapped[Account] = relationship(foreign_keys=[to_account_id])
    order: Mapped[WorkOrder | None] = relationship()
    made_by: Mapped[User | None] = relationship()
    reverses: Mapped["Transfer | None"] = relationship(remote_side=[id])


class PendingCredit(Base):
    """A visit's recorded time beyond its window: not in the ledger until the office confirms
    it (then a VISIT_EXTRA transfer is written) or refuses it."""

    __tablename__ = "timebank_pending"
    __table_args__ = (CheckConstraint("minutes > 0", name="minutes_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), unique=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    minutes: Mapped[int]  # the excess, waiting
    recorded_minutes: Mapped[int]
    window_minutes: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default=PendingStatus.PENDING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[WorkOrder] = relationship()
    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id])


class LedgerIsWrittenOnce(Exception):
    """Raised when code tries to change or remove a ledger entry."""


@event.listens_for(Session, "before_flush")
def _refuse_changed_transfers(session, flush_context, instances) -> None:
    for row in session.deleted:
        if isinstance(row, Transfer):
            raise LedgerIsWrittenOnce(f"transfer {row.id} cannot be deleted")
    for row in session.dirty:
        if isinstance(row, Transfer) and session.is_modified(row, include_collections=False):
            raise LedgerIsWrittenOnce(f"transfer {row.id} cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state) -> None:
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is Transfer for mapper in state.all_mappers
    ):
        raise LedgerIsWrittenOnce("transfers cannot be updated or deleted")


# The database refuses an UPDATE too, whoever sends it. (DELETE is left to the guard above:
# the test suite empties every table between tests.)
_SQLITE_TRIGGER = """
CREATE TRIGGER timebank_transfer_written_once BEFORE UPDATE ON timebank_transfer
BEGIN SELECT RAISE(ABORT, 'time bank transfers are written once'); END
"""
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION timebank_transfer_written_once() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'time bank transfers are written once'; END $$ LANGUAGE plpgsql
"""
_PG_TRIGGER = """
CREATE TRIGGER timebank_transfer_written_once BEFORE UPDATE ON timebank_transfer
FOR EACH ROW EXECUTE FUNCTION timebank_transfer_written_once()
"""
TRIGGERS = {"sqlite": [_SQLITE_TRIGGER], "postgresql": [_PG_FUNCTION, _PG_TRIGGER]}


@event.listens_for(Transfer.__table__, "after_create")
def _create_trigger(target, connection, **kw) -> None:
    for statement in TRIGGERS.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)
