"""At the door and the desk: find a ticket by its QR token or typed short code, check people in
(twice is harmless), count who came, and record a fee paid at the desk."""

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, joinedload

from community.accounts.models import User
from community.activities.models import ActivitySession, SignUp
from community.activities.rules import S, is_office, may_run, recipient_locale
from community.capacity import rules as capacity
from community.capacity.models import Reservation
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid, NotFound

# Short codes for typing: no 0/O, 1/I, 2/Z, 5/S, 8/B that a tired eye confuses.
CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"
CODE_LENGTH = 6
SHORT_CODE = re.compile(rf"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
PAYMENT_WAYS = {
    "cash": _l("Cash"),
    "wechat": _l("WeChat Pay"),
    "alipay": _l("Alipay"),
    "card": _l("Bank card"),
}


def door_session(session: Session, actor: User, session_id: int) -> ActivitySession:
    """A session the actor may check people in at (organisers and the office); else 404."""
    row = session.get(ActivitySession, session_id)
    if row is None or not may_run(session, actor, row.activity_id):
        raise NotFound(_("No such activity."))
    return row


def door_list(session: Session, session_id: int) -> list[SignUp]:
    """Everyone with a place at the session, by name, in one query."""
    return list(
        session.scalars(
            select(SignUp)
            .join(Reservation, Reservation.id == SignUp.reservation_id)
            .join(User, User.id == Reservation.person_id)
            .options(joinedload(SignUp.reservation).joinedload(Reservation.person))
            .where(SignUp.session_id == session_id, Reservation.status == S.CONFIRMED)
            .order_by(User.name, SignUp.id)
        ).unique()
    )


def door_counts(session: Session, session_id: int) -> tuple[int, int]:
    """(present, expected) people, companions included, in one query."""
    present, expected = session.execute(
        select(
            func.coalesce(
                func.sum(
                    case((SignUp.checked_in_at.is_not(None), Reservation.party_size), else_=0)
                ),
                0,
            ),
            func.coalesce(func.sum(Reservation.party_size), 0),
        )
        .select_from(SignUp)
        .join(Reservation, Reservation.id == SignUp.reservation_id)
        .where(SignUp.session_id == session_id, Reservation.status == S.CONFIRMED)
    ).one()
    return int(present), int(expected)


@dataclass
class CheckIn:
    signup: SignUp
    already: bool


def _find_ticket(session: Session, row: ActivitySession, code: str) -> SignUp:
    text = (code or "").strip()
    typed = re.sub(r"[\s-]", "", text).upper()
    found = None
    if SHORT_CODE.fullmatch(typed):
        found = session.scalar(
            select(SignUp).where(SignUp.session_id == row.id, SignUp.short_code == typed)
        )
    elif TOKEN.fullmatch(text):
        found = session.scalar(select(SignUp).where(SignUp.ticket_token == text))
    if found is None:
        raise Invalid(
            _("No ticket has this code. Check the code, or find the person by name."),
            field="code",
        )
    if found.session_id != row.id:
        raise Conflict(
            _(
                "This ticket is for another session: %(title)s, %(when)s.",
                title=found.session.activity.title(recipient_locale()),
                when=format_datetime(found.session.starts_at, "short"),
            )
        )
    return found


def _check_in(session: Session, actor: User, signup: SignUp, now: datetime) -> CheckIn:
    if signup.reservation.status != S.CONFIRMED:
        raise Conflict(_("This ticket was cancelled, or never had a place. It cannot check in."))
    done = session.execute(
        update(SignUp)
        .where(SignUp.id == signup.id, SignUp.checked_in_at.is_(None))
        .values(checked_in_at=now, checked_in_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(signup)
    return CheckIn(signup, already=not done)


def check_in(
    session: Session, actor: User, session_id: int, code: str, now: datetime | None = None
) -> CheckIn:
    """Check a ticket in by its QR token or typed short code. Twice is harmless (already).
    The caller commits."""
    row = door_session(session, actor, session_id)
    return _check_in(session, actor, _find_ticket(session, row, code), now or utcnow())


def check_in_by_name(
    session: Session, actor: User, session_id: int, signup_id: int, now: datetime | None = None
) -> CheckIn:
    row = door_session(session, actor, session_id)
    signup = session.get(SignUp, signup_id)
    if signup is None or signup.session_id != row.id:
        raise NotFound(_("No such sign-up."))
    return _check_in(session, actor, signup, now or utcnow())


def mark_paid(
    session: Session, actor: User, signup_id: int, how: str, now: datetime | None = None
) -> SignUp:
    """Record a fee taken at the desk: the price for each person of the party, how, when.
    Once: the UPDATE lands only while nothing is recorded, so two clerks at once record it
    once."""
    now = now or utcnow()
    signup = session.get(SignUp, signup_id)
    if signup is None or not is_office(actor):
        raise NotFound(_("No such sign-up."))
    activity = signup.session.activity
    if activity.price_cents == 0:
        raise Conflict(_("This activity is free: there is nothing to pay."))
    # Under the session's lock: a call-off running now either comes first (no payment) or
    # after (and tells the person the fee is given back).
    capacity.lock(session, signup.reservation.resource_id)
    session.refresh(signup.reservation)
    if signup.reservation.status != S.CONFIRMED:
        raise Conflict(_("Only a confirmed sign-up can be paid."))
    if how not in PAYMENT_WAYS:
        raise Invalid(_("Choose how it was paid."), field="how")
    done = session.execute(
        update(SignUp)
        .where(SignUp.id == signup.id, SignUp.paid_at.is_(None))
        .values(
            paid_cents=activity.price_cents * signup.reservation.party_size,
            paid_how=how,
            paid_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise Conflict(_("A payment is recorded for this sign-up already."))
    session.refresh(signup)
    return signup
