"""Reminders of a place before it starts, a day before and an hour before, for any feature whose
row (a booking, a sign-up) keeps the markers `reminded_day_at` and `reminded_hour_at`: which
are due, claiming one so it goes once, and the job's loop. The feature writes the words."""

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Select, update
from sqlalchemy.orm import Session

from community.capacity.models import Reservation, ReservationStatus
from community.core.db import utcnow

# A place taken closer than this to its start needs no "tomorrow" reminder: the confirmation
# says it all.
DAY_AHEAD = timedelta(hours=24)
HOUR_AHEAD = timedelta(hours=1)
# (marker, not before, up to): within the hour only the hour's reminder goes, so after a worker
# outage nobody is told "tomorrow" about something that starts in forty minutes.
WINDOWS = (("reminded_day_at", HOUR_AHEAD, DAY_AHEAD), ("reminded_hour_at", None, HOUR_AHEAD))


def mark_made(row, starts_at: datetime, now: datetime) -> None:
    """A place taken within a reminder's window needs no such reminder later."""
    if starts_at - now <= DAY_AHEAD:
        row.reminded_day_at = now
    if starts_at - now <= HOUR_AHEAD:
        row.reminded_hour_at = now


def claim(session: Session, model, row_id: int, column: str, now: datetime) -> bool:
    """Claim a reminder: True for the one worker whose conditional UPDATE lands, so a reminder
    goes once even with two workers."""
    marker = getattr(model, column)
    return bool(
        session.execute(
            update(model)
            .where(model.id == row_id, marker.is_(None))
            .values({column: now})
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def due(session: Session, query: Select, model, starts_at, now: datetime) -> list[tuple]:
    """(row, marker) for each reminder due, from the feature's query of its rows (joined to
    their reservation) and the column of their start."""
    found = []
    for column, after, ahead in WINDOWS:
        marker = getattr(model, column)
        rows = session.scalars(
            query.where(
                marker.is_(None),
                Reservation.status == ReservationStatus.CONFIRMED,
                starts_at > now + (after or timedelta()),
                starts_at <= now + ahead,
            )
            .order_by(model.id)
            .limit(500)
        ).unique()
        found.extend((row, column) for row in rows)
    return found


def in_window(column: str, starts_at: datetime, now: datetime) -> bool:
    """Whether the reminder of this marker is due now for something starting at starts_at."""
    for marker, after, ahead in WINDOWS:
        if marker == column:
            return now + (after or timedelta()) < starts_at <= now + ahead
    return False


def send(
    session: Session,
    model,
    due_now: Callable[[Session, datetime], list[tuple]],
    remind: Callable[[Session, object, str], None],
    now: datetime | None = None,
    start_of: Callable[[Session, object], datetime] | None = None,
) -> int:
    """Each due reminder once: its marker is claimed by a conditional UPDATE, and the
    notification goes through the outbox (which holds pushes back in quiet hours; the inbox
    always has it) in the same transaction, one row per transaction. start_of(session, row)
    reads the row's start afresh once its marker is claimed: a time moved since the rows
    were listed (the move clears the markers) gives the marker back, for the new time."""
    now = now or utcnow()
    sent = 0
    for row, column in due_now(session, now):
        if claim(session, model, row.id, column, now):
            if start_of is not None and not in_window(column, start_of(session, row), now):
                session.execute(
                    update(model)
                    .where(model.id == row.id)
                    .values({column: None})
                    .execution_options(synchronize_session=False)
                )
            else:
                remind(session, row, column)
                sent += 1
        session.commit()
    return sent
