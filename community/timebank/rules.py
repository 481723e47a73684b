"""The time bank's moves: credit a confirmed visit, give hours, record other volunteer work,
reverse a wrong entry, decide a visit's extra time. Balances and statements are read in
timebank/ledger.py. Plain Python over a session; the caller commits."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from community.accounts.models import AccountStatus, Role, User
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid, NotFound
from community.core.events import visit_confirmed
from community.timebank.ledger import balance, with_accounts
from community.timebank.models import (
    Account,
    AccountKind,
    PendingCredit,
    PendingStatus,
    Transfer,
    TransferKind,
)

MAX_MINUTES = 999 * 60  # one entry of more than 999 hours is a typing slip
REASON_LENGTH = 200


# ---- Accounts ---------------------------------------------------------------------------------


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    return postgresql_insert if dialect == "postgresql" else sqlite_insert


def _ensure(session: Session, kind: str, user_id: int | None) -> Account:
    """The account, made if missing. INSERT .. ON CONFLICT DO NOTHING: two first movements at
    once make one account, and the transaction starts with a write (on SQLite a transaction
    that reads first can lose its snapshot to another writer)."""
    session.execute(
        _insert(session)(Account)
        .values(kind=kind, user_id=user_id, version=0, created_at=utcnow())
        .on_conflict_do_nothing()
    )
    found = select(Account).where(Account.kind == kind)
    found = found.where(
        Account.user_id == user_id if user_id is not None else Account.user_id.is_(None)
    )
    return session.scalars(found).one()


def bank(session: Session) -> Account:
    return _ensure(session, AccountKind.BANK, None)


def pool(session: Session) -> Account:
    return _ensure(session, AccountKind.POOL, None)


def account_of(session: Session, user_id: int) -> Account:
    return _ensure(session, AccountKind.PERSON, user_id)


def find_account(session: Session, user_id: int) -> Account | None:
    """A person's account if they have one, without making it (for pages that only read)."""
    return session.scalar(select(Account).where(Account.user_id == user_id))


def _lock(session: Session, account_id: int) -> None:
    """Hold the account until the transaction ends: a row lock on PostgreSQL, the database's
    write lock on SQLite. Two donations from one account run one after the other."""
    session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(version=Account.version + 1)
        .execution_options(synchronize_session=False)
    )


# ---- Writing the ledger -----------------------------------------------------------------------


def _write(
    session: Session,
    kind: str,
    source: Account,
    destination: Account,
    minutes: int,
    *,
    made_by_id: int | None = None,
    reason: str = "",
    key: str | None = None,
    order_id: int | None = None,
    reverses_id: int | None = None,
    at: datetime | None = None,
) -> Transfer:
    transfer = Transfer(
        kind=kind,
        from_account_id=source.id,
        to_account_id=destination.id,
        minutes=minutes,
        source=key,
        order_id=order_id,
        reason=reason,
        reverses_id=reverses_id,
        made_by_id=made_by_id,
        created_at=at or utcnow(),
    )
    session.add(transfer)
    session.flush()
    return transfer


def parse_hours(value: str | None, field: str = "hours") -> int:
    """Hours as people type them (2, 1.5, 0.25) into whole minutes, else Invalid."""
    text = (value or "").strip().replace("，", ".").replace(",", ".")
    try:
        hours = Decimal(text)
    except InvalidOperation:
        hours = None
    if hours is None or not hours.is_finite() or len(text) > 8:
        raise Invalid(_("Write the hours as a number, like 2 or 1.5."), field=field)
    minutes = hours * 60
    if minutes != minutes.to_integral_value():
        raise Invalid(_("Give the time to the minute, like 1.5 hours."), field=field)
    if not 0 < minutes <= MAX_MINUTES:
        raise Invalid(_("Give between one minute and 999 hours."), field=field)
    return int(minutes)


