"""Care rules over a session and plain values: asking for visits (once or weekly), who sees
what of a visit, the volunteer's steps, confirming and thanking, the elder's profile (care,
emergency contacts, family links and consent) and the office's escalations. The caller
commits; every change goes through the work-order machine where an order moves."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from community.accounts import relations
from community.accounts import rules as accounts
from community.accounts.models import AccountStatus, EmergencyContact, Role, User, UserRole
from community.care.kind import CARE, CARE_CONCERN, CARE_VISIT, VISIT_KINDS
from community.care.models import CareConsent, CareLogRead, CareSeries, CareVisit, ConsentStatus
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid, NotAllowed, NotFound
from community.core.links import path_for
from community.directory.models import Building
from community.notify import outbox
from community.workorders import machine, states
from community.workorders.announce import WORKORDER
from community.workorders.models import WorkOrder

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


# ---- Who may ask, and for whom ------------------------------------------------------------


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


# ---- Asking for visits --------------------------------------------------------------------


@dataclass
class VisitRequest:
    visit_kind: str
    day: date | None
    window: str
    needs: str = ""
    weekly: bool = False


def check_request(wanted: VisitRequest, now: datetime, step: int = 3) -> None:
    """Refuse what is wrong with the first `step` steps (what, when, notes), field by field."""
    if wanted.visit_kind not in VISIT_KINDS:
        raise Invalid(_("Choose what kind of visit you need."), field="visit_kind")
    if step < 2:
        return
    if wanted.day is None or wanted.day not in request_days(now):
        raise Invalid(_("Choose a day from the list."), field="day")
    if wanted.window not in WINDOWS:
        raise Invalid(_("Choose a time from the list."), field="window")
    if window_times(wanted.day, wanted.window)[0] <= now:
        raise Invalid(_("That time has passed: choose a later one."), field="window")
    if step < 3:
        return
    if len(wanted.needs) > MAX_NEEDS:
        raise Invalid(_("At most %(max)d characters.", max=MAX_NEEDS), field="needs")


def request_visit(
    session: Session, actor: User, elder: User, wanted: VisitRequest, now: datetime | None = None
) -> WorkOrder:
    """Ask for a visit for the elder (once, or weekly until stopped). Returns the first order."""
    now = now or utcnow()
    if not may_ask_for(session, actor, elder):
        raise NotAllowed(_("You can only ask for visits for yourself or family linked to you."))
    wanted.needs = wanted.needs.strip()
    check_request(wanted, now)
    series = None
    if wanted.weekly:
        series = CareSeries(
            elder_id=elder.id,
            requested_by_id=actor.id,
            visit_kind=wanted.visit_kind,
            first_day=wanted.day,
            window=wanted.window,
            needs=wanted.needs,
            created_at=now,
        )
        session.add(series)
        session.flush()
        orders = fill_series(session, series, now)
        first = orders[0]
    else:
        first = open_visit(session, actor, elder, wanted, None, now)
    tell_volunteers(session, first)
    return first


def _description(visit_kind: str, day: date, window: str) -> str:
    # Stored text, read by whoever opens the order: in the community's working language.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        start, end, _label = WINDOWS[window]
        return f"{VISIT_KINDS[visit_kind]} {day.isoformat()} {start:%H:%M}-{end:%H:%M}"


def open_visit(
    session: Session,
    actor: User,
    elder: User,
    wanted: VisitRequest,
    series: CareSeries | None,
    now: datetime,
) -> WorkOrder:
    """One visit's order, on the open board at once (due at its window's start)."""
    starts_at, ends_at = window_times(wanted.day, wanted.window)
    unit = elder.unit
    order = WorkOrder(
        kind=CARE_VISIT.name,
        status=states.SUBMITTED,
        priority="normal",
        category=wanted.visit_kind,
        description=_description(wanted.visit_kind, wanted.day, wanted.window),
        unit_id=unit.id if unit else None,
        building_id=unit.building_id if unit else None,
        requester_id=actor.id,
        on_behalf_of_id=elder.id if elder.id != actor.id else None,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    session.flush()
    session.add(
        CareVisit(
            order_id=order.id,
            elder_id=elder.id,
            series_id=series.id if series else None,
            day=wanted.day,
            window=wanted.window,
            starts_at=starts_at,
            ends_at=ends_at,
            needs=wanted.needs,
        )
    )
    machine.record(session, order, actor, "report")
    machine.apply(session, order, None, "schedule", order.version, now=now, due_at=starts_at)
    return order


def tell_volunteers(session: Session, order: WorkOrder) -> int:
    """Every active volunteer hears of a new request (pushed to those who chose care pushes)."""
    visit = session.get(CareVisit, order.id)
    volunteers = (
        select(UserRole.user_id)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.VOLUNTEER, User.status == AccountStatus.ACTIVE)
    )

    def render():
        return (
            _("A new care visit is on the board"),
            _(
                "%(what)s, %(when)s",
                what=VISIT_KINDS[order.category],
                when=WINDOWS[visit.window][2],
            )
            + f" ({visit.day.isoformat()})",
        )

    return outbox.queue_bulk(
        session, volunteers, CARE, render, link=path_for("care.board"), topic="care-board"
    )


def fill_series(session: Session, series: CareSeries, now: datetime) -> list[WorkOrder]:
    """Make the series' orders up to the horizon, the ones not made yet. Returns them."""
    if series.stopped_at is not None:
        return []
    made = set(session.scalars(select(CareVisit.day).where(CareVisit.series_id == series.id)))
    last = (now + SERIES_HORIZON).astimezone(zone()).date()
    requester = session.get(User, series.requested_by_id)
    elder = session.get(User, series.elder_id)
    if elder is None or not elder.receives_care:
        return []
    orders, day = [], series.first_day
    while day <= last:
        if day not in made and window_times(day, series.window)[0] > now:
            wanted = VisitRequest(series.visit_kind, day, series.window, series.needs, True)
            orders.append(open_visit(session, requester or elder, elder, wanted, series, now))
        day += timedelta(days=7)
    return orders


