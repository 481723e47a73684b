"""The activities' shared rules: the community's clock, who may run an activity, and whom an
activity is for (its audience, and the viewer's reach: themself and their linked family). The
rest lives beside it: schedule.py (creating, publishing, listing), joining.py (signing up, the
waiting list's offers, reminders), tickets.py (check-in, the desk), attendance.py (figures)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import Session, selectinload

from community.accounts.access import OFFICE
from community.accounts.models import AccountStatus, Relation, Role, User, UserRole
from community.activities.models import SENIOR_AGE, Activity, Audience, Organiser
from community.capacity.models import ReservationStatus
from community.core.db import utcnow
from community.core.errors import Conflict
from community.directory.models import Unit
from community.notify import kinds as notify_kinds

S = ReservationStatus
ACTIVITIES = notify_kinds.declare("activities", _l("Community activities"))
ACTIVITY = "activity"  # the kind of the capacity resources activities own


def community_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["COMMUNITY_TIMEZONE"])


def recipient_locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def local_midnight(day: date, zone: ZoneInfo, next_day: bool = False) -> datetime:
    """The start of a local day (of the next one with next_day: "until the 3rd" includes it)."""
    return datetime.combine(day + timedelta(days=1 if next_day else 0), time(), zone)


def this_year(now: datetime | None = None) -> int:
    return (now or utcnow()).astimezone(community_zone()).year


def check_changeable(row, now: datetime, begun: str) -> None:
    """The office changes a session (moves it, calls it off) only while it stands and before
    it begins; begun says which change could not be made."""
    if row.cancelled_at is not None:
        raise Conflict(_("This session was called off already."))
    if row.starts_at <= now:
        raise Conflict(begun)


def is_office(user: User) -> bool:
    return user.has_role(*OFFICE)


def organised_by(session: Session, user: User) -> set[int]:
    """The activities the user was named organiser of."""
    return set(session.scalars(select(Organiser.activity_id).where(Organiser.user_id == user.id)))


def may_run(session: Session, user: User, activity_id: int) -> bool:
    """The office, and the organisers the office named, run an activity: publish it, check
    people in. Nobody else."""
    if is_office(user):
        return True
    if not user.has_role(*tuple(Role)):
        return False
    return (
        session.scalar(
            select(Organiser.id).where(
                Organiser.activity_id == activity_id, Organiser.user_id == user.id
            )
        )
        is not None
    )


def is_senior(person: User, year: int) -> bool:
    return person.birth_year is not None and year - person.birth_year >= SENIOR_AGE


def admits(activity: Activity, person: User, year: int) -> bool:
    """Whether the person is among the activity's audience."""
    if activity.audience == Audience.BUILDING:
        return person.unit is not None and person.unit.building_id == activity.audience_building_id
    if activity.audience == Audience.ROLE:
        return person.has_role(activity.audience_role)
    if activity.audience == Audience.SENIORS:
        return is_senior(person, year)
    return True


@dataclass
class Reach:
    """The viewer and the people they may sign up (linked family): an activity is shown when
    any of them is in its audience. A 60+ activity is shown, though not joinable, to someone
    whose birth year is missing, so the page can tell them to add it."""

    people: list[User]
    buildings: set[int] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    senior: bool = False
    year_missing: bool = False
    runs: set[int] = field(default_factory=set)  # activities they organise
    office: bool = False

    def clause(self):
        if self.office:
            return true()
        seniors = true() if (self.senior or self.year_missing) else false()
        return or_(
            Activity.audience == Audience.EVERYONE,
            and_(
                Activity.audience == Audience.BUILDING,
                Activity.audience_building_id.in_(self.buildings),
            ),
            and_(Activity.audience == Audience.ROLE, Activity.audience_role.in_(self.roles)),
            and_(Activity.audience == Audience.SENIORS, seniors),
            Activity.id.in_(self.runs),
        )


def reach_of(session: Session, viewer: User, now: datetime | None = None) -> Reach:
    """The viewer and their linked family, in a fixed number of queries."""
    year = this_year(now)
    people = [viewer]
    if viewer.status == AccountStatus.ACTIVE:
        pairs = session.execute(
            select(Relation.person_id, Relation.relative_id).where(
                or_(Relation.person_id == viewer.id, Relation.relative_id == viewer.id)
            )
        ).all()
        others = {b if a == viewer.id else a for a, b in pairs}
        if others:
            people += [
                person
                for person in session.scalars(
                    select(User)
                    .where(User.id.in_(others))
                    .options(selectinload(User.role_rows))  # roles of each, whatever the default
                    .order_by(User.name, User.id)
                )
                if person.has_role(Role.RESIDENT)
            ]
    reach = Reach(people=people, office=is_office(viewer), runs=organised_by(session, viewer))
    for person in people:
        if person.unit is not None:
            reach.buildings.add(person.unit.building_id)
        reach.roles |= set(person.roles) if person.status == AccountStatus.ACTIVE else set()
        reach.senior |= is_senior(person, year)
        reach.year_missing |= person.birth_year is None
    return reach


def audience_ids(activity: Activity, now: datetime | None = None):
    """A select of the ids of everyone the activity is for (active accounts)."""
    query = select(User.id).where(User.status == AccountStatus.ACTIVE)
    if activity.audience == Audience.BUILDING:
        query = query.join(Unit, Unit.id == User.unit_id).where(
            Unit.building_id == activity.audience_building_id
        )
    elif activity.audience == Audience.ROLE:
        query = query.where(
            User.id.in_(select(UserRole.user_id).where(UserRole.role == activity.audience_role))
        )
    else:
        query = query.where(User.id.in_(select(UserRole.user_id)))
        if activity.audience == Audience.SENIORS:
            query = query.where(User.birth_year <= this_year(now) - SENIOR_AGE)
    return query


def refusal_for(activity: Activity, person: User, year: int) -> str | None:
    """Why the person is not in the audience, in words; None when they are."""
    if admits(activity, person, year):
        return None
    if activity.audience == Audience.SENIORS and person.birth_year is None:
        return _(
            "This activity is for people aged 60 and over. Add your year of birth to your "
            "profile to join."
        )
    if activity.audience == Audience.SENIORS:
        return _("This activity is for people aged 60 and over.")
    if activity.audience == Audience.BUILDING:
        return _("This activity is for the residents of one building.")
    return _("This activity is for some members of the community only.")
