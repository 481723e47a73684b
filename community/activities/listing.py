"""The activities list in two statements built once at import with bound parameters: the coming
sessions a viewer may see, soonest first, each a row of plain columns with its activity, place,
and places taken and waiting; then the viewer's sign-ups for them. And "my activities" in one.

Entities and rules.reach_of's four lookups (relations, family, their roles, organisers) cost
more in the ORM than in the database; the list prints a few columns of each session. The reach
here is rules.Reach in SQL: the viewer, and (when the viewer is active) linked family who are
active residents; an activity is shown when its audience admits any of them, a 60+ one also to
someone whose birth year is missing, and always when the viewer organises it. The office sees
every published activity.

A row reads: id (the session's), starts_at, activity_id, title_zh, title_en, category,
cancelled_at, place_id, place_name, address, price_cents, capacity, waitlist, and taken and
waiting (people, companions included, with a place or a live offer, and on the waiting list).
The viewer's own sign-ups for them are a second statement (signed_up), led by the sessions'
index."""

from datetime import datetime

from sqlalchemy import Select, and_, bindparam, func, or_, select, union
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session, aliased

from community.accounts.models import AccountStatus, Relation, Role, User, UserRole
from community.activities.models import (
    SENIOR_AGE,
    Activity,
    ActivitySession,
    Audience,
    Organiser,
    SignUp,
)
from community.activities.rules import S, is_office, this_year
from community.capacity import holding
from community.capacity.models import ACTIVE, Reservation
from community.core.db import UTCDateTime
from community.directory.models import Place, Unit

SHOWN = 100
MY_SHOWN = 200

_VIEWER = bindparam("viewer_id")
_NOW = bindparam("now", type_=UTCDateTime())


def _reach():
    """rules.Reach.clause() with the reach looked up in SQL, for the viewer bound."""
    family = union(
        select(Relation.relative_id).where(Relation.person_id == _VIEWER),
        select(Relation.person_id).where(Relation.relative_id == _VIEWER),
    )
    viewer_active = (
        select(User.id).where(User.id == _VIEWER, User.status == AccountStatus.ACTIVE).exists()
    )
    people = (
        select(User.id, User.unit_id, User.birth_year, User.status)
        .where(
            or_(
                User.id == _VIEWER,
                and_(
                    viewer_active,
                    User.id.in_(family),
                    User.status == AccountStatus.ACTIVE,
                    select(UserRole.id)
                    .where(UserRole.user_id == User.id, UserRole.role == Role.RESIDENT)
                    .exists(),
                ),
            )
        )
        .cte("people")
    )
    buildings = select(Unit.building_id).join(people, people.c.unit_id == Unit.id)
    roles = (
        select(UserRole.role)
        .join(people, people.c.id == UserRole.user_id)
        .where(people.c.status == AccountStatus.ACTIVE)
    )
    seniors = (
        select(people.c.id)
        .where(or_(people.c.birth_year.is_(None), people.c.birth_year <= bindparam("born_by")))
        .exists()
    )
    return or_(
        Activity.audience == Audience.EVERYONE,
        and_(Activity.audience == Audience.BUILDING, Activity.audience_building_id.in_(buildings)),
        and_(Activity.audience == Audience.ROLE, Activity.audience_role.in_(roles)),
        and_(Activity.audience == Audience.SENIORS, seniors),
        Activity.id.in_(select(Organiser.activity_id).where(Organiser.user_id == _VIEWER)),
    )


def _one_of(statuses):
    """Reservation.status IN (...) without an expanding parameter: a statement with one is
    rendered again on every run."""
    return or_(*(Reservation.status == status for status in statuses))


def _places(*statuses, offers: bool = False):
    """People (party sizes) on the row's session with these statuses, and live offers."""
    wanted = _one_of(statuses)
    if offers:
        wanted = or_(
            wanted, and_(Reservation.status == S.OFFERED, Reservation.offer_expires_at > _NOW)
        )
    return (
        select(func.coalesce(func.sum(Reservation.party_size), 0))
        .where(Reservation.resource_id == ActivitySession.resource_id, wanted)
        .scalar_subquery()
    )


def _visible():
    """Sign-ups for the viewer, and those they made for family still linked to them (as
    joining._visible_signups)."""
    linked = (
        select(Relation.id)
        .where(
            or_(
                and_(Relation.person_id == _VIEWER, Relation.relative_id == Reservation.person_id),
                and_(Relation.relative_id == _VIEWER, Relation.person_id == Reservation.person_id),
            )
        )
        .exists()
    )
    return or_(Reservation.person_id == _VIEWER, and_(Reservation.booked_by_id == _VIEWER, linked))