def fill_all_series(session: Session, now: datetime | None = None) -> int:
    """The periodic job: keep every running series filled four weeks ahead."""
    now = now or utcnow()
    made = 0
    for series in session.scalars(select(CareSeries).where(CareSeries.stopped_at.is_(None))):
        made += len(fill_series(session, series, now))
    return made


def stop_series(
    session: Session, actor: User, series_id: int, now: datetime | None = None
) -> list[int]:
    """Stop a weekly series: visits still to come are cancelled, the past ones stay.
    Returns the cancelled orders' ids."""
    now = now or utcnow()
    series = session.get(CareSeries, series_id)
    if series is None or not may_ask_for(session, actor, series.elder):
        raise NotFound(_("No such weekly visit."))
    stopped = session.execute(
        update(CareSeries)
        .where(CareSeries.id == series.id, CareSeries.stopped_at.is_(None))
        .values(stopped_at=now, stopped_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if stopped != 1:
        raise Conflict(_("This weekly visit has been stopped already."))
    future = session.scalars(
        select(WorkOrder)
        .join(CareVisit, CareVisit.order_id == WorkOrder.id)
        .where(
            CareVisit.series_id == series.id,
            CareVisit.starts_at > now,
            WorkOrder.status.in_(CANCELLABLE),
        )
        .order_by(CareVisit.starts_at)
    ).all()
    cancelled = []
    for order in future:
        machine.apply(
            session,
            order,
            actor,
            "cancel",
            order.version,
            now=now,
            acting_for=series.elder,
            note=_("The weekly visit was stopped."),
        )
        cancelled.append(order.id)
    return cancelled


# ---- Seeing a visit -----------------------------------------------------------------------


@dataclass
class VisitView:
    """A visit as one person may see it."""

    order: WorkOrder
    visit: CareVisit
    elder: User
    is_elder: bool
    is_assignee: bool
    is_office: bool
    is_family: bool  # linked family with the elder's consent
    may_ask: bool  # may cancel, confirm and thank for the elder

    @property
    def sees_private(self) -> bool:
        """The elder's exact home and needs notes."""
        return self.is_elder or self.is_assignee or self.is_office or self.is_family

    @property
    def has_log(self) -> bool:
        return self.visit.finished_at is not None

    @property
    def on_board(self) -> bool:
        return self.order.status == states.ACCEPTED and self.order.assignee_id is None


def load_visit(session: Session, user: User, order_id: int) -> VisitView:
    """The visit if this person may see it at all; anyone else is told it does not exist. A
    volunteer sees an open one as the board shows it (no home, no notes) until they claim it."""
    order = session.get(WorkOrder, order_id)
    visit = session.get(CareVisit, order_id) if order is not None else None
    if visit is None or user.status != AccountStatus.ACTIVE:
        raise NotFound(_("No such visit."))
    elder = visit.elder
    is_elder = user.id == elder.id
    is_family = family_may_see(session, elder, user)
    view = VisitView(
        order=order,
        visit=visit,
        elder=elder,
        is_elder=is_elder,
        is_assignee=order.assignee_id == user.id and user.has_role(Role.VOLUNTEER),
        is_office=is_office(user),
        is_family=is_family,
        may_ask=is_elder
        or is_office(user)
        or is_family
        or (user.id == order.requester_id and relations.may_act_for(session, user, elder)),
    )
    volunteer_on_board = view.on_board and user.has_role(*CARE_VISIT.claim_roles)
    if not (view.sees_private or view.may_ask or volunteer_on_board):
        raise NotFound(_("No such visit."))
    return view


def read_log(session: Session, user: User, view: VisitView, now: datetime | None = None) -> bool:
    """The log may be shown to this person: family and the office leave a record each time."""
    if not view.has_log or not view.sees_private:
        return False
    if not (view.is_elder or view.is_assignee):
        session.add(
            CareLogRead(
                order_id=view.order.id,
                reader_id=user.id,
                reader_is="office" if view.is_office else "family",
                read_at=now or utcnow(),
            )
        )
    return True


# ---- The volunteer's steps ----------------------------------------------------------------


def claim_visit(session: Session, volunteer: User, order_id: int) -> WorkOrder:
    order = session.get(WorkOrder, order_id)
    if order is None or order.kind != CARE_VISIT.name:
        raise NotFound(_("No such visit."))
    if order.status != states.ACCEPTED or order.assignee_id is not None:
        raise Conflict(_("Someone else took this visit a moment ago."))
    try:
        machine.claim(session, order, volunteer)
    except Conflict:
        raise Conflict(_("Someone else took this visit a moment ago.")) from None
    return order


def step(session: Session, volunteer: User, view: VisitView, action: str, version: int | None):
    """Hand back, or "I'm here": the machine checks it is theirs and the version they saw."""
    if not view.is_assignee:
        raise NotAllowed(_("Only the volunteer who took this visit can do that."))
    machine.apply(session, view.order, volunteer, action, version)


@dataclass
class VisitLog:
    done: str
    mood: int | None
    concern: str = ""


def finish(
    session: Session, volunteer: User, view: VisitView, version: int | None, log: VisitLog
) -> None:
    """Done: the log, and a concern raises one flagged order for the office. Sent twice at
    once, the machine lets one through; the other is refused before anything is written."""
    if not view.is_assignee:
        raise NotAllowed(_("Only the volunteer who took this visit can do that."))
    done, concern = log.done.strip(), log.concern.strip()
    if not done:
        raise Invalid(_("Say what was done."), field="done")
    if len(done) > MAX_LOG:
        raise Invalid(_("At most %(max)d characters.", max=MAX_LOG), field="done")
    if log.mood not in MOODS:
        raise Invalid(_("Choose how the elder seemed."), field="mood")
    if len(concern) > MAX_LOG:
        raise Invalid(_("At most %(max)d characters.", max=MAX_LOG), field="concern")
    machine.apply(session, view.order, volunteer, "resolve", version, note=done)
    concern_id = raise_concern(session, volunteer, view, concern) if concern else None
    session.execute(
        update(CareVisit)
        .where(CareVisit.order_id == view.order.id)
        .values(mood=log.mood, concern=concern, concern_order_id=concern_id)
        .execution_options(synchronize_session=False)
    )
    session.expire(view.visit)


def raise_concern(session: Session, volunteer: User, view: VisitView, concern: str) -> int:
    """A flagged order for the office (priority high), about the elder's home."""
    unit = view.elder.unit
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        description = _(
            "Concern after care visit #%(number)d for %(name)s: %(concern)s",
            number=view.order.id,
            name=view.elder.name,
            concern=concern,
        )
    order = WorkOrder(
        kind=CARE_CONCERN.name,
        status=states.SUBMITTED,
        priority="high",
        category="wellbeing",
        description=description,
        unit_id=unit.id if unit else None,
        building_id=unit.building_id if unit else None,
        requester_id=volunteer.id,
    )
    session.add(order)
    session.flush()
    machine.record(session, order, volunteer, "report", concern)
    office = session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.OPERATOR, User.status == AccountStatus.ACTIVE)
    ).all()
    outbox.queue(
        session,
        office,
        WORKORDER,
        lambda: (_("A volunteer raised a concern about an elder"), concern),
        link=path_for("workorders.detail", order_id=order.id),
        urgent=False,
        topic=f"wo{order.id}",
    )
    return order.id


