"""Account rules: signing up, logging in, sessions, the operator's review and role grants."""

import re
import secrets

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from community.accounts.models import AccountStatus, LoginSession, Role, User, UserRole
from community.accounts.passwords import hash_password, needs_rehash, verify_password
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid, NotAllowed, NotFound
from community.directory.models import Unit

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?\d{6,15}$")
MIN_PASSWORD = 8
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


def check_new_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(
            _("Use at least %(count)d characters for your password.", count=MIN_PASSWORD),
            field=field,
        )


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
    check_new_password(password)
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


def load_login_session(session: Session, token: str) -> User | None:
    user = session.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token == token)
    )
    if user is not None:
        user.session_token = token
    return user


def end_login_session(session: Session, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.token == token))


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Set a new password and end every other session of the account."""
    if not verify_password(user.password_hash, current):
        raise Invalid(_("That is not your current password."), field="current_password")
    check_new_password(new, field="new_password")
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
