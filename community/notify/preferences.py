"""What each person wants pushed, by kind, and their quiet hours."""

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from community.accounts.models import User
from community.core.errors import Invalid
from community.notify.kinds import KINDS, choosable
from community.notify.models import NotificationSettings, PushPreference


@dataclass(frozen=True)
class Preferences:
    pushed: frozenset[str]  # the kinds pushed to the person's devices
    quiet_from: int | None
    quiet_until: int | None


def preferences_for(session: Session, user: User) -> Preferences:
    """The person's choices; every kind pushed at any hour if they never chose."""
    refused = set(
        session.scalars(
            select(PushPreference.kind).where(
                PushPreference.user_id == user.id, PushPreference.wanted.is_(False)
            )
        )
    )
    settings = session.get(NotificationSettings, user.id)
    return Preferences(
        pushed=frozenset(KINDS) - (refused & set(choosable())),
        quiet_from=settings.quiet_from if settings else None,
        quiet_until=settings.quiet_until if settings else None,
    )


def save_preferences(
    session: Session,
    user: User,
    kinds: Iterable[str],
    quiet_from: int | None,
    quiet_until: int | None,
) -> Preferences:
    kinds = set(kinds)
    if kinds - set(choosable()):
        raise Invalid(_("Choose from the kinds of notification offered."), field="kinds")
    quiet = (quiet_from, quiet_until)
    if (quiet_from is None) != (quiet_until is None) or any(
        value is not None and not 0 <= value < 24 * 60 for value in quiet
    ):
        raise Invalid(_("Choose when quiet hours start and end."), field="quiet_from")
    if quiet_from is not None and quiet_from == quiet_until:
        raise Invalid(_("Quiet hours must end at another time than they start."), "quiet_until")
    for kind in sorted(choosable()):
        _upsert(session, PushPreference, {"user_id": user.id, "kind": kind}, wanted=kind in kinds)
    _upsert(
        session,
        NotificationSettings,
        {"user_id": user.id},
        quiet_from=quiet_from,
        quiet_until=quiet_until,
    )
    return preferences_for(session, user)


def _upsert(session: Session, model, key: dict, **values) -> None:
    """Update the row with this key, or add it. Saved from two devices at once, the second
    insert fails on the key and updates instead."""
    where = [getattr(model, column) == value for column, value in key.items()]
    statement = update(model).where(*where).values(**values)
    if session.execute(statement.execution_options(synchronize_session="fetch")).rowcount:
        return
    try:
        with session.begin_nested():
            session.add(model(**key, **values))
    except IntegrityError:
        session.execute(statement.execution_options(synchronize_session=False))
