"""Signing up for a session, with companions: a place, or a place on the waiting list; answering
an offer when a place frees; cancelling; and the reminders before a session starts."""

import secrets
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, joinedload

from community.accounts import relations
from community.accounts.models import User
from community.activities.models import Activity, ActivitySession, SignUp
from community.activities.rules import (
    ACTIVITIES,
    ACTIVITY,
    S,
    recipient_locale,
    refusal_for,
    this_year,
)
from community.activities.tickets import CODE_ALPHABET, CODE_LENGTH
from community.capacity import holding, reminders
from community.capacity import rules as capacity
from community.capacity.models import ACTIVE, Reservation
from community.core.db import utcnow
from community.core.errors import Conflict, Full, Invalid, NotAllowed, NotFound
from community.core.events import place_offered
from community.core.links import path_for
from community.notify import outbox

MAX_COMPANIONS = 3


def _visible_signups(user: User):
    """Sign-ups for the person, and those they made for family they are still linked to."""
    made_by_me = and_(Reservation.booked_by_id == user.id, holding.linked_to_person(user))
    return or_(Reservation.person_id == user.id, made_by_me)


def _loaded_signups():
    return (
        select(SignUp)
        .join(Reservation, Reservation.id == SignUp.reservation_id)
        .join(ActivitySession, ActivitySession.id == SignUp.session_id)
        .options(
            joinedload(SignUp.session)
            .joinedload(ActivitySession.activity)
            .joinedload(Activity.place),
            joinedload(SignUp.reservation).joinedload(Reservation.person),
        )
    )


def signups_of(session: Session, user: User, sessions: list[ActivitySession]) -> list[SignUp]:
    """The viewer's (and their family's) sign-ups for these sessions, in one query."""
    ids = [row.id for row in sessions]
    if not ids:
        return []
    return list(
        session.scalars(
            _loaded_signups().where(
                SignUp.session_id.in_(ids), _visible_signups(user), Reservation.status.in_(ACTIVE)
            )
        ).unique()
    )


def signup_for(session: Session, user: User, signup_id: int) -> SignUp:
    found = session.scalar(_loaded_signups().where(SignUp.id == signup_id, _visible_signups(user)))
    if found is None:
        raise NotFound(_("No such sign-up."))
    return found


def _tell(session: Session, signup: SignUp, people, render) -> None:
    outbox.queue(
        session,
        people,
        ACTIVITIES,
        render,
        link=path_for("activities.signup", signup_id=signup.id),
        topic=f"activity-signup-{signup.id}",
    )


def _people(session: Session, signup: SignUp) -> list[User]:
    return holding.people_of(session, signup.reservation)


def _when(signup: SignUp) -> str:
    return format_datetime(signup.session.starts_at, "short")


def _new_short_code(session: Session, session_id: int) -> str:
    """A code not yet used at this session. Called with the session's resource locked, so
    no other sign-up of the session picks one meanwhile."""
    used = set(session.scalars(select(SignUp.short_code).where(SignUp.session_id == session_id)))
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in used:
            return code


def check_open(activity: Activity, row: ActivitySession, now: datetime) -> None:
    if row.cancelled_at is not None:
        raise Conflict(_("This session was called off: %(reason)s", reason=row.cancel_reason))
    if activity.published_at is None:
        raise Conflict(_("This activity is not open for sign-ups yet."))
    if activity.signup_opens_at is not None and now < activity.signup_opens_at:
        raise Conflict(
            _(
                "Sign-ups open on %(when)s.",
                when=format_datetime(activity.signup_opens_at, "short"),
            )
        )
    closes = activity.signup_closes_at or row.starts_at
    if now >= min(closes, row.starts_at):
        raise Conflict(_("Sign-ups for this session have closed."))


