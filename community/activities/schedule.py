"""Activities and their sessions: create one session or a weekly series, name organisers,
publish once to the audience, and list what a viewer may see with its places taken and waiting.
Each session is its own resource of kind "activity" in the capacity engine."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from community.accounts.models import Role, User
from community.activities.models import AUDIENCES, Activity, ActivitySession, Audience, Organiser
from community.activities.rules import (
    ACTIVITIES,
    ACTIVITY,
    Reach,
    S,
    audience_ids,
    community_zone,
    may_run,
    reach_of,
    recipient_locale,
)
from community.capacity.models import ACTIVE, Reservation, Resource
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid, NotFound
from community.core.links import path_for
from community.directory.models import Place
from community.directory.scenarios import SCENARIOS
from community.notify import outbox

# "No limit": a resource this large never fills, so every sign-up is recorded, none refused.
UNLIMITED = 100_000
MAX_SESSIONS = 52  # a weekly series of a year at most


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


def check_what_and_where(
    session: Session, category: str, place_id: int | None, address: str
) -> None:
    """A category of the nine scenarios, and a place of the community or an address."""
    if category not in SCENARIOS:
        raise Invalid(_("Choose a category from the list."), field="category")
    if place_id and session.get(Place, place_id) is None:
        raise Invalid(_("Choose one from the list."), field="place")
    if not place_id and not address.strip():
        raise Invalid(_("Choose a place, or write an address."), field="place")


def create_activity(
    session: Session, creator: User, draft: ActivityDraft, now: datetime | None = None
) -> Activity:
    """A draft activity and its sessions: one, or one a week for `weeks` weeks at the same
    local time. Not yet published. The caller commits."""
    now = now or utcnow()
    check_what_and_where(session, draft.category, draft.place_id, draft.address)
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


def publish(session: Session, activity_id: int, actor: User, now: datetime | None = None) -> bool:
    """Publish the activity and tell its audience, once: the UPDATE lands only while it is
    unpublished, so a double click (or two organisers at once) notifies one time. False when
    it was published already. The caller commits."""
    now = now or utcnow()
    activity = session.get(Activity, activity_id)
    if activity is None or not may_run(session, actor, activity_id):
        raise NotFound(_("No such activity."))
    first = session.scalar(
        select(ActivitySession.starts_at)
        .where(ActivitySession.activity_id == activity_id, ActivitySession.cancelled_at.is_(None))
        .order_by(ActivitySession.starts_at)
        .limit(1)
    )
    if first is None and activity.published_at is None:
        raise Conflict(_("Every session was called off: there is nothing to publish."))
    done = session.execute(
        update(Activity)
        .where(Activity.id == activity_id, Activity.published_at.is_(None))
        .values(published_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        return False
    session.refresh(activity)
    title = activity.title

    def render():
        return (
            _("New activity: %(title)s", title=title(recipient_locale())),
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


def drafts(session: Session, reach: Reach) -> list[Activity]:
    """Unpublished activities the viewer runs (the office: all)."""
    query = select(Activity).where(Activity.published_at.is_(None)).order_by(Activity.id.desc())
    if not reach.office:
        query = query.where(Activity.id.in_(reach.runs))
    return list(session.scalars(query.limit(100)))


def running(session: Session, reach: Reach, now: datetime) -> list[ActivitySession]:
    """Sessions of the activities the viewer runs (the office: all), from yesterday on."""
    query = (
        select(ActivitySession)
        .join(Activity, Activity.id == ActivitySession.activity_id)
        .options(joinedload(ActivitySession.activity))
        .where(ActivitySession.ends_at > now - timedelta(days=1))
        .order_by(ActivitySession.starts_at, ActivitySession.id)
        .limit(200)
    )
    if not reach.office:
        query = query.where(Activity.id.in_(reach.runs))
    return list(session.scalars(query).unique())


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
