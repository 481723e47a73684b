"""Changing an activity after it was made: its titles, descriptions, category, place and places
per session. More places go at once to the first in line of each session to come; fewer than
a session has taken are refused (nothing changes); a new place is told to everyone with a place
or waiting, once each. And moving one session to another time: everyone who signed up is told
the old time and the new, and reminded before the new one."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from community.accounts.models import User
from community.activities.models import Activity, ActivitySession, SignUp
from community.activities.rules import (
    ACTIVITIES,
    check_changeable,
    is_office,
    recipient_locale,
)
from community.activities.schedule import UNLIMITED, check_what_and_where
from community.capacity import holding, reminders
from community.capacity import rules as capacity
from community.capacity.models import ACTIVE, Reservation
from community.core.db import utcnow
from community.core.errors import Invalid, NotFound
from community.core.links import path_for
from community.directory.models import Place
from community.notify import outbox


@dataclass
class Details:
    """What the office's edit form gives, checked by the form (lengths)."""

    title_zh: str
    category: str
    title_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    place_id: int | None = None
    address: str = ""
    capacity: int | None = None  # None: no limit


@dataclass
class Changed:
    offered: int  # people on a waiting list offered one of the new places
    told: int  # people told of the new place


def _coming(session: Session, activity_id: int, now: datetime) -> list[ActivitySession]:
    """The sessions still to begin and not called off, in the order of their resources."""
    return list(
        session.scalars(
            select(ActivitySession)
            .where(
                ActivitySession.activity_id == activity_id,
                ActivitySession.starts_at > now,
                ActivitySession.cancelled_at.is_(None),
            )
            .order_by(ActivitySession.resource_id)
        )
    )


def change(
    session: Session, actor: User, activity_id: int, details: Details, now: datetime | None = None
) -> Changed:
    """Save the details. The office only. The caller commits (or rolls back on an error: a
    refusal for one session leaves every session as it was)."""
    now = now or utcnow()
    activity = session.get(Activity, activity_id)
    if activity is None or not is_office(actor):
        raise NotFound(_("No such activity."))
    check_what_and_where(session, details.category, details.place_id, details.address)
    moved = (details.place_id or None, details.address.strip()) != (
        activity.place_id,
        activity.address,
    )
    offered = 0
    coming = _coming(session, activity.id, now)
    if details.capacity != activity.capacity:
        for row in coming:
            try:
                offers = capacity.resize(
                    session, row.resource_id, details.capacity or UNLIMITED, now
                )
            except Invalid:
                raise Invalid(
                    _(
                        "%(when)s has more people than that already. Choose at least as many "
                        "places, or call the session off.",
                        when=format_datetime(row.starts_at, "short"),
                    ),
                    field="capacity",
                ) from None
            offered += len(offers)
    activity.title_zh = details.title_zh.strip()
    activity.title_en = details.title_en.strip()
    activity.description_zh = details.description_zh.strip()
    activity.description_en = details.description_en.strip()
    activity.category = details.category
    activity.place_id = details.place_id or None
    activity.address = details.address.strip()
    activity.capacity = details.capacity
    session.flush()
    told = _tell_of_the_move(session, activity, coming) if moved and activity.published_at else 0
    return Changed(offered, told)


def _tell_of_the_move(session: Session, activity: Activity, coming: list[ActivitySession]) -> int:
    """Everyone with a place, an offer or a place in line at a session to come, and whoever
    signed them up: one message each."""
    resources = [row.resource_id for row in coming]
    if not resources:
        return 0
    people = set()
    for person_id, booked_by_id in session.execute(
        select(Reservation.person_id, Reservation.booked_by_id).where(
            Reservation.resource_id.in_(resources), Reservation.status.in_(ACTIVE)
        )
    ):
        people.update((person_id, booked_by_id))
    recipients = list(session.scalars(select(User).where(User.id.in_(people)).order_by(User.id)))
    title = activity.title
    place = session.get(Place, activity.place_id) if activity.place_id else None
    where = " · ".join(part for part in (place.name if place else "", activity.address) if part)

    def render():
        return (
            _("New place: %(title)s", title=title(recipient_locale())),
            _("From now on it meets at %(place)s.", place=where),
        )

    outbox.queue(
        session,
        recipients,
        ACTIVITIES,
        render,
        link=path_for("activities.detail", activity_id=activity.id),
        topic=f"activity-{activity.id}",
    )
    return len(recipients)


NOTE_MAX = 200


def check_can_move(row: ActivitySession, now: datetime) -> None:
    check_changeable(row, now, _("This session has begun: it can no longer be moved."))


def move_session(
    session: Session,
    actor: User,
    session_id: int,
    starts_at: datetime | None,
    note: str | None = "",
    now: datetime | None = None,
) -> int:
    """Move the session to start at starts_at (same length), saying why if the office wishes:
    everyone with a place, an offer or a place in line, and whoever signed them up, is told
    the old time and the new; reminders go again before the new time. The office only; not a
    session that began or was called off. Returns how many sign-ups were told. The caller
    commits."""
    now = now or utcnow()
    row = session.get(ActivitySession, session_id)
    if row is None or not is_office(actor):
        raise NotFound(_("No such activity."))
    # The resource's lock: no sign-up, offer or call-off of this session runs meanwhile.
    capacity.lock(session, row.resource_id)
    session.refresh(row)
    check_can_move(row, now)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise Invalid(_("At most %(max)d characters.", max=NOTE_MAX), field="note")
    if starts_at is None or starts_at.tzinfo is None:
        raise Invalid(_("Say when it starts."), field="starts_on")
    if starts_at <= now:
        raise Invalid(_("Choose a time in the future."), field="starts_on")
    if starts_at == row.starts_at:
        raise Invalid(_("Choose another time."), field="starts_on")
    before = row.starts_at
    length = row.ends_at - row.starts_at
    capacity.reschedule(session, row.resource_id, starts_at)
    row.starts_at = starts_at
    row.ends_at = starts_at + length
    signups = list(
        session.scalars(
            select(SignUp)
            .join(Reservation, Reservation.id == SignUp.reservation_id)
            .where(SignUp.session_id == row.id, Reservation.status.in_(ACTIVE))
            .options(joinedload(SignUp.reservation))
            .order_by(SignUp.id)
        )
    )
    title = row.activity.title
    for signup in signups:
        signup.reminded_day_at = signup.reminded_hour_at = None
        reminders.mark_made(signup, starts_at, now)

        def render():
            body = _(
                "%(before)s is moved to %(after)s.",
                before=format_datetime(before, "short"),
                after=format_datetime(starts_at, "short"),
            )
            return _("New time: %(title)s", title=title(recipient_locale())), (
                f"{body} {note}" if note else body
            )

        outbox.queue(
            session,
            holding.people_of(session, signup.reservation),
            ACTIVITIES,
            render,
            link=path_for("activities.signup", signup_id=signup.id),
            topic=f"activity-signup-{signup.id}",
        )
    session.flush()
    return len(signups)