# ---- The elder's side ---------------------------------------------------------------------


def confirm(
    session: Session,
    actor: User,
    view: VisitView,
    version: int | None,
    rating: int | None = None,
    thanks: str = "",
) -> None:
    """The elder, family or the office confirm the visit happened, and may thank: the order
    closes (and the time bank hears once), then the rating is the order's."""
    if not view.may_ask:
        raise NotAllowed(_("Only the elder, their family or the office can confirm a visit."))
    thanks = thanks.strip()
    if (thanks or rating is not None) and (rating not in range(1, 6)):
        raise Invalid(_("Choose from 1 to 5 stars."), field="rating")
    machine.apply(session, view.order, actor, "confirm", version, acting_for=view.elder)
    if rating is not None:
        session.refresh(view.order)
        thank(session, actor, view, view.order.version, rating, thanks)


def thank(
    session: Session, actor: User, view: VisitView, version: int | None, rating, thanks: str
) -> None:
    if not view.may_ask:
        raise NotAllowed(_("Only the elder, their family or the office can thank for a visit."))
    machine.apply(
        session,
        view.order,
        actor,
        "rate",
        version,
        acting_for=view.elder,
        rating=rating,
        note=thanks.strip(),
    )


def cancel(session: Session, actor: User, view: VisitView, version: int | None) -> None:
    if not view.may_ask:
        raise NotAllowed(_("Only the elder, their family or the office can cancel a visit."))
    machine.apply(session, view.order, actor, "cancel", version, acting_for=view.elder)


