"""Account rules: signing up, logging in, sessions, the operator's review and role grants."""

import re
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from community.accounts.models import (
    OFFICE_ROLES,
    AccountStatus,
    LoginSession,
    Role,
    User,
    UserRole,
)
from community.accounts.passwords import hash_password, needs_rehash, verify_password
from community.accounts.strength import contains_phone, is_common
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid, NotAllowed, NotFound
from community.directory.models import Unit

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?\d{6,15}$")
MIN_PASSWORD = 8
# last_seen_at is written at most this often: not a write on every request.
TOUCH_EVERY = timedelta(minutes=1)
# The column is String(200): a longer note is refused with a message, never cut.
MAX_STATUS_NOTE = 200

# Which roles may grant (and take back) which role. Residents are made by approving a sign-up.
GRANTED_BY = {
    Role.VOLUNTEER: {Role.OPERATOR, Role.ADMIN},
    Role.STAFF: {Role.OPERATOR, Role.ADMIN},
    Role.OPERATOR: {Role.ADMIN},
    Role.ADMIN: {Role.ADMIN},
}

# Checked against when the login names nobody, so that the answer takes as long either way.
_ABSENT_HASH: dict[str, str] = {}


def normalize_login(raw: str) -> tuple[str, str]:
    """('phone' | 'email', the normalized value), or Invalid."""
    value = (raw or "").strip()
    if "@" in value:
        email = value.lower()
        if EMAIL_RE.match(email) and len(email) <= 254:
            return "email", email
    else:
        phone = re.sub(r"[\s\-()]", "", value)
        if phone.startswith("+86") and len(phone) == 14:
            phone = phone[3:]
        if PHONE_RE.match(phone):
            return "phone", phone
    raise Invalid(_("Enter a mobile phone number or an email address."), field="login")


def check_new_password(password: str, field: str = "password", phone: str | None = None) -> None:
    """Every new password (sign-up, change, reset by the office) passes here."""
    if len(password) < MIN_PASSWORD:
        raise Invalid(
            _("Use at least %(count)d characters for your password.", count=MIN_PASSWORD),
            field=field,
        )
    if is_common(password):
        raise Invalid(
            _("This password is among the most common ones, guessed first. Choose another."),
            field=field,
        )
    if contains_phone(password, phone):
        raise Invalid(_("Your password must not contain your phone number."), field=field)


def find_by_login(session: Session, login: str) -> User | None:
    kind, value = normalize_login(login)
    column = User.phone if kind == "phone" else User.email
    return session.scalar(select(User).where(column == value))


def sign_up(
    session: Session,
    *,
    name: str,
    login: str,
    password: str,
    unit_id: int,
    locale: str | None = None,
    large_text: bool = False,
) -> User:
    """A new account, pending until the operator confirms the person lives at the unit."""
    name = name.strip()
    if not name:
        raise Invalid(_("Tell us your name."), field="name")
    kind, value = normalize_login(login)
    check_new_password(password, phone=value if kind == "phone" else None)
    if session.get(Unit, unit_id) is None:
        raise Invalid(_("Choose your home from the list."), field="unit")
    taken = _("An account with this phone number or email already exists.")
    if find_by_login(session, value) is not None:
        raise Invalid(taken, field="login")
    user = User(
        name=name,
        password_hash=hash_password(password),
        unit_id=unit_id,
        status=AccountStatus.PENDING,
        locale=locale,
        large_text=large_text,
        **{kind: value},
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        # Someone signed up with the same login between our check and our insert.
        session.rollback()
        raise Invalid(taken, field="login") from None
    return user


def authenticate(session: Session, login: str, password: str) -> User | None:
    try:
        user = find_by_login(session, login)
    except Invalid:
        user = None
    if user is None:
        if "hash" not in _ABSENT_HASH:
            _ABSENT_HASH["hash"] = hash_password(secrets.token_hex(8))
        verify_password(_ABSENT_HASH["hash"], password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_login_session(session: Session, user: User, user_agent: str = "") -> str:
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token=token, user_id=user.id, user_agent=user_agent[:200]))
    user.session_token = token
    return token


def idle_limit(user: User, idle: timedelta, office_idle: timedelta) -> timedelta:
    return office_idle if not user.roles.isdisjoint(OFFICE_ROLES) else idle


# One statement for what every page needs: the session, the person, their home and its building
# (User.unit is joined), and their roles, joined here rather than selected after. Built once:
# building a statement and its cache key costs more than running it.
_LOGIN_STATEMENT = (
    select(LoginSession, User)
    .join(User, User.id == LoginSession.user_id)
    .outerjoin(User.role_rows)
    .options(contains_eager(User.role_rows))
    .where(LoginSession.token == bindparam("token"))
)


