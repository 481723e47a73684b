"""Activities: create (one session or a weekly series), name organisers, publish once to the
audience, sign up with companions, answer offers, cancel, check in at the door, mark paid at the
desk, remind, and count who came. Plain Python over a session; the places come from the
capacity engine (each session its own resource of kind "activity")."""

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, false, func, or_, select, true, update
from sqlalchemy.orm import Session, joinedload, selectinload

from community.accounts import relations
from community.accounts.access import OFFICE
from community.accounts.models import AccountStatus, Relation, Role, User, UserRole
from community.activities.models import (
    AUDIENCES,
    SENIOR_AGE,
    Activity,
    ActivitySession,
    Audience,
    Organiser,
    SignUp,
)
from community.capacity import rules as capacity
from community.capacity.models import ACTIVE, Reservation, ReservationStatus, Resource
from community.core.db import utcnow
from community.core.errors import Conflict, Full, Invalid, NotAllowed, NotFound
from community.core.events import place_offered
from community.core.links import path_for
from community.directory.models import Unit
from community.directory.scenarios import SCENARIOS
from community.notify import kinds as notify_kinds
from community.notify import outbox

S = ReservationStatus
ACTIVITIES = notify_kinds.declare("activities", _l("Community activities"))
ACTIVITY = "activity"  # the kind of the capacity resources activities own
# "No limit": a resource this large never fills, so every sign-up is recorded, none refused.
UNLIMITED = 100_000
MAX_COMPANIONS = 3
MAX_SESSIONS = 52  # a weekly series of a year at most
DAY_AHEAD = timedelta(hours=24)
HOUR_AHEAD = timedelta(hours=1)
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


def community_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["COMMUNITY_TIMEZONE"])


def _locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def local_midnight(day: date, zone: ZoneInfo, next_day: bool = False) -> datetime:
    """The start of a local day (of the next one with next_day: "until the 3rd" includes it)."""
    return datetime.combine(day + timedelta(days=1 if next_day else 0), time(), zone)


def this_year(now: datetime | None = None) -> int:
    return (now or utcnow()).astimezone(community_zone()).year


# ---- Who may do what ------------------------------------------------------------------------


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
                    select(User).where(User.id.in_(others)).order_by(User.name, User.id)
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


# ---- Creating and publishing ----------------------------------------------------------------


@dataclass
class ActivityDraft:
    """What the operator's form gives, checked by the form (lengths, choices)."""

    title_zh: str
    category: str
    first_start: datetime
    duration_minutes: int = 60
    weeks: int = 1
    title_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    place_id: int | None = None
    address: str = ""
    capacity: int | None = None
    audience: str = Audience.EVERYONE
    audience_building_id: int | None = None
    audience_role: str = ""
    signup_opens_at: datetime | None = None
    signup_closes_at: datetime | None = None
    waitlist: bool = True
    hold_minutes: int = 120
    price_cents: int = 0
    cover_name: str = ""