# ---- Lists --------------------------------------------------------------------------------


def board(
    session: Session,
    now: datetime | None = None,
    visit_kind: str | None = None,
    building_id: int | None = None,
    limit: int = 100,
) -> list[tuple[WorkOrder, CareVisit]]:
    """Open requests nobody has taken, the soonest first, while their window has not ended."""
    now = now or utcnow()
    statement = (
        select(WorkOrder, CareVisit)
        .join(CareVisit, CareVisit.order_id == WorkOrder.id)
        .where(
            WorkOrder.kind == CARE_VISIT.name,
            WorkOrder.status == states.ACCEPTED,
            WorkOrder.assignee_id.is_(None),
            CareVisit.ends_at > now,
        )
    )
    if visit_kind in VISIT_KINDS:
        statement = statement.where(WorkOrder.category == visit_kind)
    if building_id:
        statement = statement.where(WorkOrder.building_id == building_id)
    rows = session.execute(statement.order_by(CareVisit.starts_at, WorkOrder.id).limit(limit)).all()
    return [tuple(row) for row in rows]


def my_claims(session: Session, volunteer: User) -> list[tuple[WorkOrder, CareVisit]]:
    rows = session.execute(
        select(WorkOrder, CareVisit)
        .join(CareVisit, CareVisit.order_id == WorkOrder.id)
        .where(
            WorkOrder.assignee_id == volunteer.id,
            WorkOrder.status.in_([states.ASSIGNED, states.IN_PROGRESS]),
        )
        .options(selectinload(CareVisit.elder))
        .order_by(CareVisit.starts_at, WorkOrder.id)
    ).all()
    return [tuple(row) for row in rows]


