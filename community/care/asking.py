"""Asking for care visits: once, or weekly until stopped (a series keeps its orders made four
weeks ahead). Each visit is a work order on the volunteers' open board."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from community.accounts.models import AccountStatus, Role, User, UserRole
from community.care.kind import CARE, CARE_VISIT, VISIT_KINDS
from community.care.models import CareSeries, CareVisit
from community.care.rules import (
    CANCELLABLE,
    MAX_NEEDS,
    SERIES_HORIZON,
    WINDOWS,
    may_ask_for,
    request_days,
    window_times,
    zone,
)
from community.core.db import utcnow
from community.core.errors import Conflict, Invalid, NotAllowed, NotFound
from community.core.links import path_for
from community.notify import outbox
from community.workorders import machine, states
from community.workorders.models import WorkOrder


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