def create_activity(
    session: Session, creator: User, draft: ActivityDraft, now: datetime | None = None
) -> Activity:
    """A draft activity and its sessions: one, or one a week for `weeks` weeks at the same
    local time. Not yet published. The caller commits."""
    now = now or utcnow()
    if draft.category not in SCENARIOS:
        raise Invalid(_("Choose a category from the list."), field="category")
    if draft.audience not in AUDIENCES:
        raise Invalid(_("Choose who may join."), field="audience")
    if draft.audience == Audience.BUILDING and not draft.audience_building_id:
        raise Invalid(_("Choose the building."), field="audience_building")
    if draft.audience == Audience.ROLE and draft.audience_role not in tuple(Role):
        raise Invalid(_("Choose the role."), field="audience_role")
    if draft.first_start is None or draft.first_start.tzinfo is None:
        raise Invalid(_("Say when it starts."), field="starts_on")
    if draft.first_start <= now:
        raise Invalid(_("Choose a time in the future."), field="starts_on")
    if not 1 <= draft.weeks <= MAX_SESSIONS:
        raise Invalid(
            _("Enter a number from %(min)s to %(max)s.", min=1, max=MAX_SESSIONS), "weeks"
        )
    if not draft.place_id and not draft.address.strip():
        raise Invalid(_("Choose a place, or write an address."), field="place")
    if (
        draft.signup_opens_at
        and draft.signup_closes_at
        and draft.signup_closes_at <= draft.signup_opens_at
    ):
        raise Invalid(_("Sign-ups must close after they open."), field="signup_closes")
    activity = Activity(
        title_zh=draft.title_zh.strip(),
        title_en=draft.title_en.strip(),
        description_zh=draft.description_zh.strip(),
        description_en=draft.description_en.strip(),
        category=draft.category,
        place_id=draft.place_id or None,
        address=draft.address.strip(),
        duration_minutes=draft.duration_minutes,
        capacity=draft.capacity,
        audience=draft.audience,
        audience_building_id=draft.audience_building_id
        if draft.audience == Audience.BUILDING
        else None,
        audience_role=draft.audience_role if draft.audience == Audience.ROLE else "",
        signup_opens_at=draft.signup_opens_at,
        signup_closes_at=draft.signup_closes_at,
        waitlist=draft.waitlist,
        hold_minutes=draft.hold_minutes,
        price_cents=draft.price_cents,
        cover_name=draft.cover_name,
        created_by_id=creator.id,
        created_at=now,
    )
    session.add(activity)
    session.flush()
    zone = community_zone()
    local = draft.first_start.astimezone(zone)
    for week in range(draft.weeks):
        # The same wall-clock time each week, whatever the zone's offset does meanwhile.
        day = (local + timedelta(weeks=week)).replace(tzinfo=None)
        starts_at = day.replace(tzinfo=zone).astimezone(draft.first_start.tzinfo)
        add_session(session, activity, starts_at)
    return activity


def add_session(session: Session, activity: Activity, starts_at: datetime) -> ActivitySession:
    resource = Resource(
        kind=ACTIVITY,
        size=activity.capacity or UNLIMITED,
        hold_minutes=activity.hold_minutes,
        starts_at=starts_at,
    )
    session.add(resource)
    session.flush()
    row = ActivitySession(
        activity_id=activity.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=activity.duration_minutes),
        resource_id=resource.id,
    )
    session.add(row)
    session.flush()
    return row


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