def buildings(session: Session) -> list[Building]:
    return list(session.scalars(select(Building).order_by(Building.sort_key, Building.name)))


def visits_of(
    session: Session, elder_ids: list[int], requested_by: int | None = None, limit: int = 60
) -> list[tuple[WorkOrder, CareVisit]]:
    """The visits of these elders, and those this person asked for; the latest first."""
    wanted = CareVisit.elder_id.in_(elder_ids) if elder_ids else None
    if requested_by is not None:
        asked = WorkOrder.requester_id == requested_by
        wanted = asked if wanted is None else or_(wanted, asked)
    if wanted is None:
        return []
    rows = session.execute(
        select(WorkOrder, CareVisit)
        .join(CareVisit, CareVisit.order_id == WorkOrder.id)
        .where(wanted)
        .options(selectinload(CareVisit.elder))
        .order_by(CareVisit.starts_at.desc(), WorkOrder.id.desc())
        .limit(limit)
    ).all()
    return [tuple(row) for row in rows]


def series_of(session: Session, elder_ids: list[int]) -> list[CareSeries]:
    if not elder_ids:
        return []
    return list(
        session.scalars(
            select(CareSeries)
            .where(CareSeries.elder_id.in_(elder_ids), CareSeries.stopped_at.is_(None))
            .options(selectinload(CareSeries.elder))
            .order_by(CareSeries.id)
        )
    )


def family_elders(session: Session, user: User) -> list[tuple[User, str]]:
    """The elders linked to this person, with what each lets them see."""
    found = []
    for link in relations.relatives_of(session, user):
        other = link.other_than(user.id)
        if other.receives_care:
            found.append((other, consent_status(session, other.id, user.id)))
    return found


# ---- The elder's profile ------------------------------------------------------------------


def may_edit_profile(actor: User, person: User) -> bool:
    return actor.id == person.id or is_office(actor)


def _check_editor(actor: User, person: User) -> None:
    if not may_edit_profile(actor, person):
        raise NotFound(_("No such person."))


def set_care(
    session: Session, actor: User, person: User, receives_care: bool, birth_year: int | None
) -> None:
    _check_editor(actor, person)
    this_year = utcnow().year
    if birth_year is not None and not 1900 <= birth_year <= this_year:
        raise Invalid(
            _("Give a year between %(first)d and %(last)d.", first=1900, last=this_year),
            field="birth_year",
        )
    person.receives_care = receives_care
    person.birth_year = birth_year
    session.flush()


def contacts_of(session: Session, person: User) -> list[EmergencyContact]:
    return list(
        session.scalars(
            select(EmergencyContact)
            .where(EmergencyContact.person_id == person.id)
            .order_by(EmergencyContact.position, EmergencyContact.id)
        )
    )


