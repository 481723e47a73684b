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
from community.activities.rules import ACTIVITIES, is_office, recipient_locale
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
    reason = _reason(reason)
    if row.starts_at <= now:
        raise Conflict(_("This session has begun: it can no longer be called off."))
    if row.cancelled_at is not None:
        raise Conflict(_("This session was called off already."))
    targets = [row]
    if later_too:
        targets += session.scalars(
            select(ActivitySession)
            .where(
                ActivitySession.activity_id == row.activity_id,
                ActivitySession.starts_at > row.starts_at,
                ActivitySession.cancelled_at.is_(None),
            )
            .order_by(ActivitySession.resource_id)
        ).all()
    # Locks in the order of the resources' ids, so two overlapping call-offs cannot deadlock.
    targets.sort(key=lambda target: target.resource_id)
    signups = 0
    for target in targets:
        try:
            cancelled = capacity.close(session, target.resource_id, actor, reason, now)
        except Conflict as error:  # another clerk called it off a moment ago
            raise Conflict(_("This session was called off already.")) from error
        target.cancelled_at = now
        target.cancelled_by_id = actor.id
        target.cancel_reason = reason
        signups += len(cancelled)
        _tell(session, target, [reservation.id for reservation in cancelled], reason)
    session.flush()
    return CalledOff(len(targets), signups)


def _tell(session: Session, row: ActivitySession, reservation_ids: list[int], reason: str) -> None:
    if not reservation_ids:
        return
    found = session.scalars(
        select(SignUp)
        .where(SignUp.reservation_id.in_(reservation_ids))
        .options(joinedload(SignUp.reservation))
        .order_by(SignUp.id)
    )
    title = row.activity.title
    starts_at = row.starts_at
    for signup in found:
        paid = signup.paid_at is not None

        def render(paid=paid):
            body = _(
                "%(when)s is called off: %(reason)s",
                when=format_datetime(starts_at, "short"),
                reason=reason,
            )
            if paid:
                body += " " + _("The desk will give back what you paid.")
            return _("Called off: %(title)s", title=title(recipient_locale())), body

        outbox.queue(
            session,
            holding.people_of(session, signup.reservation),
            ACTIVITIES,
            render,
            link=path_for("activities.signup", signup_id=signup.id),
            topic=f"activity-signup-{signup.id}",
        )