def publish(session: Session, activity_id: int, actor: User, now: datetime | None = None) -> bool:
    """Publish the activity and tell its audience, once: the UPDATE lands only while it is
    unpublished, so a double click (or two organisers at once) notifies one time. False when
    it was published already. The caller commits."""
    now = now or utcnow()
    activity = session.get(Activity, activity_id)
    if activity is None or not may_run(session, actor, activity_id):
        raise NotFound(_("No such activity."))
    done = session.execute(
        update(Activity)
        .where(Activity.id == activity_id, Activity.published_at.is_(None))
        .values(published_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        return False
    session.refresh(activity)
    first = session.scalar(
        select(ActivitySession.starts_at)
        .where(ActivitySession.activity_id == activity_id)
        .order_by(ActivitySession.starts_at)
        .limit(1)
    )
    title = activity.title

    def render():
        return (
            _("New activity: %(title)s", title=title(_locale())),
            _("From %(when)s. Sign up in the app.", when=format_datetime(first, "short")),
        )

    outbox.queue_bulk(
        session,
        audience_ids(activity, now),
        ACTIVITIES,
        render,
        link=path_for("activities.detail", activity_id=activity_id),
        topic=f"activity-{activity_id}",
    )
    return True


def name_organiser(session: Session, activity: Activity, person: User | None) -> Organiser:
    """The office names a volunteer (or a member of staff) to run the activity."""
    if person is None or not person.has_role(Role.VOLUNTEER, Role.STAFF):
        raise Invalid(_("Choose a volunteer from the list."), field="person")
    found = session.scalar(
        select(Organiser).where(
            Organiser.activity_id == activity.id, Organiser.user_id == person.id
        )
    )
    if found is not None:
        return found
    row = Organiser(activity_id=activity.id, user_id=person.id)
    session.add(row)
    session.flush()
    return row


def remove_organiser(session: Session, activity: Activity, organiser_id: int) -> None:
    row = session.get(Organiser, organiser_id)
    if row is None or row.activity_id != activity.id:
        raise NotFound(_("No such organiser."))
    session.delete(row)
    session.flush()


# ---- Reading --------------------------------------------------------------------------------


def upcoming(
    session: Session, reach: Reach, now: datetime, category: str | None = None, limit: int = 100
) -> list[ActivitySession]:
    """The next sessions of published activities the viewer may see, soonest first (this
    week's first), each with its activity and place: one query."""
    query = (
        select(ActivitySession)
        .join(Activity, Activity.id == ActivitySession.activity_id)
        .options(
            joinedload(ActivitySession.activity).joinedload(Activity.place),
        )
        .where(
            Activity.published_at.is_not(None),
            ActivitySession.ends_at > now,
            reach.clause(),
        )
        .order_by(ActivitySession.starts_at, ActivitySession.id)
        .limit(limit)
    )
    if category:
        query = query.where(Activity.category == category)
    return list(session.scalars(query).unique())


def drafts(session: Session, reach: Reach) -> list[Activity]:
    """Unpublished activities the viewer runs (the office: all)."""
    query = select(Activity).where(Activity.published_at.is_(None)).order_by(Activity.id.desc())
    if not reach.office:
        query = query.where(Activity.id.in_(reach.runs))
    return list(session.scalars(query.limit(100)))


@dataclass
class Places:
    taken: int = 0  # people with a place (confirmed, or an offer still held)
    waiting: int = 0  # people on the waiting list


def places_of(
    session: Session, sessions: list[ActivitySession], now: datetime
) -> dict[int, Places]:
    """Taken and waiting places per session, in one query."""
    by_resource = {row.resource_id: row.id for row in sessions}
    found = {row.id: Places() for row in sessions}
    if not by_resource:
        return found
    holding = or_(
        Reservation.status.in_([S.CONFIRMED, S.HELD]),
        and_(Reservation.status == S.OFFERED, Reservation.offer_expires_at > now),
    )
    rows = session.execute(
        select(
            Reservation.resource_id,
            func.coalesce(func.sum(case((holding, Reservation.party_size), else_=0)), 0),
            func.coalesce(
                func.sum(
                    case((Reservation.status == S.WAITLISTED, Reservation.party_size), else_=0)
                ),
                0,
            ),
        )
        .where(Reservation.resource_id.in_(by_resource), Reservation.status.in_(ACTIVE))
        .group_by(Reservation.resource_id)
    ).all()
    for resource_id, taken, waiting in rows:
        found[by_resource[resource_id]] = Places(int(taken), int(waiting))
    return found


def activity_for(
    session: Session, viewer: User, activity_id: int, reach: Reach | None = None
) -> Activity:
    """A published activity the viewer may see (or one they run); NotFound otherwise."""
    reach = reach or reach_of(session, viewer)
    activity = session.scalar(
        select(Activity)
        .where(Activity.id == activity_id, reach.clause())
        .options(joinedload(Activity.place), selectinload(Activity.sessions))
    )
    if activity is None:
        raise NotFound(_("No such activity."))
    if activity.published_at is None and not (reach.office or activity.id in reach.runs):
        raise NotFound(_("No such activity."))
    return activity


def _visible_signups(user: User):
    """Sign-ups for the person, and those they made for family they are still linked to."""
    linked = select(Relation.id).where(
        or_(
            and_(Relation.person_id == user.id, Relation.relative_id == Reservation.person_id),
            and_(Relation.relative_id == user.id, Relation.person_id == Reservation.person_id),
        )
    )
    made_by_me = and_(Reservation.booked_by_id == user.id, linked.exists())
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


def my_signups(
    session: Session, user: User, now: datetime | None = None
) -> tuple[list[SignUp], list[SignUp]]:
    """(coming up, earlier): the person's sign-ups and their family's, in one query."""
    now = now or utcnow()
    rows = list(
        session.scalars(
            _loaded_signups()
            .where(_visible_signups(user))
            .order_by(ActivitySession.starts_at, SignUp.id)
            .limit(200)
        ).unique()
    )
    coming = [s for s in rows if s.session.ends_at > now and s.reservation.status in ACTIVE]
    earlier = [s for s in reversed(rows) if s not in coming]
    return coming, earlier


def positions(session: Session, signups: list[SignUp]) -> dict[int, int]:
    """Where each waiting sign-up stands in its line (1: next), in one query."""
    waiting = {s.reservation_id: s.id for s in signups if s.reservation.status == S.WAITLISTED}
    if not waiting:
        return {}
    resources = {s.reservation.resource_id for s in signups if s.reservation_id in waiting}
    line = session.execute(
        select(Reservation.id, Reservation.resource_id)
        .where(Reservation.resource_id.in_(resources), Reservation.status == S.WAITLISTED)
        .order_by(Reservation.resource_id, Reservation.priority.desc(), Reservation.id)
    ).all()
    found, counts = {}, {}
    for reservation_id, resource_id in line:
        counts[resource_id] = counts.get(resource_id, 0) + 1
        if reservation_id in waiting:
            found[waiting[reservation_id]] = counts[resource_id]
    return found


# ---- Signing up -----------------------------------------------------------------------------


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
    reservation = signup.reservation
    people = [reservation.person]
    if reservation.booked_by_id != reservation.person_id:
        people.append(session.get(User, reservation.booked_by_id))
    return people


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
    signup = SignUp(
        session_id=row.id,
        reservation=reservation,
        companions=companions,
        ticket_token=secrets.token_urlsafe(24),
        short_code=_new_short_code(session, row.id),
        created_at=now,
    )
    if row.starts_at - now <= DAY_AHEAD:
        signup.reminded_day_at = now
    if row.starts_at - now <= HOUR_AHEAD:
        signup.reminded_hour_at = now
    session.add(signup)
    session.flush()
    title = activity.title
    if reservation.status == S.CONFIRMED:
        _tell(
            session,
            signup,
            _people(session, signup),
            lambda: (
                _("Signed up: %(title)s", title=title(_locale())),
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
                _("On the waiting list: %(title)s", title=title(_locale())),
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
    status = signup.reservation.status
    if status not in ACTIVE:
        raise Conflict(_("This sign-up is cancelled already."))
    if signup.session.starts_at <= now:
        raise Conflict(_("This session has begun: it can no longer be cancelled."))
    if status == S.WAITLISTED:
        capacity.leave(session, signup.reservation_id, actor, now=now)
    elif status == S.OFFERED:
        capacity.decline_offer(session, signup.reservation_id, actor, now=now)
    else:
        capacity.release(session, signup.reservation_id, actor, now=now)
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
            _("A place is free for you: %(title)s", title=title(_locale())),
            _(
                "%(when)s. Take it before %(until)s, or say you don't need it so the next "
                "person can have it.",
                when=_when(signup),
                until=format_datetime(expires, "short"),
            ),
        ),
    )


# ---- The door -------------------------------------------------------------------------------


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
                title=found.session.activity.title(_locale()),
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


# ---- The desk -------------------------------------------------------------------------------


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


# ---- Figures for the office -----------------------------------------------------------------


@dataclass
class Figures:
    """Of the sessions that have ended: places offered, people signed up, people who came."""

    sessions: int = 0
    places: int | None = 0  # None when a session had no limit
    signed: int = 0
    present: int = 0
    paid_cents: int = 0

    @property
    def no_shows(self) -> int:
        return max(self.signed - self.present, 0)

    @property
    def fill_rate(self) -> float | None:
        return self.signed / self.places if self.places else None

    @property
    def attendance(self) -> float | None:
        return self.present / self.signed if self.signed else None

    def add(self, other: "Figures") -> None:
        self.sessions += other.sessions
        self.places = (
            None if self.places is None or other.places is None else (self.places + other.places)
        )
        self.signed += other.signed
        self.present += other.present
        self.paid_cents += other.paid_cents


def figures(
    session: Session, now: datetime | None = None
) -> tuple[list[tuple[Activity, Figures]], dict[str, Figures]]:
    """Fill rate and attendance per activity and per category, over ended sessions, in two
    queries (the dashboard reads these numbers too)."""
    now = now or utcnow()
    ended = ActivitySession.ends_at <= now
    sessions = session.execute(
        select(Activity, func.count(ActivitySession.id))
        .join(ActivitySession, ActivitySession.activity_id == Activity.id)
        .where(ended, Activity.published_at.is_not(None))
        .group_by(Activity.id)
        .order_by(Activity.id)
    ).all()
    confirmed = Reservation.status == S.CONFIRMED
    people = {
        activity_id: (int(signed), int(present), int(paid))
        for activity_id, signed, present, paid in session.execute(
            select(
                ActivitySession.activity_id,
                func.coalesce(func.sum(case((confirmed, Reservation.party_size), else_=0)), 0),
                func.coalesce(
                    func.sum(
                        case(
                            (
                                and_(confirmed, SignUp.checked_in_at.is_not(None)),
                                Reservation.party_size,
                            ),
                            else_=0,
                        )
                    ),
                    0,
                ),
                func.coalesce(func.sum(SignUp.paid_cents), 0),
            )
            .join(SignUp, SignUp.session_id == ActivitySession.id)
            .join(Reservation, Reservation.id == SignUp.reservation_id)
            .where(ended)
            .group_by(ActivitySession.activity_id)
        ).all()
    }
    rows = []
    by_category: dict[str, Figures] = {}
    for activity, count in sessions:
        signed, present, paid = people.get(activity.id, (0, 0, 0))
        places = activity.capacity * count if activity.capacity else None
        numbers = Figures(count, places, signed, present, paid)
        rows.append((activity, numbers))
        by_category.setdefault(activity.category, Figures()).add(numbers)
    return rows, by_category


# ---- Reminders ------------------------------------------------------------------------------


def mark_reminded(session: Session, signup_id: int, column: str, now: datetime) -> bool:
    """Claim a reminder: True for the one worker whose conditional UPDATE lands."""
    marker = getattr(SignUp, column)
    return bool(
        session.execute(
            update(SignUp)
            .where(SignUp.id == signup_id, marker.is_(None))
            .values({column: now})
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def due_reminders(session: Session, now: datetime) -> list[tuple[SignUp, str]]:
    """(sign-up, column) for each reminder due: a day before and an hour before the start.
    Within the hour only the hour's reminder goes."""
    due = []
    windows = (("reminded_day_at", HOUR_AHEAD, DAY_AHEAD), ("reminded_hour_at", None, HOUR_AHEAD))
    for column, after, ahead in windows:
        marker = getattr(SignUp, column)
        rows = session.scalars(
            _loaded_signups()
            .where(
                marker.is_(None),
                Reservation.status == S.CONFIRMED,
                ActivitySession.starts_at > now + (after or timedelta()),
                ActivitySession.starts_at <= now + ahead,
            )
            .order_by(SignUp.id)
            .limit(500)
        ).unique()
        due.extend((signup, column) for signup in rows)
    return due


def remind(session: Session, signup: SignUp, column: str) -> None:
    activity = signup.session.activity
    title = activity.title
    soon = column == "reminded_hour_at"
    where = activity.place.name if activity.place else activity.address

    def render():
        heading = (
            _("In an hour: %(title)s", title=title(_locale()))
            if soon
            else _("Tomorrow: %(title)s", title=title(_locale()))
        )
        return heading, _("%(when)s, %(place)s.", when=_when(signup), place=where)

    _tell(session, signup, _people(session, signup), render)


def running(session: Session, reach: Reach, now: datetime) -> list[ActivitySession]:
    """Sessions of the activities the viewer runs (the office: all), from yesterday on."""
    query = (
        select(ActivitySession)
        .join(Activity, Activity.id == ActivitySession.activity_id)
        .options(joinedload(ActivitySession.activity))
        .where(ActivitySession.ends_at > now - DAY_AHEAD)
        .order_by(ActivitySession.starts_at, ActivitySession.id)
        .limit(200)
    )
    if not reach.office:
        query = query.where(Activity.id.in_(reach.runs))
    return list(session.scalars(query).unique())