def add_contact(
    session: Session, actor: User, person: User, name: str, phone: str, relation: str
) -> EmergencyContact:
    _check_editor(actor, person)
    name, phone, relation = name.strip(), phone.strip(), relation.strip()
    if not name or len(name) > 60:
        raise Invalid(_("Give a name of at most %(max)d characters.", max=60), field="name")
    digits = phone.replace(" ", "").replace("-", "")
    if not (3 <= len(digits) <= 20 and digits.lstrip("+").isdigit()):
        raise Invalid(_("Give a phone number (digits only)."), field="phone")
    if len(relation) > 30:
        raise Invalid(_("At most %(max)d characters.", max=30), field="relation")
    contacts = contacts_of(session, person)
    if len(contacts) >= MAX_CONTACTS:
        raise Conflict(_("At most %(max)d emergency contacts.", max=MAX_CONTACTS))
    contact = EmergencyContact(
        person_id=person.id,
        name=name,
        phone=digits,
        relation=relation,
        position=(contacts[-1].position + 1) if contacts else 0,
    )
    session.add(contact)
    session.flush()
    return contact


def _contact(session: Session, person: User, contact_id: int) -> EmergencyContact:
    contact = session.get(EmergencyContact, contact_id)
    if contact is None or contact.person_id != person.id:
        raise NotFound(_("No such contact."))
    return contact


def remove_contact(session: Session, actor: User, person: User, contact_id: int) -> None:
    _check_editor(actor, person)
    session.delete(_contact(session, person, contact_id))
    session.flush()


def move_contact(session: Session, actor: User, person: User, contact_id: int, up: bool) -> None:
    """Swap a contact with the one above (or below): the first is called first."""
    _check_editor(actor, person)
    contacts = contacts_of(session, person)
    contact = _contact(session, person, contact_id)
    at = contacts.index(contact)
    other = at - 1 if up else at + 1
    if not 0 <= other < len(contacts):
        return
    contacts[at], contacts[other] = contacts[other], contacts[at]
    for position, each in enumerate(contacts):
        each.position = position
    session.flush()


def family_of(session: Session, elder: User) -> list[tuple[object, User, CareConsent | None]]:
    """The elder's family links, each with the consent row (None: never decided, pending)."""
    links = relations.relatives_of(session, elder)
    consents = {
        row.relative_id: row
        for row in session.scalars(
            select(CareConsent)
            .where(CareConsent.elder_id == elder.id)
            .options(selectinload(CareConsent.decided_by))
        )
    }
    found = []
    for link in links:
        other = link.other_than(elder.id)
        found.append((link, other, consents.get(other.id)))
    return found


def link_relative(
    session: Session, actor: User, elder: User, login: str, grant: bool, now=None
) -> User:
    """The elder or the office links a family member by their phone or email, and records
    whether they may see the visit log. One answer for every number that cannot be linked."""
    _check_editor(actor, elder)
    relative = accounts.find_by_login(session, login) if login.strip() else None
    if relative is None or relative.id == elder.id or not relative.has_role(Role.RESIDENT):
        raise Invalid(
            _("This number cannot be linked. Check it, or ask the community office."),
            field="relative",
        )
    relations.link_family(session, actor, elder, relative.phone or relative.email)
    set_consent(
        session,
        actor,
        elder,
        relative.id,
        ConsentStatus.GRANTED if grant else ConsentStatus.PENDING,
        now,
    )
    return relative


def set_consent(
    session: Session, actor: User, elder: User, relative_id: int, status: str, now=None
) -> CareConsent:
    """The elder's choice (or the office recording it, given in person): who and when."""
    _check_editor(actor, elder)
    if status not in ConsentStatus.ALL:
        raise Invalid(_("Choose from the list."), field="status")
    relative = session.get(User, relative_id)
    if relative is None or not relations.are_linked(session, elder, relative):
        raise NotFound(_("No such family link."))
    now = now or utcnow()
    row = session.scalar(
        select(CareConsent).where(
            CareConsent.elder_id == elder.id, CareConsent.relative_id == relative_id
        )
    )
    if row is None:
        row = CareConsent(elder_id=elder.id, relative_id=relative_id, created_at=now)
        session.add(row)
    row.status = status
    row.decided_by_id = actor.id if status != ConsentStatus.PENDING else None
    row.decided_at = now if status != ConsentStatus.PENDING else None
    session.flush()
    return row