def sign_up(
    session: Session,
    session_id: int,
    person: User | None,
    booked_by: User,
    companions: int = 0,
    now: datetime | None = None,
) -> SignUp:
    """A place at the session for the person and up to three companions: confirmed when it
    fits and nobody is waiting, else on the waiting list (or Full when the activity keeps no
    list). The party takes its places together or not at all. The caller commits."""
    now = now or utcnow()
    row = session.get(ActivitySession, session_id)
    if row is None:
        raise NotFound(_("No such activity."))
    activity = row.activity
    if person is None or not relations.may_act_for(session, booked_by, person):
        raise Invalid(
            _("You can sign up yourself, or family the community office has linked to you."),
            field="person",
        )
    if (
        not isinstance(companions, int)
        or isinstance(companions, bool)
        or not 0 <= companions <= MAX_COMPANIONS
    ):
        raise Invalid(
            _("Bring at most %(max)d companions.", max=MAX_COMPANIONS), field="companions"
        )
    check_open(activity, row, now)
    refusal = refusal_for(activity, person, this_year(now))
    if refusal:
        raise NotAllowed(refusal)
    party = 1 + companions
    try:
        reservation = capacity.reserve(
            session, row.resource_id, person, booked_by, party, waitlist=activity.waitlist, now=now
        )
    except Invalid as error:
        raise Invalid(
            _("There are not enough places for %(count)d people.", count=party),
            field="companions",
        ) from error
    except Full as error:
        raise Full(_("This session is full.")) from error
    # Read again under the lock: the office may have moved the session a moment ago.
    session.refresh(row)
    signup = SignUp(
        session_id=row.id,
        reservation=reservation,
        companions=companions,
        ticket_token=secrets.token_urlsafe(24),
        short_code=_new_short_code(session, row.id),
        created_at=now,
    )
    reminders.mark_made(signup, row.starts_at, now)
    session.add(signup)
    session.flush()
    title = activity.title
    if reservation.status == S.CONFIRMED:
        _tell(
            session,
            signup,
            _people(session, signup),
            lambda: (
                _("Signed up: %(title)s", title=title(recipient_locale())),
                _(
                    "%(when)s, for %(person)s. Your ticket is in the app.",
                    when=_when(signup),
                    person=person.name,
                ),
            ),
        )
    else:
        _tell(
            session,
            signup,
            _people(session, signup),
            lambda: (
                _("On the waiting list: %(title)s", title=title(recipient_locale())),
                _(
                    "%(when)s is full. %(person)s is on the waiting list and will be told "
                    "when a place frees.",
                    when=_when(signup),
                    person=person.name,
                ),
            ),
        )
    return signup


def cancel(session: Session, signup: SignUp, actor: User, now: datetime | None = None) -> SignUp:
    """Give up a place, an offer or a place in line; a freed place goes to the next in line at
    once. The caller commits."""
    now = now or utcnow()
    if signup.reservation.status not in ACTIVE:
        raise Conflict(_("This sign-up is cancelled already."))
    if signup.session.starts_at <= now:
        raise Conflict(_("This session has begun: it can no longer be cancelled."))
    holding.give_up(session, signup.reservation, actor, now)
    session.refresh(signup.reservation)
    return signup


def accept_offer(session: Session, signup: SignUp, actor: User, now=None) -> SignUp:
    capacity.accept_offer(session, signup.reservation_id, actor, now=now)
    session.refresh(signup.reservation)
    return signup


def decline_offer(session: Session, signup: SignUp, actor: User, now=None) -> SignUp:
    """ "I don't need it": the place goes to the next in line at once."""
    capacity.decline_offer(session, signup.reservation_id, actor, now=now)
    session.refresh(signup.reservation)
    return signup


@place_offered.connect
def tell_of_offer(session: Session, reservation: Reservation, **_kwargs) -> None:
    """A place freed at a session: tell the first in line, with links to take it or pass it on."""
    if reservation.resource.kind != ACTIVITY:
        return
    signup = session.scalar(
        select(SignUp)
        .where(SignUp.reservation_id == reservation.id)
        .options(joinedload(SignUp.session).joinedload(ActivitySession.activity))
    )
    if signup is None:  # being made by sign_up() right now
        return
    title = signup.session.activity.title
    expires = reservation.offer_expires_at
    _tell(
        session,
        signup,
        [reservation.person],
        lambda: (
            _("A place is free for you: %(title)s", title=title(recipient_locale())),
            _(
                "%(when)s. Take it before %(until)s, or say you don't need it so the next "
                "person can have it.",
                when=_when(signup),
                until=format_datetime(expires, "short"),
            ),
        ),
    )


def due_reminders(session: Session, now: datetime) -> list[tuple[SignUp, str]]:
    """(sign-up, marker) for each reminder due: a day before and an hour before the start."""
    return reminders.due(session, _loaded_signups(), SignUp, ActivitySession.starts_at, now)


def remind(session: Session, signup: SignUp, column: str) -> None:
    activity = signup.session.activity
    title = activity.title
    soon = column == "reminded_hour_at"
    where = activity.place.name if activity.place else activity.address

    def render():
        heading = (
            _("In an hour: %(title)s", title=title(recipient_locale()))
            if soon
            else _("Tomorrow: %(title)s", title=title(recipient_locale()))
        )
        return heading, _("%(when)s, %(place)s.", when=_when(signup), place=where)

    _tell(session, signup, _people(session, signup), render)
