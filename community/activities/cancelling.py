"""Calling a session off: the office cancels one session, or it and every later one of the
series, saying why. Each session's resource is closed in the capacity engine (every place,
offer and place in line cancelled; nobody can sign up again), and everyone who had a place or
was waiting, and whoever signed them up, is told why in their own language."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from community.accounts.models import User
from community.activities.models import ActivitySession, SignUp
from community.activities.rules import (
    ACTIVITIES,
    check_changeable,
    is_office,
    recipient_locale,
)
from community.capacity import holding
from community.capacity import rules as capacity
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid, NotFound
from community.core.links import path_for
from community.notify import outbox

REASON_MAX = 200


@dataclass
class CalledOff:
    sessions: int  # how many sessions were cancelled
    signups: int  # how many sign-ups (places, offers, places in line) went with them


def _reason(text: str | None) -> str:
    reason = (text or "").strip()
    if not reason:
        raise Invalid(_("Say why, for the people who signed up."), field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(_("At most %(max)d characters.", max=REASON_MAX), field="reason")
    return reason


def check_can_call_off(row: ActivitySession, now: datetime) -> None:
    check_changeable(row, now, _("This session has begun: it can no longer be called off."))


def later_sessions(session: Session, row: ActivitySession) -> list[ActivitySession]:
    """The sessions of the same activity after this one, not called off: what "every later
    session" calls off."""
    return list(
        session.scalars(
            select(ActivitySession).where(
                ActivitySession.activity_id == row.activity_id,
                ActivitySession.starts_at > row.starts_at,
                ActivitySession.cancelled_at.is_(None),
            )
        )
    )


def call_off(
    session: Session,
    actor: User,
    session_id: int,
    reason: str | None,
    later_too: bool = False,
    now: datetime | None = None,
) -> CalledOff:
    """Cancel the session (and, with later_too, every later session of the activity not yet
    cancelled), saying why. Only the office; only before it begins. The caller commits."""
    now = now or utcnow()
    row = session.get(ActivitySession, session_id)
    if row is None or not is_office(actor):
        raise NotFound(_("No such activity."))
    check_can_call_off(row, now)
    reason = _reason(reason)
    targets = [row, *(later_sessions(session, row) if later_too else [])]
    # Locks in the order of the resources' ids, so two overlapping call-offs cannot deadlock.
    targets.sort(key=lambda target: target.resource_id)
    cancelled: list[tuple[ActivitySession, int]] = []  # (session, reservation id)
    for target in targets:
        try:
            closed = capacity.close(session, target.resource_id, actor, reason, now)
        except Conflict as error:  # another clerk called it off a moment ago
            raise Conflict(_("This session was called off already.")) from error
        session.refresh(target)  # under the lock: moved a moment ago, it says the new time
        target.cancelled_at = now
        target.cancelled_by_id = actor.id
        target.cancel_reason = reason
        cancelled += [(target, reservation.id) for reservation in closed]
    session.flush()
    _tell(session, row.activity, cancelled, reason)
    return CalledOff(len(targets), len(cancelled))


def _tell(
    session: Session, activity, cancelled: list[tuple[ActivitySession, int]], reason: str
) -> None:
    """One message for each person (the one signed up, and whoever signed them up): about
    their one session, or, when a series went, about all of theirs at once."""
    if not cancelled:
        return
    starts = {reservation_id: row.starts_at for row, reservation_id in cancelled}
    found = session.scalars(
        select(SignUp)
        .where(SignUp.reservation_id.in_(list(starts)))
        .options(joinedload(SignUp.reservation))
        .order_by(SignUp.id)
    )
    theirs: dict[int, tuple[User, list[SignUp]]] = {}
    for signup in found:
        for person in holding.people_of(session, signup.reservation):
            theirs.setdefault(person.id, (person, []))[1].append(signup)
    title = activity.title
    for person, signups in theirs.values():
        first = min(starts[signup.reservation_id] for signup in signups)
        paid = any(signup.paid_at is not None for signup in signups)
        count = len(signups)

        def render(first=first, paid=paid, count=count):
            when = format_datetime(first, "short")
            if count == 1:
                body = _("%(when)s is called off: %(reason)s", when=when, reason=reason)
            else:
                body = _(
                    "%(count)d sessions from %(when)s on are called off: %(reason)s",
                    count=count,
                    when=when,
                    reason=reason,
                )
            if paid:
                body += " " + _("The desk will give back what you paid.")
            return _("Called off: %(title)s", title=title(recipient_locale())), body

        if count == 1:
            link = path_for("activities.signup", signup_id=signups[0].id)
            topic = f"activity-signup-{signups[0].id}"
        else:
            link, topic = path_for("activities.mine"), f"activity-{activity.id}"
        outbox.queue(session, [person], ACTIVITIES, render, link=link, topic=topic)