def unlink_relative(session: Session, actor: User, elder: User, relation_id: int) -> None:
    _check_editor(actor, elder)
    links = relations.relatives_of(session, elder)
    link = next((each for each in links if each.id == relation_id), None)
    if link is None:
        raise NotFound(_("No such family link."))
    other_id = link.other_than(elder.id).id
    relations.unlink(session, elder, relation_id)
    session.execute(
        update(CareConsent)
        .where(CareConsent.elder_id == elder.id, CareConsent.relative_id == other_id)
        .values(status=ConsentStatus.REVOKED, decided_by_id=actor.id, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def log_reads(session: Session, elder: User, limit: int = 20) -> list[CareLogRead]:
    """Who read the elder's visit logs, the latest first: the elder sees it on their profile."""
    return list(
        session.scalars(
            select(CareLogRead)
            .join(CareVisit, CareVisit.order_id == CareLogRead.order_id)
            .where(CareVisit.elder_id == elder.id)
            .options(selectinload(CareLogRead.reader))
            .order_by(CareLogRead.id.desc())
            .limit(limit)
        )
    )


# ---- The office ---------------------------------------------------------------------------


def elders(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User).where(User.receives_care.is_(True)).order_by(User.name, User.id)
        )
    )


def mark_by_login(session: Session, actor: User, login: str) -> User:
    """The office marks a resident, found by phone or email, as receiving care."""
    person = accounts.find_by_login(session, login) if login.strip() else None
    if person is None or not person.has_role(Role.RESIDENT):
        raise Invalid(_("No resident has this phone number or email."), field="login")
    set_care(session, actor, person, True, person.birth_year)
    return person


def unclaimed_soon(session: Session, now: datetime | None = None) -> list:
    now = now or utcnow()
    return [row for row in board(session, now) if row[1].starts_at <= now + ESCALATE_BEFORE]


def escalate(session: Session, now: datetime | None = None) -> int:
    """Tell the office of each unclaimed visit nearing its time, once: the marker is taken by a
    conditional UPDATE, so two workers never tell twice."""
    now = now or utcnow()
    due = session.execute(
        select(WorkOrder.id, CareVisit.starts_at)
        .join(CareVisit, CareVisit.order_id == WorkOrder.id)
        .where(
            WorkOrder.kind == CARE_VISIT.name,
            WorkOrder.status == states.ACCEPTED,
            WorkOrder.assignee_id.is_(None),
            CareVisit.escalated_at.is_(None),
            CareVisit.starts_at <= now + ESCALATE_BEFORE,
            CareVisit.ends_at > now,
        )
    ).all()
    if not due:
        return 0
    office = session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.OPERATOR, User.status == AccountStatus.ACTIVE)
    ).all()
    told = 0
    for order_id, _starts_at in due:
        taken = session.execute(
            update(CareVisit)
            .where(CareVisit.order_id == order_id, CareVisit.escalated_at.is_(None))
            .values(escalated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            continue
        outbox.queue(
            session,
            office,
            CARE,
            lambda order_id=order_id: (
                _("Nobody has taken care visit #%(number)d yet", number=order_id),
                _("It is due soon: assign a volunteer, or call the elder."),
            ),
            link=path_for("workorders.detail", order_id=order_id),
            urgent=False,
            topic=f"wo{order_id}",
        )
        told += 1
    return told


def count_visits(session: Session, elder_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(CareVisit).where(CareVisit.elder_id == elder_id)
    )
