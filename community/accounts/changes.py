"""Changes a person makes to their own account: their name, and a move to another home, which
waits for the office's approval as a sign-up does."""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from community.accounts.models import OFFICE_ROLES, AccountStatus, User
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid, NotAllowed, NotFound
from community.directory.models import Unit

MAX_NAME = 60
MAX_ID = 2**31 - 1  # the largest id PostgreSQL's integer column holds


def rename(user: User, name: str) -> None:
    name = (name or "").strip()
    if not name:
        raise Invalid(_("Tell us your name."), field="name")
    if len(name) > MAX_NAME:
        raise Invalid(_("At most %(max)d characters.", max=MAX_NAME), field="name")
    user.name = name


def request_move(session: Session, user: User, unit_id: int) -> None:
    """Ask to move to another home. The old home stays until the office approves."""
    if user.status != AccountStatus.ACTIVE:
        raise NotAllowed(_("You can ask to move once your sign-up is approved."))
    if not 0 < unit_id <= MAX_ID or session.get(Unit, unit_id) is None:
        raise Invalid(_("Choose your home from the list."), field="unit")
    if unit_id == user.unit_id:
        raise Invalid(_("You live there already. Choose your new home."), field="unit")
    user.move_unit_id = unit_id
    user.move_requested_at = utcnow()
    user.move_note = ""


def cancel_move(user: User) -> None:
    user.move_unit_id = None
    user.move_requested_at = None


def pending_moves(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.move_unit_id.is_not(None), User.status == AccountStatus.ACTIVE)
            .order_by(User.move_requested_at, User.id)
        )
    )


def review_move(
    session: Session, actor: User, user_id: int, *, approve: bool, note: str = ""
) -> User:
    """The office confirms (or refuses) that a person now lives at the home they asked for.
    Nobody reviews their own move: an operator who moves asks a colleague."""
    if not actor.has_role(*OFFICE_ROLES):
        raise NotAllowed(_("You are not allowed to do that."))
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such person."))
    if user.id == actor.id:
        raise NotAllowed(_("Someone else in the office must review your own move."))
    if user.move_unit_id is None:
        raise Conflict(_("This move has already been reviewed."))
    note = (note or "").strip()
    if not approve and not note:
        raise Invalid(_("Say why, so the person knows what to do."), field="note")
    if approve:
        user.unit_id = user.move_unit_id
    user.move_note = "" if approve else note[:200]
    user.reviewed_at = utcnow()
    user.reviewed_by_id = actor.id
    cancel_move(user)
    return user
