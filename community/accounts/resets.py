"""A forgotten password, reset through the office: there is no SMS or mail here, so the
operator makes a one-time code and hands it over in person. The code is short enough to type
(8 digits), lives PASSWORD_RESET_MINUTES, works once, and only its keyed hash is stored; the
page that takes it is rate-limited, which is what makes 8 digits enough."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from community.accounts.models import OFFICE_ROLES, LoginSession, PasswordReset, User
from community.accounts.passwords import hash_password
from community.accounts.rules import check_new_password, find_by_login
from community.core.db import utcnow
from community.core.errors import Invalid, NotAllowed, NotFound

CODE_DIGITS = 8


def code_hash(key: str, code: str) -> str:
    return hmac.new(key.encode(), code.encode(), hashlib.sha256).hexdigest()


def normalize_code(typed: str) -> str:
    """People read a code out in groups: spaces and dashes do not count."""
    return "".join(ch for ch in (typed or "") if ch not in " -")


def issue_reset_code(
    session: Session, actor: User, user_id: int, *, key: str, lifetime: timedelta
) -> tuple[User, str, datetime]:
    """A new code for the person (any older one stops working): (person, code, expires_at)."""
    if not actor.has_role(*OFFICE_ROLES):
        raise NotAllowed(_("You are not allowed to do that."))
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such person."))
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    now = utcnow()
    session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
    session.add(
        PasswordReset(
            user_id=user.id,
            code_hash=code_hash(key, code),
            created_by_id=actor.id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return user, code, now + lifetime


def reset_password(
    session: Session, login: str, code: str, new: str, *, key: str, now: datetime | None = None
) -> User:
    """Set a new password with a code from the office, and log out every device. The same
    answer for an unknown login, a wrong code and a used or expired one."""
    wrong = Invalid(_("This code is wrong, used or expired. Ask the office for a new one."), "code")
    try:
        user = find_by_login(session, login)
    except Invalid:
        user = None
    if user is None:
        raise wrong
    now = now or utcnow()
    digest = code_hash(key, normalize_code(code))
    live = session.scalars(
        select(PasswordReset).where(
            PasswordReset.user_id == user.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
    ).all()
    reset = next((row for row in live if hmac.compare_digest(row.code_hash, digest)), None)
    if reset is None:
        raise wrong
    check_new_password(new, field="new_password", phone=user.phone)
    # Judged by the rowcount: two tabs sending the same code at once reset once.
    used = session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not used:
        raise wrong
    user.password_hash = hash_password(new)
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    return user