def load_login_session(
    session: Session,
    token: str,
    *,
    idle: timedelta,
    office_idle: timedelta,
    now: datetime | None = None,
) -> User | None:
    """The person behind a session token, unless the session has been idle too long (then it
    ends here). Marks the session seen, at most once a minute; user.session_written tells the
    caller there is a write to commit."""
    row = session.execute(_LOGIN_STATEMENT, {"token": token}).unique().first()
    if row is None:
        return None
    login, user = row
    now = now or utcnow()
    idle_for = now - login.last_seen_at
    if idle_for > idle_limit(user, idle, office_idle):
        session.execute(delete(LoginSession).where(LoginSession.id == login.id))
        user.session_written = True
        return None
    if idle_for >= TOUCH_EVERY:
        # Conditional, so that two requests at once write once.
        session.execute(
            update(LoginSession)
            .where(LoginSession.id == login.id, LoginSession.last_seen_at == login.last_seen_at)
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
        user.session_written = True
    user.session_token = token
    return user


DEVICES_SHOWN = 30


def login_sessions(
    session: Session, user: User, limit: timedelta, now: datetime | None = None
) -> list[LoginSession]:
    """The person's logged-in devices still within their idle limit, the most recently used
    first (at most DEVICES_SHOWN: "log out everywhere else" ends the rest). One idle longer has
    ended, though its row waits for purge_idle_sessions."""
    since = (now or utcnow()) - limit
    return list(
        session.scalars(
            select(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.last_seen_at > since)
            .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
            .limit(DEVICES_SHOWN)
        )
    )


def purge_idle_sessions(session: Session, idle: timedelta, now: datetime | None = None) -> int:
    """Delete sessions nobody has used for longer than the longest idle limit: they can never
    be used again, and a device list or the table should not keep them for ever."""
    cutoff = (now or utcnow()) - idle
    return session.execute(delete(LoginSession).where(LoginSession.last_seen_at < cutoff)).rowcount


def end_device_session(session: Session, user: User, login_session_id: int) -> bool:
    """End one of the person's own sessions; True when it was the one they are using."""
    row = session.scalar(
        select(LoginSession).where(
            LoginSession.id == login_session_id, LoginSession.user_id == user.id
        )
    )
    if row is None:
        raise NotFound(_("That device is no longer logged in."))
    session.execute(delete(LoginSession).where(LoginSession.id == row.id))
    return row.token == user.session_token


def end_other_sessions(session: Session, user: User) -> int:
    """Log out everywhere but here; how many sessions ended."""
    return session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.token != user.session_token
        )
    ).rowcount


def end_login_session(session: Session, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.token == token))


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Set a new password and end every other session of the account."""
    if not verify_password(user.password_hash, current):
        raise Invalid(_("That is not your current password."), field="current_password")
    check_new_password(new, field="new_password", phone=user.phone)
    user.password_hash = hash_password(new)
    session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.token != user.session_token
        )
    )


def _require(actor: User, *roles: str) -> None:
    if not actor.has_role(*roles):
        raise NotAllowed(_("You are not allowed to do that."))


def get_person(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such person."))
    return user


def review_signup(
    session: Session, actor: User, user_id: int, *, approve: bool, note: str = ""
) -> User:
    """The operator confirms (or refuses) that a new sign-up lives where they say."""
    _require(actor, Role.OPERATOR, Role.ADMIN)
    user = get_person(session, user_id)
    if user.status != AccountStatus.PENDING:
        raise Conflict(_("This sign-up has already been reviewed."))
    note = note.strip()
    if not approve and not note:
        raise Invalid(_("Say why, so the person knows what to do."), field="note")
    if len(note) > MAX_STATUS_NOTE:
        raise Invalid(_("At most %(max)d characters.", max=MAX_STATUS_NOTE), field="note")
    user.status = AccountStatus.ACTIVE if approve else AccountStatus.REJECTED
    user.status_note = note
    user.reviewed_at = utcnow()
    user.reviewed_by_id = actor.id
    if approve:
        user.role_rows.append(UserRole(role=Role.RESIDENT, granted_by_id=actor.id))
    else:
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    return user


def grantable_roles(actor: User) -> list[Role]:
    return [role for role, granters in GRANTED_BY.items() if actor.has_role(*granters)]


def set_role(session: Session, actor: User, user_id: int, role: str, *, held: bool) -> User:
    """Grant or take back a role, if the actor's own roles allow it."""
    try:
        role = Role(role)
    except ValueError:
        raise NotFound(_("No such role.")) from None
    if role not in GRANTED_BY or not actor.has_role(*GRANTED_BY[role]):
        raise NotAllowed(_("You are not allowed to do that."))
    user = get_person(session, user_id)
    if user.status != AccountStatus.ACTIVE:
        raise Conflict(_("Roles can be given only to people whose sign-up was approved."))
    if not held and role == Role.ADMIN and user.id == actor.id:
        raise Conflict(_("You cannot take away your own admin role."))
    current = {row.role: row for row in user.role_rows}
    if held and role not in current:
        user.role_rows.append(UserRole(role=role, granted_by_id=actor.id))
    elif not held and role in current:
        user.role_rows.remove(current[role])
    return user


@lru_cache(maxsize=16)
def _holders_statement(roles: tuple[str, ...]):
    return (
        select(User.id, User.name)
        .where(
            User.status == AccountStatus.ACTIVE,
            User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(roles))),
        )
        .order_by(User.name, User.id)
    )


def active_holders(session: Session, *roles: str) -> list[Row]:
    """(id, name) of every active person holding any of these roles, by name: what a picker
    shows, without loading each person (and their home) as an entity."""
    return list(session.execute(_holders_statement(tuple(sorted(roles)))))