def _reason(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid(_("Say what the hours are for."), field="reason")
    if len(text) > REASON_LENGTH:
        raise Invalid(_("Keep the reason under 200 characters."), field="reason")
    return text


def credit_visit(
    session: Session,
    order_id: int,
    volunteer_id: int,
    started_at: datetime,
    finished_at: datetime,
    window_minutes: int,
) -> Transfer | None:
    """Credit a confirmed visit: its recorded minutes up to the window, from the bank to the
    volunteer; what is beyond the window waits for the office (a PendingCredit). Once per visit:
    a second credit of the same visit, even at the same moment in another transaction, meets
    the unique source and changes nothing. Returns the transfer, or None."""
    recorded = int((finished_at - started_at).total_seconds() // 60)
    credited = min(recorded, max(window_minutes, 0))
    # The account is made (a write) before anything is read.
    volunteer = account_of(session, volunteer_id)
    source = bank(session)
    if recorded <= 0:
        return None
    try:
        with session.begin_nested():
            transfer = None
            if credited > 0:
                transfer = _write(
                    session,
                    TransferKind.VISIT,
                    source,
                    volunteer,
                    credited,
                    key=f"visit:{order_id}",
                    order_id=order_id,
                )
            if recorded > credited:
                session.add(
                    PendingCredit(
                        order_id=order_id,
                        volunteer_id=volunteer_id,
                        minutes=recorded - credited,
                        recorded_minutes=recorded,
                        window_minutes=window_minutes,
                        created_at=utcnow(),
                    )
                )
                session.flush()
    except IntegrityError:
        return None  # credited already, by the other confirmation
    return transfer


@visit_confirmed.connect
def _credit_confirmed_visit(session, **kwargs) -> None:
    credit_visit(
        session,
        kwargs["order"].id,
        kwargs["volunteer_id"],
        kwargs["started_at"],
        kwargs["finished_at"],
        kwargs["window_minutes"],
    )


def elders(session: Session, excluding: int | None = None) -> list[User]:
    """The people receiving care, whom a volunteer may give hours to."""
    query = select(User).where(User.receives_care.is_(True), User.status == AccountStatus.ACTIVE)
    if excluding is not None:
        query = query.where(User.id != excluding)
    return session.scalars(query.order_by(User.name, User.id)).all()


def donate(
    session: Session,
    donor: User,
    elder_id: int | None,
    minutes: int,
    at: datetime | None = None,
) -> Transfer:
    """Give hours to an elder (elder_id) or to the community pool (None), never more than the
    donor has: the donor's account is locked while the balance is checked and the transfer
    written, so two gifts at once cannot overdraw it."""
    if not donor.has_role(Role.VOLUNTEER):
        raise Invalid(_("Only volunteers give hours."))
    if not isinstance(minutes, int) or not 0 < minutes <= MAX_MINUTES:
        raise Invalid(_("Give between one minute and 999 hours."), field="hours")
    own = account_of(session, donor.id)
    _lock(session, own.id)
    if elder_id is None:
        destination = pool(session)
    else:
        elder = session.get(User, elder_id)
        if (
            elder is None
            or elder.id == donor.id
            or not elder.receives_care
            or elder.status != AccountStatus.ACTIVE
        ):
            raise Invalid(_("Choose an elder from the list, or the community pool."), "to")
        destination = account_of(session, elder.id)
    have = balance(session, own.id)
    if minutes > have:
        raise Conflict(
            _("You have %(hours)s hours to give.", hours=format_hours_number(have)),
            field="hours",
        )
    return _write(
        session, TransferKind.DONATION, own, destination, minutes, made_by_id=donor.id, at=at
    )


def record_work(
    session: Session,
    operator: User,
    person_id: int | None,
    minutes: int,
    reason: str | None,
    at: datetime | None = None,
) -> Transfer:
    """The office records other volunteer work (the garden, the gate): bank -> volunteer."""
    reason = _reason(reason)
    person = session.get(User, person_id) if person_id else None
    if person is None or not person.has_role(Role.VOLUNTEER):
        raise Invalid(_("Choose a volunteer from the list."), field="person")
    if not isinstance(minutes, int) or not 0 < minutes <= MAX_MINUTES:
        raise Invalid(_("Give between one minute and 999 hours."), field="hours")
    destination = account_of(session, person.id)
    return _write(
        session,
        TransferKind.OFFICE,
        bank(session),
        destination,
        minutes,
        made_by_id=operator.id,
        reason=reason,
        at=at,
    )


def transfer_by_id(session: Session, transfer_id: int) -> Transfer:
    found = session.scalar(with_accounts(select(Transfer)).where(Transfer.id == transfer_id))
    if found is None:
        raise NotFound(_("No such entry."))
    return found


def reversal_of(session: Session, transfer_id: int) -> Transfer | None:
    return session.scalar(select(Transfer).where(Transfer.reverses_id == transfer_id))


def reverse(
    session: Session,
    operator: User,
    transfer_id: int,
    reason: str | None,
    at: datetime | None = None,
) -> Transfer:
    """Undo a wrong entry with one that moves the same minutes back, linked to it. An entry is
    reversed once (a unique key on reverses_id settles two at once), and a reversal itself is
    never reversed: a new entry says what is right."""
    reason = _reason(reason)
    original = transfer_by_id(session, transfer_id)
    # Lock the account that gives the minutes back, as a donation would.
    _lock(session, original.to_account_id)
    if original.kind == TransferKind.REVERSAL:
        raise Conflict(_("A reversal cannot be reversed. Record a new entry instead."))
    if reversal_of(session, original.id) is not None:
        raise Conflict(_("This entry was reversed already."))
    try:
        with session.begin_nested():
            return _write(
                session,
                TransferKind.REVERSAL,
                original.to_account,
                original.from_account,
                original.minutes,
                made_by_id=operator.id,
                reason=reason,
                order_id=original.order_id,
                reverses_id=original.id,
                at=at,
            )
    except IntegrityError:
        raise Conflict(_("This entry was reversed already.")) from None


def decide_pending(
    session: Session, operator: User, pending_id: int, confirm: bool
) -> Transfer | None:
    """The office confirms a visit's extra time (credited now) or refuses it. One UPDATE
    guarded by the status: of two decisions at once, one lands."""
    pending = session.get(PendingCredit, pending_id)
    if pending is None:
        raise NotFound(_("No such entry."))
    landed = session.execute(
        update(PendingCredit)
        .where(PendingCredit.id == pending_id, PendingCredit.status == PendingStatus.PENDING)
        .values(
            status=PendingStatus.CONFIRMED if confirm else PendingStatus.REFUSED,
            decided_by_id=operator.id,
            decided_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if landed != 1:
        raise Conflict(_("This time was decided already."))
    session.refresh(pending)
    if not confirm:
        return None
    return _write(
        session,
        TransferKind.VISIT_EXTRA,
        bank(session),
        account_of(session, pending.volunteer_id),
        pending.minutes,
        made_by_id=operator.id,
        key=f"visit-extra:{pending.order_id}",
        order_id=pending.order_id,
    )


def format_hours_number(minutes: int) -> str:
    """Minutes as hours, without trailing zeros: 90 -> "1.5", 20 -> "0.33"."""
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"))
    text = format(hours, "f").rstrip("0").rstrip(".")
    return text or "0"