def _mine():
    """The viewer's active sign-ups for the sessions listed. Not ordered: ORDER BY the id makes
    SQLite walk every sign-up by rowid rather than use the session's index."""
    return (
        select(
            SignUp.id,
            SignUp.session_id,
            Reservation.status,
            SignUp.checked_in_at.is_not(None).label("checked_in"),
        )
        .join(Reservation, Reservation.id == SignUp.reservation_id)
        .where(
            SignUp.session_id.in_(bindparam("session_ids", expanding=True)),
            _one_of(ACTIVE),
            _visible(),
        )
    )


def _my_signups():
    """My activities: every sign-up the viewer sees, by the session's start."""
    person = aliased(User, name="person")
    return (
        select(
            SignUp.id,
            SignUp.reservation_id,
            SignUp.short_code,
            SignUp.checked_in_at.is_not(None).label("checked_in"),
            ActivitySession.starts_at,
            ActivitySession.ends_at,
            ActivitySession.cancelled_at.is_not(None).label("called_off"),
            Activity.title_zh,
            Activity.title_en,
            Reservation.status,
            Reservation.resource_id,
            Reservation.person_id,
            person.name.label("person_name"),
        )
        .select_from(SignUp)
        .join(Reservation, Reservation.id == SignUp.reservation_id)
        .join(ActivitySession, ActivitySession.id == SignUp.session_id)
        .join(Activity, Activity.id == ActivitySession.activity_id)
        .join(person, person.id == Reservation.person_id)
        .where(_visible())
        .order_by(ActivitySession.starts_at, SignUp.id)
        .limit(MY_SHOWN)
    )


def _statement(office: bool, category: bool) -> Select:
    query = (
        select(
            ActivitySession.id,
            ActivitySession.starts_at,
            ActivitySession.cancelled_at,
            Activity.id.label("activity_id"),
            Activity.title_zh,
            Activity.title_en,
            Activity.category,
            Activity.place_id,
            Place.name.label("place_name"),
            Activity.address,
            Activity.price_cents,
            Activity.capacity,
            Activity.waitlist,
            _places(S.CONFIRMED, S.HELD, offers=True).label("taken"),
            _places(S.WAITLISTED).label("waiting"),
        )
        .join(Activity, Activity.id == ActivitySession.activity_id)
        .outerjoin(Place, Place.id == Activity.place_id)
        .where(Activity.published_at.is_not(None), ActivitySession.ends_at > _NOW)
        .order_by(ActivitySession.starts_at, ActivitySession.id)
        .limit(SHOWN)
    )
    if not office:
        query = query.where(_reach())
    if category:
        query = query.where(Activity.category == bindparam("category"))
    return query


# Built once for anyone: building a statement and its cache key cost more than running it.
_COMING = {
    (office, category): _statement(office, category)
    for office in (False, True)
    for category in (False, True)
}
_MINE = _mine()
_MY_SIGNUPS = _my_signups()


def coming(session: Session, viewer: User, now: datetime, category: str | None = None) -> list[Row]:
    """The next SHOWN sessions of published activities the viewer may see, soonest first."""
    parameters = {"viewer_id": viewer.id, "now": now, "born_by": this_year(now) - SENIOR_AGE}
    if category:
        parameters["category"] = category
    return list(session.execute(_COMING[is_office(viewer), bool(category)], parameters))


def signed_up(session: Session, viewer: User, rows: list[Row]) -> dict[int, Row]:
    """The viewer's (or their family's) active sign-up for each listed session that has one,
    by session id: a row of id, session_id, status and checked_in. Where several are, the latest."""
    if not rows:
        return {}
    found = session.execute(_MINE, {"viewer_id": viewer.id, "session_ids": [r.id for r in rows]})
    return {row.session_id: row for row in sorted(found, key=lambda row: row.id)}


def my_signups(session: Session, viewer: User, now: datetime) -> tuple[list[Row], list[Row]]:
    """(coming up, earlier): the viewer's sign-ups and their family's, as rows of id,
    reservation_id, short_code, checked_in, starts_at, ends_at, title_zh, title_en, status,
    resource_id, person_id, person_name and called_off, in one query; the coming ones are
    those still to end and active, or called off by the office (so the person sees it where
    they look for it)."""
    rows = list(session.execute(_MY_SIGNUPS, {"viewer_id": viewer.id}))
    coming = [row for row in rows if row.ends_at > now and (row.status in ACTIVE or row.called_off)]
    shown = {row.id for row in coming}
    return coming, [row for row in reversed(rows) if row.id not in shown]


def positions(session: Session, rows: list[Row]) -> dict[int, int]:
    """Where each waiting sign-up among these rows stands in its line, by sign-up id."""
    waiting = {row.reservation_id: row.id for row in rows if row.status == S.WAITLISTED}
    resources = {row.resource_id for row in rows if row.reservation_id in waiting}
    return holding.line_positions(session, waiting, resources)
