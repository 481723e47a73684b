"""Care's shared rules: the windows a visit is asked for and the days it may be, who may ask for
an elder, and which family the elder lets see their visits. The rest lives beside it: asking.py
(asking for visits, once or weekly), lifecycle.py (a visit as each person sees it, the
volunteer's steps, confirming and thanking), listing.py (the board, the lists, the office's
escalations) and elder_profile.py (care, emergency contacts, family links and consent). The
caller commits; every change goes through the work-order machine where an order moves."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from community.accounts import relations
from community.accounts.models import AccountStatus, Role, User
from community.care.models import CareConsent, ConsentStatus
from community.workorders import states

# The time windows a visit is asked for: key -> (start, end, label).
WINDOWS = {
    "morning": (time(9), time(11), _l("Morning, 9:00 to 11:00")),
    "noon": (time(11), time(13), _l("Around noon, 11:00 to 13:00")),
    "afternoon": (time(14), time(16), _l("Afternoon, 14:00 to 16:00")),
    "late": (time(16), time(18), _l("Late afternoon, 16:00 to 18:00")),
    "evening": (time(18), time(20), _l("Evening, 18:00 to 20:00")),
}
MOODS = {3: _l("Well"), 2: _l("So-so"), 1: _l("Not well")}
DAYS_AHEAD = 28  # how far ahead a visit may be asked for
SERIES_HORIZON = timedelta(days=28)  # a weekly series has its orders made this far ahead
ESCALATE_BEFORE = timedelta(hours=12)  # an unclaimed visit this close is the office's to place
MAX_NEEDS, MAX_LOG = 1000, 2000
MAX_CONTACTS = 5
# A visit still to happen (or to confirm): the rest are history.
UPCOMING = [states.SUBMITTED, states.ACCEPTED, states.ASSIGNED, states.IN_PROGRESS]
CANCELLABLE = [states.SUBMITTED, states.ACCEPTED, states.ASSIGNED]


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["COMMUNITY_TIMEZONE"])


def is_office(user: User) -> bool:
    return user.has_role(Role.OPERATOR, Role.ADMIN)


def window_times(day: date, window: str) -> tuple[datetime, datetime]:
    start, end, _label = WINDOWS[window]
    tz = zone()
    return (
        datetime.combine(day, start, tzinfo=tz).astimezone(ZoneInfo("UTC")),
        datetime.combine(day, end, tzinfo=tz).astimezone(ZoneInfo("UTC")),
    )


def request_days(now: datetime) -> list[date]:
    """The days a visit may be asked for: today (if a window is still ahead) to four weeks on."""
    today = now.astimezone(zone()).date()
    days = [today + timedelta(days=n) for n in range(DAYS_AHEAD + 1)]
    return [day for day in days if any(window_times(day, w)[0] > now for w in WINDOWS)]


def may_ask_for(session: Session, actor: User, elder: User) -> bool:
    """The elder themself, family linked to them, or the office and staff at the desk."""
    return bool(elder.receives_care) and relations.may_act_for(session, actor, elder)


def elders_of(session: Session, user: User) -> list[User]:
    """Whom this person may ask for from the request form: themself if they receive care,
    then the linked family who do."""
    people = [user] if user.receives_care else []
    for link in relations.relatives_of(session, user):
        other = link.other_than(user.id)
        if other.receives_care and relations.may_act_for(session, user, other):
            people.append(other)
    return people


def consent_status(session: Session, elder_id: int, relative_id: int) -> str:
    status = session.scalar(
        select(CareConsent.status).where(
            CareConsent.elder_id == elder_id, CareConsent.relative_id == relative_id
        )
    )
    return status or ConsentStatus.PENDING


def family_may_see(session: Session, elder: User, user: User) -> bool:
    """Linked family the elder has let see their visit log and notes."""
    if user.id == elder.id or user.status != AccountStatus.ACTIVE:
        return False
    return (
        relations.are_linked(session, user, elder)
        and consent_status(session, elder.id, user.id) == ConsentStatus.GRANTED
    )
